// The shared engine contract against the Temporal engine, in a time-skipping test environment (the
// SLA tests move time by a day). Skipped, with the reason printed, when no such server can be had.
import { engineContract } from '../engine/contract.ts';
import { timeSkippingEnvironment, withoutServer } from './environment.ts';
import { temporalHarness } from './harness.ts';

const found = await timeSkippingEnvironment();

if (found.ok) {
  console.info(`[temporal] engine contract against ${found.via}`);
  engineContract('temporal (time-skipping test server)', () => temporalHarness(found.value));
} else {
  withoutServer('JobEngine contract: temporal', found.reason);
}
