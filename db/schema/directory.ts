// The agency's directory: properties, tenants and contractors (with trades, certifications, coverage).
import { boolean, date, doublePrecision, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { agencies, branches, users } from './agency.ts';

/** Who owns a property: the agency invoices them for work on it (the agency invoice's customer). */
export const landlords = pgTable(
  'landlords',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    name: text().notNull(),
    email: text(),
    phone: text(),
    /** Where their invoices go, as it is printed (several lines). */
    billingAddress: text(),
  },
  (t) => [index().on(t.agencyId, t.email), index().on(t.agencyId, t.name)],
);

export const properties = pgTable(
  'properties',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    branchId: uuid().references(() => branches.id),
    landlordId: uuid().references(() => landlords.id),
    line1: text().notNull(),
    line2: text(),
    town: text().notNull(),
    postcode: text().notNull(),
    /** Postcode district ("SW1A"), the unit coverage is matched on. */
    outcode: text().notNull(),
    lat: doublePrecision(),
    lng: doublePrecision(),
    accessNotes: text(),
  },
  (t) => [index().on(t.agencyId, t.postcode), index().on(t.agencyId, t.outcode), index().on(t.landlordId)],
);

export const tenants = pgTable('tenants', {
  id: uuid().primaryKey().defaultRandom(),
  agencyId: uuid()
    .notNull()
    .references(() => agencies.id),
  propertyId: uuid().references(() => properties.id),
  name: text().notNull(),
  email: text(),
  phone: text(),
});

export const contractors = pgTable(
  'contractors',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    /** The portal login, linked when the contractor signs up with this email. */
    userId: uuid().references(() => users.id),
    name: text().notNull(),
    company: text(),
    email: text().notNull(),
    phone: text(),
    trades: text().array().notNull().default([]),
    /** Postcode districts covered. */
    coverage: text().array().notNull().default([]),
    baseOutcode: text(),
    baseLat: doublePrecision(),
    baseLng: doublePrecision(),
    active: boolean().notNull().default(true),
  },
  (t) => [uniqueIndex().on(t.agencyId, t.email), index().on(t.userId)],
);

export const certifications = pgTable('contractor_certifications', {
  id: uuid().primaryKey().defaultRandom(),
  contractorId: uuid()
    .notNull()
    .references(() => contractors.id, { onDelete: 'cascade' }),
  name: text().notNull(),
  reference: text(),
  expiresOn: date().notNull(),
});

/** People to call at a contractor's firm besides the main contact (office, accounts, out of hours). */
export const contractorContacts = pgTable(
  'contractor_contacts',
  {
    id: uuid().primaryKey().defaultRandom(),
    contractorId: uuid()
      .notNull()
      .references(() => contractors.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    role: text(),
    phone: text(),
    email: text(),
  },
  (t) => [index().on(t.contractorId)],
);
