// Identity tables owned by better-auth (sessions, credentials, one-time codes, rate-limit buckets) and
// staff invitations. The user model is the app's `users` table (agency.ts). See docs/decisions-auth.md.
import { bigint, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { agencies, users } from './agency.ts';

const at = () => timestamp({ withTimezone: true });

export const authSessions = pgTable(
  'auth_sessions',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    token: text().notNull().unique(),
    expiresAt: at().notNull(),
    ipAddress: text(),
    userAgent: text(),
    /** A contractor's chosen agency: scopes everything after the Accounts page. Null until picked. */
    activeAgencyId: uuid().references(() => agencies.id, { onDelete: 'set null' }),
    /**
     * The agency this session was working for when it turned its contractor portal off and the contractor was
     * moved to their only other agency: the portal names it (memberships.ts, `portalsSwitchedOff`) until it
     * turns the portal back on or the contractor picks an agency. Null otherwise.
     */
    switchedOffAgencyId: uuid().references(() => agencies.id, { onDelete: 'set null' }),
    createdAt: at().notNull().defaultNow(),
    updatedAt: at().notNull().defaultNow(),
  },
  (t) => [index().on(t.userId)],
);

export const authAccounts = pgTable(
  'auth_accounts',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    accountId: text().notNull(),
    providerId: text().notNull(),
    accessToken: text(),
    refreshToken: text(),
    idToken: text(),
    accessTokenExpiresAt: at(),
    refreshTokenExpiresAt: at(),
    scope: text(),
    /** better-auth's scrypt hash; never plain text. */
    password: text(),
    createdAt: at().notNull().defaultNow(),
    updatedAt: at().notNull().defaultNow(),
  },
  (t) => [index().on(t.userId)],
);

/** One-time values: email OTPs (`email-verification-otp-<email>`), password-reset tokens. */
export const authVerifications = pgTable(
  'auth_verifications',
  {
    id: uuid().primaryKey().defaultRandom(),
    identifier: text().notNull(),
    value: text().notNull(),
    expiresAt: at().notNull(),
    createdAt: at().notNull().defaultNow(),
    updatedAt: at().notNull().defaultNow(),
  },
  (t) => [index().on(t.identifier)],
);

export const authRateLimits = pgTable('auth_rate_limits', {
  id: uuid().primaryKey().defaultRandom(),
  key: text().notNull().unique(),
  count: integer().notNull(),
  lastRequest: bigint({ mode: 'number' }).notNull(),
});

/** Sign-in attempts per email address in the current window (auth.ts's SIGN_IN_PER_EMAIL). Our own table:
 * better-auth prunes auth_rate_limits of rows older than its longest window (60 s), which reset this count. */
export const signInAttemptsByEmail = pgTable('sign_in_attempts_by_email', {
  email: text().primaryKey(),
  count: integer().notNull(),
  windowStart: bigint({ mode: 'number' }).notNull(),
});

/** An admin's invitation to join their agency as staff. Only the token's SHA-256 is stored. */
export const staffInvitations = pgTable(
  'staff_invitations',
  {
    id: uuid().primaryKey().defaultRandom(),
    agencyId: uuid()
      .notNull()
      .references(() => agencies.id),
    email: text().notNull(),
    name: text().notNull(),
    role: text({ enum: ['admin', 'staff'] }).notNull(),
    tokenHash: text().notNull().unique(),
    invitedBy: uuid().references(() => users.id),
    createdAt: at().notNull().defaultNow(),
    expiresAt: at().notNull(),
    acceptedAt: at(),
    revokedAt: at(),
  },
  (t) => [index().on(t.agencyId, t.createdAt)],
);
