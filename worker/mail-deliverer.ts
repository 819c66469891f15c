// Sends the `emails` outbox continuously while SMTP is configured. One deliverer for both engines: the
// app process (worker/runtime.ts) runs it whether the jobs run on the embedded engine or on Temporal,
// because the mail is rows in the app's database either way (a standalone Temporal worker writes the
// rows; the app sends them). A new row wakes it at once (pg_notify on MAIL_CHANNEL, from any process);
// otherwise it sleeps until the next retry is due, at most `idleMs`. Several deliverers may share a
// database: every message is claimed on its own (activities/mail-delivery.ts).
import type { Sql } from 'postgres';
import { deliverNext, type DeliveryPolicy } from '#activities/mail-delivery.ts';
import { MAIL_CHANNEL, type Mailer } from '#activities/mailer.ts';
import type { Database } from '#db/client.ts';
import { backgroundLoop } from './background-loop.ts';
import { claimsFor } from './claims.ts';

interface MailDelivererOptions {
  db: Database;
  /** For LISTEN, and for finding when the next retry is due. */
  sql: Sql;
  mailer: Mailer;
  /** Messages in flight at once. A few: one slow recipient server should not hold up the rest. */
  concurrency?: number;
  /** Longest sleep between looks when nothing wakes the deliverer (a missed notification costs at most this). */
  idleMs?: number;
  now?: () => Date;
  policy?: Partial<DeliveryPolicy>;
  log?: (message: string) => void;
  /** This process's instance name on its claims (default: the host name); see worker/claims.ts. */
  instance?: string;
}

export function createMailDeliverer(options: MailDelivererOptions) {
  const {
    db,
    sql,
    mailer,
    concurrency = 4,
    idleMs = 5_000,
    now = () => new Date(),
    policy,
    log = console.error,
  } = options;
  const claims = claimsFor(options.instance);

  /** Delivers due messages until none is left or `more()` says stop; returns how many were tried. */
  async function deliverWhile(more: () => boolean): Promise<number> {
    let tried = 0;
    const lane = async () => {
      while (more() && (await deliverNext(db, mailer, { now, policy, log, claimant: claims.claimant })) !== null)
        tried++;
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return tried;
  }

  /** Delivers everything due now; returns how many messages were tried. Tests drive this under a hand-moved clock. */
  const drain = () => deliverWhile(() => true);

  async function msUntilNextWork(): Promise<number> {
    const [next] = await sql<{ at: string | null }[]>`
      select min(greatest(coalesce(next_attempt_at, created_at), coalesce(locked_until, created_at))) as at
      from emails where sent_at is null and failed_at is null`;
    if (!next?.at) return idleMs;
    return Math.max(0, Math.min(idleMs, Date.parse(next.at) - now().getTime()));
  }

  // Stopping waits for the messages in flight, not for the whole queue.
  const loop = backgroundLoop({
    sql,
    channel: MAIL_CHANNEL,
    idleMs,
    name: 'mail deliverer',
    log,
    pass: async (running) => (await deliverWhile(running), msUntilNextWork()),
    claims: { claims, table: 'emails' },
  });

  return {
    drain,
    start: () => loop.start(),
    /** Stops taking new messages; those in flight finish and are recorded first. */
    stop: () => loop.stop(),
  };
}
