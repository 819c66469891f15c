// The workflow code must build as a Temporal workflow bundle: webpack refuses Node built-ins and
// the sandbox would refuse I/O, so this proves workflows/ is sandbox-safe, with nothing faked.
import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '#worker/temporal-worker.ts';

describe('workflow bundle', () => {
  it('builds workflows/index.ts with bundleWorkflowCode', async () => {
    const bundle = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    expect(bundle.code.length).toBeGreaterThan(10_000);
    expect(bundle.code).toContain('jobWorkflow');
    // The machine and the loop are in; activities' implementations and the database client are not
    // (workflow code only imports their types).
    expect(bundle.code).toContain('createJobLoop');
    expect(bundle.code).toMatch(/xstate/);
    expect(bundle.code).not.toMatch(/drizzle-orm|node_modules\/postgres\/|nodemailer/);
  });
});
