// Helpers for identity tests: a better-auth instance over a test database, calls through its HTTP
// handler (as the pages make them), and the latest message sent to an address.
import { and, desc, eq, like } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { emails } from '#db/schema/index.ts';
import { createAuth } from '#lib/server/auth/auth.ts';
import { callAuth, type AuthCallContext } from '#lib/server/auth/dispatch.ts';

export const ORIGIN = 'http://localhost:5173';
export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123';

export function testAuth(db: Database, options: { rateLimit?: boolean } = {}) {
  const auth = createAuth({ db, secret: TEST_SECRET, rateLimit: options.rateLimit ?? false, log: () => {} });
  let ip = 0;
  /** A distinct client address per call unless one is given, so rate limits only bite where a test wants them. */
  const call = <T = unknown>(path: string, body?: Record<string, unknown>, ctx: Partial<AuthCallContext> = {}) =>
    callAuth<T>(
      auth,
      path,
      { origin: ORIGIN, clientIp: ctx.clientIp ?? `10.1.${Math.floor(++ip / 250)}.${ip % 250}`, cookie: ctx.cookie },
      { method: 'POST', body: body ?? {} },
    );
  return { auth, call };
}

/** The Cookie header a browser would send back after these Set-Cookie lines. */
export const cookieFrom = (setCookies: string[]) =>
  setCookies
    .map((line) => line.split(';', 1)[0] ?? '')
    .filter((pair) => !pair.endsWith('='))
    .join('; ');

export async function latestEmail(db: Database, to: string, subjectLike = '%') {
  const [row] = await db
    .select()
    .from(emails)
    .where(and(eq(emails.to, to), like(emails.subject, subjectLike)))
    .orderBy(desc(emails.id))
    .limit(1);
  return row ?? null;
}

export const codeIn = (body: string) => /\b(\d{6})\b/.exec(body)?.[1] ?? null;
export const linkIn = (body: string) => /(https?:\/\/\S+)/.exec(body)?.[1] ?? null;
