// Tenants' repair reports from the public report page (/report/<agency>): records before a job exists, outside
// the job machine until staff convert one into a job (docs/adr/0068-repair-reports-are-pre-job-records.md).
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { ReportCategory, ReportFacts } from '#workflows/report-rules.ts';
import { agencies, users } from './agency.ts';
import { properties, tenants } from './directory.ts';
import { jobs } from './jobs.ts';

export const REPORT_STATUSES = ['unconfirmed', 'new', 'converted', 'merged', 'closed', 'self-fixed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const repairReports = pgTable(
  'repair_reports',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    /** The agency's property the tenant chose by postcode; null when they typed an address instead. */
    propertyId: uuid().references(() => properties.id),
    /** The address as chosen (copied from the property) or typed. */
    addressLine1: text(),
    town: text(),
    postcode: text(),
    /** The agency's tenant record the reporter matched on confirming (same property, same email or phone). */
    tenantId: uuid().references(() => tenants.id),
    reporterName: text(),
    reporterEmail: text(),
    reporterPhone: text(),
    category: text().$type<ReportCategory>().notNull(),
    description: text().notNull().default(''),
    facts: jsonb().$type<ReportFacts>().notNull(),
    emergency: boolean().notNull().default(false),
    emergencyReason: text(),
    suggestedPriority: text().notNull(),
    status: text({ enum: REPORT_STATUSES }).notNull().default('unconfirmed'),
    /** The emailed code, only as a hash (auth/codes.ts); wrong tries counted. */
    codeHash: text(),
    codeExpiresAt: timestamp({ withTimezone: true }),
    codeAttempts: integer().notNull().default(0),
    /** The page's key for one report: a resubmit (double tap, retry) finds the report already made. */
    idempotencyKey: text(),
    /** The job it became, or was merged into. */
    jobId: uuid().references(() => jobs.id),
    /** Staff's answer when closing without a job (the tenant reads it), or what helped when self-fixed. */
    closedReason: text(),
    handledBy: uuid().references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    confirmedAt: timestamp({ withTimezone: true }),
    handledAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex().on(t.agencyId, t.idempotencyKey),
    index().on(t.agencyId, t.status, t.createdAt),
    index().on(t.agencyId, t.reporterEmail, t.createdAt),
    index().on(t.propertyId, t.createdAt),
  ],
);

/** Photos sent with a report, checked as job attachments are (files/attachments.ts), copied onto the job. */
export const repairReportFiles = pgTable(
  'repair_report_files',
  {
    id: uuid().primaryKey().defaultRandom(),
    reportId: uuid()
      .notNull()
      .references(() => repairReports.id, { onDelete: 'cascade' }),
    fileName: text().notNull(),
    contentType: text().notNull(),
    sizeBytes: integer().notNull(),
    storageKey: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.reportId)],
);
