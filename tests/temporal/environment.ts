// Finding a Temporal server for the tests that need one. Never faked: when none can be had, the
// caller's suite skips with the reason printed (and carried in the skipped suite's name), or, with
// TEMPORAL_REQUIRED=1 (CI), fails with that reason.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, it } from 'vitest';
import { JOB_SEARCH_ATTRIBUTES } from '#workflows/temporal/search-attributes.ts';
import { reachable } from '#worker/engines/reachable.ts';

type Found<T> = { ok: true; value: T; via: string } | { ok: false; reason: string };

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 240);

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not start within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A time-skipping environment (the SLA tests move time by days): the Temporal test server from
 * TEMPORAL_TEST_SERVER_PATH, else the one the SDK downloads and caches.
 */
export async function timeSkippingEnvironment(timeoutMs = 90_000): Promise<Found<TestWorkflowEnvironment>> {
  const path = process.env.TEMPORAL_TEST_SERVER_PATH;
  try {
    const env = await within(
      TestWorkflowEnvironment.createTimeSkipping(
        path ? { server: { executable: { type: 'existing-path', path } } } : {},
      ),
      timeoutMs,
      'the time-skipping test server',
    );
    return { ok: true, value: env, via: path ? `test server ${path}` : 'the SDK’s downloaded test server' };
  } catch (e) {
    return {
      ok: false,
      reason:
        `no Temporal time-skipping test server (${firstLine(e)}); ` +
        'set TEMPORAL_TEST_SERVER_PATH to a temporal-test-server binary or let the SDK download it',
    };
  }
}

/**
 * A real server in real time: TEMPORAL_ADDRESS when it answers, else a dev server the SDK can
 * download (`temporal server start-dev`), or TEMPORAL_CLI_PATH's.
 */
export async function liveEnvironment(timeoutMs = 90_000): Promise<Found<TestWorkflowEnvironment>> {
  const address = process.env.TEMPORAL_ADDRESS;
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  const reasons: string[] = [];
  if (address) {
    if (await reachable(address)) {
      try {
        const env = await within(
          TestWorkflowEnvironment.createFromExistingServer({ address, namespace }),
          timeoutMs,
          `server ${address}`,
        );
        return { ok: true, value: env, via: `TEMPORAL_ADDRESS=${address}` };
      } catch (e) {
        reasons.push(`TEMPORAL_ADDRESS=${address}: ${firstLine(e)}`);
      }
    } else {
      reasons.push(`TEMPORAL_ADDRESS=${address} is not reachable`);
    }
  } else {
    reasons.push('TEMPORAL_ADDRESS is not set');
  }
  const path = process.env.TEMPORAL_CLI_PATH;
  try {
    const env = await within(
      // The job's search attributes are registered at server start, as `npm run start:temporal` does:
      // registered at run time they are not usable until the namespace cache refreshes.
      TestWorkflowEnvironment.createLocal({
        server: {
          ...(path ? { executable: { type: 'existing-path', path } } : {}),
          searchAttributes: [...JOB_SEARCH_ATTRIBUTES],
        },
      }),
      timeoutMs,
      'the Temporal dev server',
    );
    return { ok: true, value: env, via: path ? `dev server ${path}` : 'the SDK’s downloaded dev server' };
  } catch (e) {
    reasons.push(`no dev server (${firstLine(e)})`);
  }
  return { ok: false, reason: reasons.join('; ') };
}

/** Prints why a suite is skipped, where it cannot be missed. */
function announceSkip(suite: string, reason: string) {
  console.warn(`\n[temporal] SKIPPED ${suite}: ${reason}\n`);
}

/** CI sets TEMPORAL_REQUIRED=1: there a Temporal suite without its server is a failure, not a skip. */
const temporalRequired = () => process.env.TEMPORAL_REQUIRED === '1';

/**
 * Declares `suite` as unable to run for `reason`: skipped with the reason printed, or, when Temporal
 * is required, one failing test that says why.
 */
export function withoutServer(suite: string, reason: string) {
  if (temporalRequired()) {
    describe(`${suite}: no Temporal server`, () => {
      it('has the Temporal server it needs (TEMPORAL_REQUIRED=1)', () => {
        throw new Error(`${suite}: ${reason}`);
      });
    });
    return;
  }
  announceSkip(suite, reason);
  describe.skip(`${suite} — skipped: ${reason}`, () => {
    it('needs a Temporal server', () => {});
  });
}
