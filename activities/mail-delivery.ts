// Sends stored emails through SMTP one message at a time. Each message is claimed in its own statement
// (FOR UPDATE SKIP LOCKED, with a lease) and marked sent in another, straight after the server accepted
// it: a crash re-sends at most the one message in flight, with the same Message-ID, never a whole batch.
// A refused or unreachable send is retried with exponential backoff; after the last attempt the message
// is marked failed and its job's page says it was not delivered.
import { sql } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { HOUR_MS, MINUTE_MS } from '#workflows/time.ts';
import type { Mailer } from './mailer.ts';

export interface DeliveryPolicy {
  /** Attempts before a message is given up as not delivered. */
  maxAttempts: number;
  /** Wait before the next attempt, after `attempts` have failed. */
  backoffMs(attempts: number): number;
  /** How long a claim holds a message; a crashed deliverer's claim lapses after this. Longer than one send can take. */
  leaseMs: number;
}

/** 1, 2, 4 … 32 minutes, then an hour: 8 attempts span about two hours, long enough to ride out a mail-server restart. */
const DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 8,
  backoffMs: (attempts) => Math.min(HOUR_MS, MINUTE_MS * 2 ** Math.max(0, attempts - 1)),
  leaseMs: 5 * MINUTE_MS,
};

interface DeliveryOptions {
  policy?: Partial<DeliveryPolicy>;
  /** The deliverer's clock (tests move it by hand); the database's rows are compared with it. */
  now?: () => Date;
  log?: (message: string) => void;
  /** This deliverer's name on its claims (`<instance>/<boot id>`), so its successor can free them. */
  claimant?: string;
}

type Outcome = 'sent' | 'retry' | 'failed';

/**
 * One Message-ID per row, the same on every attempt: a message sent again after a crash (it went out,
 * but the process died before recording it) carries the id of the first copy, so the receiving server
 * or mail client can drop the repeat.
 */
export const messageIdFor = (emailId: number, domain: string) => `<email-${emailId}@${domain}>`;

interface Claimed {
  id: number;
  to: string;
  subject: string;
  body: string;
  attempts: number;
  /** The agency's sender name (its name when it set none) for mail about one of its jobs or sent in its name
   * (`emails.agency_id`: a staff invitation); null for mail from Fettle itself (codes, resets). */
  sender_name: string | null;
}

const iso = (d: Date, plusMs = 0) => new Date(d.getTime() + plusMs).toISOString();

/**
 * Claims one due message (the given one, or the oldest: identity mail first), sends it and records the
 * outcome. Returns null when nothing was due. Several deliverers, in one process or many, never claim the same row.
 */
async function deliverOne(
  db: Database,
  mailer: Mailer,
  options: DeliveryOptions & { id?: number },
): Promise<Outcome | null> {
  const policy = { ...DELIVERY_POLICY, ...options.policy };
  const now = options.now ?? (() => new Date());
  const log = options.log ?? console.error;
  const at = now();
  // `order by lane, id`: 'auth' sorts before 'notification', so a waiting code goes first (and the
  // partial index on (lane, id) serves the order).
  const [row] = await db.execute<Claimed & Record<string, unknown>>(sql`
    update emails set attempts = attempts + 1, locked_until = ${iso(at, policy.leaseMs)}, locked_by = ${options.claimant ?? null}
    where id = (
      select id from emails
      where sent_at is null and failed_at is null
        and (next_attempt_at is null or next_attempt_at <= ${iso(at)})
        and (locked_until is null or locked_until <= ${iso(at)})
        ${options.id === undefined ? sql`` : sql`and id = ${options.id}`}
      order by lane, id limit 1 for update skip locked)
    returning id, "to", subject, body, attempts,
      (select coalesce(a.email_sender_name, a.name) from agencies a
        where a.id = coalesce(emails.agency_id, (select j.agency_id from jobs j where j.id = emails.job_id))) as sender_name`);
  if (!row) return null;
  try {
    await mailer.send({
      to: row.to,
      subject: row.subject,
      text: row.body,
      fromName: row.sender_name ?? undefined,
      messageId: messageIdFor(row.id, mailer.domain),
    });
  } catch (e) {
    const error = String((e as Error).message ?? e);
    if (row.attempts >= policy.maxAttempts) {
      log(`email ${row.id} to ${row.to} not delivered after ${row.attempts} attempts: ${error}`);
      await db.execute(
        sql`update emails set failed_at = ${iso(now())}, locked_until = null, locked_by = null, last_error = ${error} where id = ${row.id}`,
      );
      return 'failed';
    }
    const retryAt = iso(now(), policy.backoffMs(row.attempts));
    log(`email ${row.id} to ${row.to} not sent (attempt ${row.attempts}), retrying at ${retryAt}: ${error}`);
    await db.execute(
      sql`update emails set next_attempt_at = ${retryAt}, locked_until = null, locked_by = null, last_error = ${error} where id = ${row.id}`,
    );
    return 'retry';
  }
  // Its own statement, straight after the server took the message: nothing else waits on it.
  await db.execute(
    sql`update emails set sent_at = ${iso(now())}, locked_until = null, locked_by = null, last_error = null where id = ${row.id}`,
  );
  return 'sent';
}

/** Delivers the oldest due message, if any. */
export const deliverNext = (db: Database, mailer: Mailer, options: DeliveryOptions = {}) =>
  deliverOne(db, mailer, options);

/** Delivers this message now if it is still due (not sent, failed or held by another deliverer). */
export const deliverEmail = (db: Database, mailer: Mailer, options: DeliveryOptions & { id: number }) =>
  deliverOne(db, mailer, options);

/**
 * Delivers due messages until none is left (or `limit` were tried); returns how many were sent.
 * Each message is claimed and recorded on its own. Without a mailer (no SMTP_URL) nothing is sent.
 */
export async function deliverPendingEmails(
  db: Database,
  mailer: Mailer | null,
  options: DeliveryOptions & { limit?: number } = {},
): Promise<number> {
  if (!mailer) return 0;
  let sent = 0;
  for (let tried = 0; tried < (options.limit ?? Infinity); tried++) {
    const outcome = await deliverOne(db, mailer, options);
    if (outcome === null) break;
    if (outcome === 'sent') sent++;
  }
  return sent;
}
