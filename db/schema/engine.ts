// The embedded engine's durable state, in its own Postgres schema `engine`: machine snapshots
// (engine.jobs), the next deadline per job (engine.timers) and the effect outbox (engine.outbox).
import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgSchema, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { jobs } from './jobs.ts';

export const engine = pgSchema('engine');

/** Stored with fillfactor 70 (migration 0026), so an event's update of its row stays HOT (ADR 0067). */
export const engineJobs = engine.table('jobs', {
  jobId: uuid()
    .primaryKey()
    .references(() => jobs.id),
  /** The persisted machine state ({ status, context }). */
  state: jsonb().notNull(),
  version: integer().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull(),
});

/** One row per job with a pending deadline: the earliest one (the machine keeps the rest). */
export const engineTimers = engine.table(
  'timers',
  {
    jobId: uuid()
      .primaryKey()
      .references(() => jobs.id),
    key: text().notNull(),
    dueAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.dueAt)],
);

export const outbox = engine.table(
  'outbox',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    jobId: uuid()
      .notNull()
      .references(() => jobs.id),
    /** Idempotency key of the effect: (job, event sequence, index within the event). */
    seq: integer().notNull(),
    idx: integer().notNull(),
    effect: jsonb().notNull(),
    attempts: integer().notNull().default(0),
    availableAt: timestamp({ withTimezone: true }).notNull(),
    lockedUntil: timestamp({ withTimezone: true }),
    /** Who holds the lease: `<instance>/<boot id>` of the dispatcher that claimed the row (see dispatcher.ts). */
    lockedBy: text(),
    doneAt: timestamp({ withTimezone: true }),
    lastError: text(),
  },
  (t) => [
    uniqueIndex().on(t.jobId, t.seq, t.idx),
    index('outbox_pending_idx')
      .on(t.availableAt)
      .where(sql`done_at is null`),
  ],
);
