// Email: every message is first a row in `emails` (idempotent by its key). With SMTP_URL set, the app
// process's deliverer (worker/mail-deliverer.ts) sends due rows one at a time (activities/mail-delivery.ts);
// identity emails are also sent the moment they are stored, ahead of any notifications waiting.
// Without SMTP nothing is sent: the rows stay unsent and the dev mailbox page (/dev/mailbox) shows them,
// so sign-up works on one machine.
import nodemailer from 'nodemailer';
import { sql } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { emails } from '#db/schema/index.ts';
import { deliverEmail } from './mail-delivery.ts';

export { deliverPendingEmails, messageIdFor } from './mail-delivery.ts';

/** Rows stored here wake the deliverer at once (LISTEN in worker/mail-deliverer.ts), whichever process wrote them. */
export const MAIL_CHANNEL = 'fettle_mail';

interface OutgoingEmail {
  /** Idempotency key: the same key is stored (and sent) once. */
  key: string;
  to: string;
  subject: string;
  body: string;
  /** The job it is about, so a message that cannot be delivered shows on the job's page. */
  jobId?: string | null;
  /** The agency it speaks for when it is about no job (a staff invitation): sent under its sender name, as a job's
   * email is under its agency's. */
  agencyId?: string | null;
  /** 'auth': someone is waiting for it (a code, a reset link); it goes ahead of notifications. */
  lane?: 'auth' | 'notification';
}

export interface Mailer {
  /** Our Message-IDs' domain (MAIL_FROM's host). */
  readonly domain: string;
  /**
   * Rejects when the server refuses or cannot be reached. `fromName`: the display name on the From header
   * (an agency's sender name), with MAIL_FROM's address; without it, MAIL_FROM as configured.
   */
  send(message: { to: string; subject: string; text: string; messageId: string; fromName?: string }): Promise<void>;
  close(): void;
}

/** The host part of MAIL_FROM ("Fettle <no-reply@fettle.local>" → "fettle.local"): our Message-IDs' domain. */
function mailDomain(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'fettle.local';
}

/** The address part of MAIL_FROM ("Fettle <no-reply@fettle.local>" → "no-reply@fettle.local"). */
export function mailAddress(from: string): string {
  return (/<([^>]+)>\s*$/.exec(from)?.[1] ?? from).trim();
}

/**
 * A pooled nodemailer transport when SMTP_URL is set; null means "dev mailbox only". Pooled: opening a
 * connection costs more than sending a plain-text message over one, so a backlog goes out over a few
 * kept-open connections. `connections` should match the sends its user makes at once: a send beyond
 * that waits in the pool, and identity mail must not wait behind notifications, so the app gives the
 * deliverer and identity mail a transport each.
 */
export function createMailer(
  env: { SMTP_URL?: string; MAIL_FROM: string },
  options: { connections?: number } = {},
): Mailer | null {
  if (!env.SMTP_URL) return null;
  // Bounded waits: a send must end well inside the deliverer's lease (5 min), or a second deliverer
  // could take the message over while the first is still talking to the server. (nodemailer's own
  // socket timeout is 10 minutes.)
  const transport = nodemailer.createTransport({
    url: env.SMTP_URL,
    pool: true,
    maxConnections: options.connections ?? 2,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  return {
    domain: mailDomain(env.MAIL_FROM),
    async send({ to, subject, text, messageId, fromName }) {
      // nodemailer quotes and encodes the name, so "Smith & Co, Lettings" or "Ørsted Homes" are sent intact.
      const from = fromName ? { name: fromName, address: mailAddress(env.MAIL_FROM) } : env.MAIL_FROM;
      await transport.sendMail({ from, to, subject, text, messageId });
    },
    close: () => transport.close(),
  };
}

/** Stores a message in the outbox and wakes the deliverer. Returns its id, or null when a message with this key already exists. */
export async function queueEmail(db: Database, message: OutgoingEmail): Promise<number | null> {
  return db.transaction(async (tx) => {
    const rows = await tx.insert(emails).values(message).onConflictDoNothing().returning({ id: emails.id });
    if (rows.length > 0) await tx.execute(sql`select pg_notify(${MAIL_CHANNEL}, '')`);
    return rows[0]?.id ?? null;
  });
}

/**
 * An identity email: stored (the dev mailbox), then, when SMTP is configured, sent at once by this call
 * rather than waiting for the deliverer's next turn, so a verification code never queues behind a
 * backlog of notifications. Sending runs in the background (errors are logged); a failed first try is
 * retried by the deliverer like any other message.
 */
export async function sendEmail(
  db: Database,
  mailer: Mailer | null,
  message: OutgoingEmail,
  log: (message: string) => void = console.error,
): Promise<void> {
  const id = await queueEmail(db, { lane: 'auth', ...message });
  if (mailer && id !== null)
    void deliverEmail(db, mailer, { id, log }).catch((e) => log(`email ${id} not sent: ${(e as Error).message}`));
}
