// What people are told: emails (the dev mailbox when no SMTP is configured) and in-console notifications.
import { sql } from 'drizzle-orm';
import { bigserial, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
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
  },
  (t) => [index().on(t.to, t.createdAt)],
);

export const notifications = pgTable(
  'notifications',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    key: text().notNull().unique(),
    agencyId: uuid().notNull().references(() => agencies.id),
    jobId: uuid().references(() => jobs.id),
    template: text().notNull(),
    message: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index().on(t.agencyId, t.createdAt),
    // The console's bell counts unread notifications on every page load: only the unread ones are indexed,
    // so the count stays small however long the agency's history grows.
    index('notifications_unread_idx').on(t.agencyId, t.template).where(sql`${t.readAt} is null`),
  ],
);
