// Tenancy and configuration: agencies, their branches, staff, job types and priorities.
import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const agencies = pgTable('agencies', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  slug: text().notNull().unique(),
  phone: text(),
  email: text(),
  /** The postal address invoices give as the supplier's, as lines. */
  address: text(),
  /** The agency's UK VAT registration number, normalised ("GB123456782"); a VAT invoice needs it. */
  vatNumber: text(),
  /** The display name on the email the agency's jobs send ("Oak Lettings" <no-reply@…>); null: the agency's name. */
  emailSenderName: text(),
  /** The agency's logo (PNG or JPEG) in the file store (files/storage.ts): its key, type and when it was set. */
  logoStorageKey: text(),
  logoContentType: text({ enum: ['image/png', 'image/jpeg'] }),
  logoUpdatedAt: timestamp({ withTimezone: true }),
  /** VAT rate in basis points (2000 = 20 %). */
  vatRateBp: integer().notNull().default(2000),
  portalEnabled: boolean().notNull().default(true),
  /** Whether contractors see the tenant's phone and email (otherwise only the name) on jobs and job sheets. */
  shareTenantContact: boolean().notNull().default(true),
  offerReminderHours: integer().notNull().default(4),
  offerEscalationHours: integer().notNull().default(24),
  invoiceReminderHours: integer().notNull().default(168),
  /** The invoice chase after its first reminder: every so many hours, up to so many reminders, then staff are alerted. */
  invoiceReminderRepeatHours: integer().notNull().default(168),
  invoiceReminderLimit: integer().notNull().default(3),
  /** Next job number; references are JOB-000123 per agency. */
  nextJobNumber: integer().notNull().default(1),
  /** The next credit note number (CN-000001, …): taken by the re-raise that issues the credit note. */
  nextCreditNoteNumber: integer().notNull().default(1),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const branches = pgTable('branches', {
  id: uuid().primaryKey().defaultRandom(),
  agencyId: uuid()
    .notNull()
    .references(() => agencies.id),
  name: text().notNull(),
  phone: text(),
  email: text(),
  address: text(),
});

export const users = pgTable('users', {
  id: uuid().primaryKey().defaultRandom(),
  /** Null for contractors: one login may work for several agencies. */
  agencyId: uuid().references(() => agencies.id),
  name: text().notNull(),
  email: text().notNull().unique(),
  role: text({ enum: ['admin', 'staff', 'contractor'] }).notNull(),
  /** Shown to contractors on the Contacts page. */
  jobTitle: text(),
  phone: text(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  // Required by better-auth, which uses this table as its user model (see docs/decisions-auth.md).
  emailVerified: boolean().notNull().default(false),
  image: text(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const jobTypes = pgTable(
  'job_types',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    code: text().notNull(),
    name: text().notNull(),
    trade: text().notNull(),
    /** Certifications a contractor must hold, unexpired, to be assigned (e.g. "Gas Safe"). */
    requiredCertifications: text().array().notNull().default([]),
  },
  (t) => [uniqueIndex().on(t.agencyId, t.code)],
);

export const priorities = pgTable(
  'priorities',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    code: text().notNull(),
    name: text().notNull(),
    targetHours: integer().notNull(),
    warnAtPercent: integer().array().notNull().default([75, 90]),
    sortOrder: integer().notNull().default(0),
  },
  (t) => [uniqueIndex().on(t.agencyId, t.code)],
);

/**
 * A self-serve agency sign-up waiting for its emailed code (web/src/lib/server/onboarding/sign-up.ts). The
 * agency and its first admin are created only once the code proves the address; the code is stored only as
 * a hash, and a few wrong tries use it up.
 */
export const agencySignUps = pgTable(
  'agency_sign_ups',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyName: text().notNull(),
    adminName: text().notNull(),
    email: text().notNull(),
    codeHash: text().notNull(),
    attempts: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    completedAt: timestamp({ withTimezone: true }),
    agencyId: uuid().references(() => agencies.id),
  },
  (t) => [index().on(t.email, t.createdAt)],
);
