// The shape the embedded dispatcher and the mail deliverer share: a loop in the app's process that does
// the work due now, then sleeps until the next is due, or until a NOTIFY on its channel says new work
// was written (by this process or any other); stopping lets the pass in flight finish.
import type { Sql } from 'postgres';
import type { Claims } from './claims.ts';

interface BackgroundLoopOptions {
  sql: Sql;
  /** NOTIFY channel that wakes the loop early. */
  channel: string;
  /** Sleep after an error, and the longest sleep when nothing is due. */
  idleMs: number;
  /** For the log: "dispatcher", "mail deliverer". */
  name: string;
  log: (message: string) => void;
  /**
   * One pass: does the work due now (checking `running()` between items, so stopping waits only for
   * those in flight) and says how long until more is due (0: at once).
   */
  pass: (running: () => boolean) => Promise<number>;
  /** Rows this loop claims: those an earlier boot of this instance left are freed at start (it crashed). */
  claims?: { claims: Claims; table: 'engine.outbox' | 'emails' };
}

interface BackgroundLoop {
  readonly running: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function backgroundLoop({
  sql,
  channel,
  idleMs,
  name,
  log,
  pass,
  claims,
}: BackgroundLoopOptions): BackgroundLoop {
  let running = false;
  let wake: (() => void) | null = null;
  let loop: Promise<void> | null = null;
  let unlisten: (() => Promise<void>) | null = null;
  const isRunning = () => running;

  async function run(): Promise<void> {
    while (running) {
      try {
        const ms = await pass(isRunning);
        if (ms > 0 && running) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, ms);
            wake = () => (clearTimeout(timer), resolve());
          });
        }
        wake = null;
      } catch (e) {
        if (!running) break;
        log(`${name} error: ${String(e)}`);
        await new Promise((r) => setTimeout(r, idleMs));
      }
    }
  }

  return {
    get running() {
      return running;
    },
    async start() {
      if (running) return;
      running = true;
      if (claims) {
        // Work an earlier boot here had in hand when it died runs now, not when its lease ends.
        const released = await claims.claims.releaseStale(sql, claims.table);
        if (released > 0) log(`${name}: released ${released} claim(s) left by an earlier run of this instance`);
      }
      const sub = await sql.listen(channel, () => wake?.());
      unlisten = () => sub.unlisten();
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      await unlisten?.();
      unlisten = null;
    },
  };
}
