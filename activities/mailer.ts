// Email delivery. Every message is first a row in `emails` (idempotent by its key); with SMTP_URL set,
// `deliverPendingEmails` sends unsent rows through nodemailer and stamps `sentAt`. Without SMTP the rows
// stay unsent and the dev mailbox page (/dev/mailbox) shows them, so sign-up works on one machine.
import nodemailer from 'nodemailer';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.ts';
import { emails } from '../db/schema/index.ts';

export interface OutgoingEmail {
  /** Idempotency key: the same key is stored (and sent) once. */
  key: string;
  to: string;
  subject: string;
  body: string;
}

export interface Mailer {
  send(message: { to: string; subject: string; text: string }): Promise<void>;
  close(): void;
}

/** A nodemailer transport when SMTP_URL is set; null means "dev mailbox only". */
export function createMailer(env: { SMTP_URL?: string; MAIL_FROM: string }): Mailer | null {
  if (!env.SMTP_URL) return null;
  const transport = nodemailer.createTransport(env.SMTP_URL);
  return {
    async send({ to, subject, text }) {
      await transport.sendMail({ from: env.MAIL_FROM, to, subject, text });
    },
    close: () => transport.close(),
  };
}

/** Stores a message in the outbox. Returns false when a message with this key already exists. */
export async function queueEmail(db: Database, message: OutgoingEmail): Promise<boolean> {
  const rows = await db.insert(emails).values(message).onConflictDoNothing().returning({ id: emails.id });
  return rows.length > 0;
}

/**
 * Sends up to `limit` unsent messages, oldest first. Safe to run from several processes at once
 * (rows are claimed with FOR UPDATE SKIP LOCKED). A message that fails stays unsent and is retried on
 * a later call; the error is reported through `log`. Returns how many were sent.
 */
export async function deliverPendingEmails(
  db: Database,
  mailer: Mailer | null,
  options: { limit?: number; log?: (message: string) => void } = {},
): Promise<number> {
  if (!mailer) return 0;
  const { limit = 50, log = console.error } = options;
  return db.transaction(async (tx) => {
    const rows = await tx.execute<{ id: number; to: string; subject: string; body: string }>(
      sql`select id, "to", subject, body from emails where sent_at is null order by id limit ${limit} for update skip locked`,
    );
    let sent = 0;
    for (const row of rows) {
      try {
        await mailer.send({ to: row.to, subject: row.subject, text: row.body });
        await tx.execute(sql`update emails set sent_at = now() where id = ${row.id}`);
        sent++;
      } catch (e) {
        log(`email ${row.id} to ${row.to} not sent: ${(e as Error).message}`);
      }
    }
    return sent;
  });
}

/** Stores the message and, when SMTP is configured, starts delivering it at once (errors are logged). */
export async function sendEmail(
  db: Database,
  mailer: Mailer | null,
  message: OutgoingEmail,
  log: (message: string) => void = console.error,
): Promise<void> {
  await queueEmail(db, message);
  if (mailer) void deliverPendingEmails(db, mailer, { log }).catch((e) => log(`mail delivery failed: ${(e as Error).message}`));
}
