// The embedded engine's notion of now, from the environment (ENGINE_CLOCK_OFFSET, dev only).
import { HOUR_MS } from '#workflows/time.ts';
import type { Env } from './env.ts';
import { offsetClock, type Clock } from './engines/port.ts';

const CLOCK_BANNER = '!'.repeat(78);

/**
 * The embedded engine's clock: real time, or real time moved by ENGINE_CLOCK_OFFSET (dev only; env.ts refuses
 * it in production). Said loudly, since every deadline and event time the engine records moves with it.
 * Temporal keeps its own time, so there the offset is ignored, also loudly.
 */
export function engineClock(
  env: Pick<Env, 'ENGINE_CLOCK_OFFSET'>,
  engine: 'embedded' | 'temporal',
  log: (m: string) => void,
): Clock {
  const offset = env.ENGINE_CLOCK_OFFSET ?? 0;
  if (offset === 0) return offsetClock(0);
  const clock = offsetClock(offset);
  if (engine === 'temporal') {
    log(
      `${CLOCK_BANNER}\nENGINE_CLOCK_OFFSET is ignored: Temporal keeps its own time (use its time-skipping test server, see docs/operations.md)\n${CLOCK_BANNER}`,
    );
    return offsetClock(0);
  }
  const hours = offset / HOUR_MS;
  log(
    `${CLOCK_BANNER}\nENGINE CLOCK OFFSET ${hours >= 0 ? '+' : ''}${hours} h (dev only): the embedded engine's "now" is ${clock().toISOString()}\n` +
      `deadlines fire and events are stamped at that time, not the real one\n${CLOCK_BANNER}`,
  );
  return clock;
}
