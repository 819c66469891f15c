// The identity service: better-auth over the project's Postgres (drizzle), using the app's `users`
// table as its user model. Email + password with email-OTP verification, password reset by link,
// database sessions, database-backed rate limits. No SvelteKit imports: tests build it directly.
import { randomUUID } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { emailOTP } from 'better-auth/plugins/email-otp';
import { sql } from 'drizzle-orm';
import type { Database } from '../../../../../db/client.ts';
import { authAccounts, authRateLimits, authSessions, authVerifications, signInAttemptsByEmail, users } from '../../../../../db/schema/index.ts';
import { sendEmail, type Mailer } from '../../../../../activities/mailer.ts';
import { linkContractorRecords, signUpEligibility } from './memberships.ts';
import { existingAccountEmail, passwordResetEmail, verificationCodeEmail } from './messages.ts';

/** Header carrying the client address into the auth handler; set only by our own dispatcher. */
export const CLIENT_IP_HEADER = 'x-fixflow-client-ip';
export const AUTH_BASE_PATH = '/api/auth';

export const OTP_SECONDS = 10 * 60;
export const RESET_SECONDS = 30 * 60;
export const SESSION_SECONDS = 7 * 24 * 3600;
/** Sign-in attempts allowed per email address per window, from any number of addresses. */
export const SIGN_IN_PER_EMAIL = { max: 10, windowSeconds: 15 * 60 };

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
const originOf = (request: Request | undefined, configured?: string) => configured ?? (request ? new URL(request.url).origin : '');

export function createAuth(deps: AuthDeps) {
  const { db, secret, origin, mailer = null, rateLimit = true, log = console.error } = deps;

  /** Stores the message (the dev mailbox), then sends it at once when SMTP is configured. */
  const send = (key: string, to: string, message: { subject: string; body: string }) => sendEmail(db, mailer, { key, to, ...message }, log);

  /** Counts a sign-in attempt for this email; refuses past the limit whatever address it comes from. The count
   * lives in our own table: better-auth prunes its rate-limit table of rows older than its longest window, which
   * used to restart this count after a minute. */
  async function throttleEmail(email: string) {
    const key = email.trim().toLowerCase();
    const now = Date.now();
    const windowStart = now - SIGN_IN_PER_EMAIL.windowSeconds * 1000;
    const expired = sql`${signInAttemptsByEmail.windowStart} < ${windowStart}`;
    const [row] = await db
      .insert(signInAttemptsByEmail)
      .values({ email: key, count: 1, windowStart: now })
      .onConflictDoUpdate({
        target: signInAttemptsByEmail.email,
        set: {
          count: sql`case when ${expired} then 1 else ${signInAttemptsByEmail.count} + 1 end`,
          windowStart: sql`case when ${expired} then ${now} else ${signInAttemptsByEmail.windowStart} end`,
        },
      })
      .returning({ count: signInAttemptsByEmail.count });
    // A window opened: a good moment to forget the windows that have closed, so the table stays small.
    if (row.count === 1) await db.delete(signInAttemptsByEmail).where(expired);
    if (row.count > SIGN_IN_PER_EMAIL.max) {
      throw new APIError('TOO_MANY_REQUESTS', { message: 'Too many sign-in attempts for this email. Wait a few minutes and try again, or reset your password.' });
    }
  }

  return betterAuth({
    appName: 'FixFlow',
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
      },
    },
    account: { modelName: 'authAccounts' },
    verification: { modelName: 'authVerifications' },
    emailAndPassword: {
      enabled: true,
      requireEmailVerification: true,
      minPasswordLength: 10,
      maxPasswordLength: 128,
      resetPasswordTokenExpiresIn: RESET_SECONDS,
      revokeSessionsOnPasswordReset: true,
      async sendResetPassword({ user, token }, request) {
        const url = `${originOf(request, origin)}/reset-password?token=${encodeURIComponent(token)}`;
        await send(`auth:reset:${user.id}:${randomUUID()}`, user.email, passwordResetEmail(url, RESET_SECONDS / 60));
      },
      async onExistingUserSignUp({ user }, request) {
        await send(`auth:exists:${user.id}:${randomUUID()}`, user.email, existingAccountEmail(originOf(request, origin), user.emailVerified));
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
      cookiePrefix: 'fixflow',
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
        if (ctx.path === '/sign-up/email') {
          const email = String(ctx.body?.email ?? '').trim();
          const eligibility = await signUpEligibility(db, email);
          if (eligibility === 'unknown') {
            throw new APIError('FORBIDDEN', {
              code: 'EMAIL_NOT_HELD',
              message:
                'No agency has a contractor record with this email. Use the exact email address your agency has on file for you, or ask the agency to add or correct it.',
            });
          }
          if (eligibility === 'portal-off') {
            throw new APIError('FORBIDDEN', {
              code: 'PORTAL_DISABLED',
              message: 'Your agency has not turned on the contractor portal. Contact the agency to get access.',
            });
          }
        }
        if (ctx.path === '/sign-in/email' && rateLimit) await throttleEmail(String(ctx.body?.email ?? ''));
      }),
    },
    plugins: [
      emailOTP({
        otpLength: 6,
        expiresIn: OTP_SECONDS,
        allowedAttempts: 5,
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
