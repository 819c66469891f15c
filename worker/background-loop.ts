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

/** postgres.js's codes for a query whose connection is gone: closed under it, ended, or destroyed. */
const GONE = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);
const connectionGone = (e: unknown) => e instanceof Error && GONE.has(String((e as Error & { code?: unknown }).code));

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
      // Should the LISTEN connection drop, postgres.js listens again on a new one by itself, with a listener
      // of its own making: this `unlisten` then does nothing, and the LISTEN lasts until the pool ends
      // (sql.end closes it). Harmless: `wake` is null once stopped.
      const sub = await sql.listen(channel, () => wake?.());
      unlisten = () => sub.unlisten();
      loop = run();
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
      const unlistening = unlisten;
      unlisten = null;
      try {
        await unlistening?.();
      } catch (e) {
        // The LISTEN connection closed under the UNLISTEN (PostgreSQL ended the session, the network dropped
        // it, or the pool is ending): the session's LISTENs ended with it, which is what UNLISTEN was for.
        // Anything else (PostgreSQL refusing the UNLISTEN) is a fault and surfaces.
        if (!connectionGone(e)) throw e;
      }
    },
  };
}
