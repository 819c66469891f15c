// What people are told: emails (the dev mailbox when no SMTP is configured) and in-console notifications.
import { sql } from 'drizzle-orm';
import { bigserial, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { agencies } from './agency.ts';
import { jobs } from './jobs.ts';

export const emails = pgTable(
  'emails',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    /** Idempotency key: a retried effect never sends twice. */
    key: text().notNull().unique(),
    to: text().notNull(),
    subject: text().notNull(),
    body: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
    /** The job a notification is about (null for identity emails): its page shows mail that could not be delivered. */
    jobId: uuid().references(() => jobs.id),
    /** The agency an email speaks for when it is about no job (a staff invitation): it goes out under the
     * agency's sender name, as its jobs' emails do (activities/mail-delivery.ts). */
    agencyId: uuid().references(() => agencies.id),
    /** 'auth' (codes, resets, invitations) goes ahead of every notification: someone is waiting at a form for it. */
    lane: text({ enum: ['auth', 'notification'] })
      .notNull()
      .default('notification'),
    /** SMTP attempts so far, counted when a deliverer claims the row. */
    attempts: integer().notNull().default(0),
    /** Not before this instant (backoff after a failure); null: due now. */
    nextAttemptAt: timestamp({ withTimezone: true }),
    /** A deliverer holds the row until then; a crashed one's claim lapses and the message is tried again. */
    lockedUntil: timestamp({ withTimezone: true }),
    /** Who holds the claim (`<instance>/<boot id>`): a deliverer restarting on that instance frees it at once. */
    lockedBy: text(),
    lastError: text(),
    /** Set when the last allowed attempt failed: the message is not delivered and staff are shown so. */
    failedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index().on(t.to, t.createdAt),
    index().on(t.jobId),
    // Deliverers look for due mail on every poll: only undelivered rows are indexed, so the scan stays small
    // however many messages have been sent.
    index('emails_pending_idx')
      .on(t.lane, t.id)
      .where(sql`${t.sentAt} is null and ${t.failedAt} is null`),
  ],
);

export const notifications = pgTable(
  'notifications',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    key: text().notNull().unique(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    jobId: uuid().references(() => jobs.id),
    template: text().notNull(),
    message: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp({ withTimezone: true }),
    /** When the job moved past what this asked staff to do (workflows/notifications.ts): no longer needs anyone. */
    resolvedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index().on(t.agencyId, t.createdAt),
    // The console's bell counts what still needs someone on every page load: only those are indexed, so the
    // count stays small however long the agency's history grows.
    index('notifications_unread_idx')
      .on(t.agencyId, t.template)
      .where(sql`${t.readAt} is null and ${t.resolvedAt} is null`),
    // Settling a job's notifications finds them by job.
    index('notifications_open_by_job_idx')
      .on(t.jobId)
      .where(sql`${t.resolvedAt} is null`),
  ],
);
