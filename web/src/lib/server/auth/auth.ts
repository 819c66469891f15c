// The identity service: better-auth over the project's Postgres (drizzle), using the app's `users`
// table as its user model. Email + password with email-OTP verification, password reset by link,
// database sessions, database-backed rate limits. No SvelteKit imports: tests build it directly.
import { randomBytes, randomUUID } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { emailOTP } from 'better-auth/plugins/email-otp';
import { sql } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { one } from '#db/rows.ts';
import {
  authAccounts,
  authRateLimits,
  authSessions,
  authVerifications,
  signInAttemptsByEmail,
  users,
} from '#db/schema/index.ts';
import { sendEmail, type Mailer } from '#activities/mailer.ts';
import { isEmailAddress } from '../email-address.ts';
import { linkContractorRecords, signUpEligibility } from './memberships.ts';
import {
  existingAccountEmail,
  noAccountResetEmail,
  passwordResetEmail,
  signUpRefusedEmail,
  verificationCodeEmail,
} from './messages.ts';

/** Header carrying the client address into the auth handler; set only by our own dispatcher. */
export const CLIENT_IP_HEADER = 'x-fettle-client-ip';
export const AUTH_BASE_PATH = '/api/auth';

export const OTP_SECONDS = 10 * 60;
/** Wrong tries a verification code takes; the one after is refused and the code is spent. */
export const OTP_TRIES = 5;
export const RESET_SECONDS = 30 * 60;
export const SESSION_SECONDS = 7 * 24 * 3600;
const MIN_PASSWORD = 10;
const MAX_PASSWORD = 128;
/** Sign-in attempts allowed per email address per window, from any number of addresses. */
export const SIGN_IN_PER_EMAIL = { max: 10, windowSeconds: 15 * 60 };

/** The answer to every password-reset request, whether or not the address has an account. */
const RESET_ANSWER = {
  status: true,
  message: 'If this email has an account, check your email for the reset link',
} as const;

type ResetAdapter = {
  findUserByEmail(email: string): Promise<{ user: { id: string; email: string } } | null>;
  createVerificationValue(data: { value: string; identifier: string; expiresAt: Date }): Promise<unknown>;
};

/** What better-auth's sign-up refuses before it creates anything, refused the same way for addresses it never reaches
 * (the email itself is checked first, for every path: see hooks.before). */
function signUpInputError(password: string): { code: string; message: string } | null {
  if (password.length < MIN_PASSWORD) return { code: 'PASSWORD_TOO_SHORT', message: 'Password too short' };
  if (password.length > MAX_PASSWORD) return { code: 'PASSWORD_TOO_LONG', message: 'Password too long' };
  return null;
}

export interface AuthDeps {
  db: Database;
  /** At least 32 characters; signs session cookies. */
  secret: string;
  /** The public origin (https://…) when known; otherwise derived per request. */
  origin?: string;
  mailer?: Mailer | null;
  /** Rate limiting is on unless a test turns it off. */
  rateLimit?: boolean;
  log?: (message: string) => void;
}

/** Where links in emails point: the configured origin whenever there is one. Otherwise the origin the request
 * was addressed to, which hooks.server.ts has checked against the hosts this app answers to
 * (security/origin.ts), so a forged Host header never reaches an email. */
/** A text field of a request body better-auth has parsed (anything else, or a missing field, is ''). */
function field(body: unknown, key: string): string {
  const value: unknown = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : '';
}

const originOf = (request: Request | undefined, configured?: string) =>
  configured ?? (request ? new URL(request.url).origin : '');

export function createAuth(deps: AuthDeps) {
  const { db, secret, origin, mailer = null, rateLimit = true, log = console.error } = deps;

  /** Stores the message (the dev mailbox), then sends it at once when SMTP is configured. */
  const send = (key: string, to: string, message: { subject: string; body: string }) =>
    sendEmail(db, mailer, { key, to, ...message }, log);

  /** Counts a sign-in attempt for this email; refuses past the limit whatever address it comes from. The count
   * lives in our own table: better-auth prunes its rate-limit table of rows older than its longest window, which
   * used to restart this count after a minute. */
  async function throttleEmail(email: string) {
    const key = email.trim().toLowerCase();
    const now = Date.now();
    const windowStart = now - SIGN_IN_PER_EMAIL.windowSeconds * 1000;
    const expired = sql`${signInAttemptsByEmail.windowStart} < ${windowStart}`;
    const row = one(
      await db
        .insert(signInAttemptsByEmail)
        .values({ email: key, count: 1, windowStart: now })
        .onConflictDoUpdate({
          target: signInAttemptsByEmail.email,
          set: {
            count: sql`case when ${expired} then 1 else ${signInAttemptsByEmail.count} + 1 end`,
            windowStart: sql`case when ${expired} then ${now} else ${signInAttemptsByEmail.windowStart} end`,
          },
        })
        .returning({ count: signInAttemptsByEmail.count }),
    );
    // A window opened: a good moment to forget the windows that have closed, so the table stays small.
    if (row.count === 1) await db.delete(signInAttemptsByEmail).where(expired);
    if (row.count > SIGN_IN_PER_EMAIL.max) {
      throw new APIError('TOO_MANY_REQUESTS', {
        message: 'Too many sign-in attempts for this email. Wait a few minutes and try again, or reset your password.',
      });
    }
  }

  /**
   * Password reset, in place of better-auth's own endpoint: that one does two writes for a known address
   * (token, email) and one read for an unknown one, so its answer time told which addresses have accounts.
   * Here both do the same steps (look up, store a token, queue one email) and get the same answer; an unknown
   * address gets an email saying there is no account, and its token belongs to no one.
   */
  async function requestPasswordReset(adapter: ResetAdapter, request: Request | undefined, rawEmail: string) {
    const email = rawEmail.trim().toLowerCase();
    const found = await adapter.findUserByEmail(email);
    const token = randomBytes(18).toString('base64url');
    await adapter.createVerificationValue({
      value: found?.user.id ?? randomUUID(),
      identifier: `reset-password:${token}`, // what better-auth's /reset-password looks up
      expiresAt: new Date(Date.now() + RESET_SECONDS * 1000),
    });
    if (found) {
      const url = `${originOf(request, origin)}/reset-password?token=${encodeURIComponent(token)}`;
      await send(
        `auth:reset:${found.user.id}:${randomUUID()}`,
        found.user.email,
        passwordResetEmail(url, RESET_SECONDS / 60),
      );
    } else {
      await send(`auth:reset-unknown:${randomUUID()}`, email, noAccountResetEmail(originOf(request, origin)));
    }
    return RESET_ANSWER;
  }

  return betterAuth({
    appName: 'Fettle',
    secret,
    baseURL: origin,
    basePath: AUTH_BASE_PATH,
    // The configured origin, else the origin the request was addressed to. The handler is reached only
    // through our own dispatcher (after SvelteKit's same-origin check), which addresses requests to the
    // origin the browser used; a request from any other origin is refused.
    trustedOrigins: (request) => [origin ?? (request ? new URL(request.url).origin : undefined)],
    telemetry: { enabled: false },
    database: drizzleAdapter(db, {
      provider: 'pg',
      schema: { users, authSessions, authAccounts, authVerifications, authRateLimits },
    }),
    user: {
      modelName: 'users',
      additionalFields: {
        // Public sign-up only ever creates contractors; staff come from invitations.
        role: { type: 'string', required: false, defaultValue: 'contractor', input: false },
        agencyId: { type: 'string', required: false, input: false },
      },
    },
    session: {
      modelName: 'authSessions',
      expiresIn: SESSION_SECONDS,
      updateAge: 24 * 3600,
      additionalFields: {
        activeAgencyId: { type: 'string', required: false, input: false },
        switchedOffAgencyId: { type: 'string', required: false, input: false },
      },
    },
    account: { modelName: 'authAccounts' },
    verification: { modelName: 'authVerifications' },
    emailAndPassword: {
      enabled: true,
      requireEmailVerification: true,
      minPasswordLength: MIN_PASSWORD,
      maxPasswordLength: MAX_PASSWORD,
      resetPasswordTokenExpiresIn: RESET_SECONDS,
      revokeSessionsOnPasswordReset: true,
      // Never called: requestPasswordReset (above) answers /request-password-reset; better-auth requires it be set.
      sendResetPassword() {
        return Promise.reject(new Error('password reset requests go through requestPasswordReset'));
      },
      async onExistingUserSignUp({ user }, request) {
        await send(
          `auth:exists:${user.id}:${randomUUID()}`,
          user.email,
          existingAccountEmail(originOf(request, origin), user.emailVerified),
        );
      },
    },
    emailVerification: {
      // Signing in unverified sends a fresh code (and is refused until verified).
      sendOnSignIn: true,
      sendOnSignUp: true,
      autoSignInAfterVerification: false,
      async afterEmailVerification(user) {
        await linkContractorRecords(db, user);
      },
    },
    rateLimit: {
      enabled: rateLimit,
      storage: 'database',
      modelName: 'authRateLimits',
      window: 60,
      max: 100,
      customRules: {
        '/sign-in/email': { window: 60, max: 10 },
        '/sign-up/email': { window: 60, max: 5 },
        '/email-otp/verify-email': { window: 60, max: 10 },
        '/email-otp/send-verification-otp': { window: 60, max: 3 },
        '/request-password-reset': { window: 60, max: 3 },
        '/reset-password': { window: 60, max: 10 },
      },
    },
    advanced: {
      cookiePrefix: 'fettle',
      // Cookie names stay stable; the Secure flag is applied per request from the request's scheme
      // when the cookies are copied onto the SvelteKit response (see cookies.ts).
      useSecureCookies: false,
      // Enforced everywhere, tests included (better-auth would skip it under NODE_ENV=test).
      disableOriginCheck: false,
      disableCSRFCheck: false,
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      database: { generateId: 'uuid' },
    },
    // Only what the pages use; everything else better-auth offers is switched off.
    disabledPaths: [
      '/sign-in/email-otp',
      '/email-otp/check-verification-otp',
      '/email-otp/request-password-reset',
      '/forget-password/email-otp',
      '/email-otp/reset-password',
      '/email-otp/request-email-change',
      '/email-otp/change-email',
      '/update-user',
      '/update-session',
      '/change-email',
      '/delete-user',
      '/link-social',
      '/sign-in/social',
      '/send-verification-email',
      '/verify-email',
    ],
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        // Every email typed on the auth pages meets the same rule as everywhere else (254 characters at most).
        const body: unknown = ctx.body;
        if (body && typeof body === 'object' && 'email' in body && !isEmailAddress(field(body, 'email'))) {
          throw new APIError('BAD_REQUEST', { code: 'INVALID_EMAIL', message: 'Invalid email' });
        }
        if (ctx.path === '/sign-up/email') {
          const body: unknown = ctx.body;
          const email = field(body, 'email').trim().toLowerCase();
          const eligibility = await signUpEligibility(db, email);
          // Only an address an agency holds, with its portal on, may create an account. Every other address gets
          // the answer an accepted one gets (so sign-up cannot tell who is an agency's contractor); the email to
          // that address says why no code came, and the verify page says what to check.
          if (eligibility !== 'ok') {
            const password = field(body, 'password');
            const refused = signUpInputError(password);
            if (refused) throw new APIError('BAD_REQUEST', refused);
            await ctx.context.password.hash(password); // the work an accepted sign-up does
            await send(
              `auth:sign-up-refused:${randomUUID()}`,
              email,
              signUpRefusedEmail(originOf(ctx.request, origin), eligibility),
            );
            const now = new Date();
            return ctx.json({
              token: null,
              user: {
                id: randomUUID(),
                name: field(body, 'name'),
                email,
                emailVerified: false,
                image: null,
                createdAt: now,
                updatedAt: now,
                role: 'contractor',
                agencyId: null,
              },
            });
          }
        }
        if (ctx.path === '/request-password-reset') {
          return ctx.json(
            await requestPasswordReset(ctx.context.internalAdapter, ctx.request, field(ctx.body, 'email')),
          );
        }
        if (ctx.path === '/sign-in/email' && rateLimit) await throttleEmail(field(ctx.body, 'email'));
      }),
    },
    plugins: [
      emailOTP({
        otpLength: 6,
        expiresIn: OTP_SECONDS,
        allowedAttempts: OTP_TRIES,
        storeOTP: 'hashed',
        overrideDefaultEmailVerification: true,
        disableSignUp: true,
        async sendVerificationOTP({ email, otp, type }) {
          if (type !== 'email-verification') return;
          await send(`auth:otp:${email}:${randomUUID()}`, email, verificationCodeEmail(otp, OTP_SECONDS / 60));
        },
      }),
    ],
    logger: { level: 'error', log: (level, message) => (level === 'error' ? log(`[auth] ${message}`) : undefined) },
    // Refusals (4xx) are answers to the user, not faults; only server errors are logged.
    onAPIError: {
      onError(error) {
        const status = (error as { statusCode?: number }).statusCode ?? 500;
        if (status >= 500) log(`[auth] ${(error as Error).message}`);
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;
