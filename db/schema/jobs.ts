// The jobs read model (every list and dashboard reads it), the event history, attachments and audit log.
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { SLA_RUNNING_STATUSES, type JobStatus } from '#workflows/model.ts';
import { agencies, branches, jobTypes, users } from './agency.ts';
import { contractors, properties, tenants } from './directory.ts';

/** What could not be recorded, and why: shown to staff and operators (docs/operations.md says how to repair). */
export interface ProjectionError {
  seq: number;
  error: string;
  at: string;
}

export const jobs = pgTable(
  'jobs',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    branchId: uuid().references(() => branches.id),
    number: integer().notNull(),
    reference: text().notNull(),
    title: text().notNull(),
    /** Sanitised HTML. */
    descriptionHtml: text().notNull().default(''),
    jobTypeId: uuid().references(() => jobTypes.id),
    priorityCode: text().notNull(),
    propertyId: uuid().references(() => properties.id),
    tenantId: uuid().references(() => tenants.id),
    createdBy: uuid().references(() => users.id),
    // Projected from the engine after every accepted event:
    status: text().$type<JobStatus>().notNull().default('new'),
    contractorId: uuid().references(() => contractors.id),
    offeredToId: uuid().references(() => contractors.id),
    /** The machine's assignment counter: which contractor invoice (contractor_invoices.assignment) is the job's current one. */
    assignment: integer().notNull().default(0),
    slaDueAt: timestamp({ withTimezone: true }),
    slaBreached: boolean().notNull().default(false),
    slaWarnedPercent: integer().notNull().default(0),
    recallCount: integer().notNull().default(0),
    noteCount: integer().notNull().default(0),
    /** Engine event sequence last projected; projections never go backwards. */
    engineVersion: integer().notNull().default(0),
    /**
     * Set when a transition could not be recorded for good (a constraint or data error that no retry
     * cures): the console shows the job as needing attention until `scripts/reproject-job.ts` has
     * recorded what was missed. Null when every transition is recorded.
     */
    projectionError: jsonb().$type<ProjectionError>(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp({ withTimezone: true }),
    closedAt: timestamp({ withTimezone: true }),
    /** Lower-cased reference, title, postcode and first address line, kept by a trigger (migration
     * 0005_job_search) for the console's text search; trigram-indexed when pg_trgm is available. */
    searchText: text().notNull().default(''),
  },
  (t) => [
    uniqueIndex().on(t.agencyId, t.reference),
    index('jobs_agency_created_idx').on(t.agencyId, t.createdAt.desc(), t.id.desc()),
    index('jobs_agency_status_created_idx').on(t.agencyId, t.status, t.createdAt.desc(), t.id.desc()),
    index().on(t.agencyId, t.contractorId),
    index().on(t.agencyId, t.offeredToId),
    index('jobs_open_sla_idx')
      .on(t.agencyId, t.slaDueAt)
      .where(sql`${t.status} in ${sql.raw(`(${SLA_RUNNING_STATUSES.map((s) => `'${s}'`).join(',')})`)}`),
  ],
);

export const jobEvents = pgTable(
  'job_events',
  {
    jobId: uuid()
      .notNull()
      .references(() => jobs.id),
    seq: integer().notNull(),
    type: text().notNull(),
    actorId: text().notNull(),
    actorRole: text().notNull(),
    payload: jsonb().notNull(),
    fromStatus: text(),
    toStatus: text().notNull(),
    at: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.seq] })],
);

export const attachments = pgTable(
  'attachments',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    jobId: uuid()
      .notNull()
      .references(() => jobs.id),
    uploadedBy: text().notNull(),
    /** Site photo, a document, or a contractor's invoice document. */
    kind: text({ enum: ['photo', 'document', 'invoice'] })
      .notNull()
      .default('photo'),
    fileName: text().notNull(),
    contentType: text().notNull(),
    sizeBytes: integer().notNull(),
    storageKey: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.jobId)],
);

/** Append-only: every state change, payment and setting change. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    jobId: uuid().references(() => jobs.id),
    actorId: text().notNull(),
    actorRole: text().notNull(),
    action: text().notNull(),
    detail: jsonb().notNull().default({}),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.agencyId, t.at), index().on(t.jobId, t.id)],
);
