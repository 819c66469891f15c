// Identity end to end at the API level, against a real database: contractor sign-up with the code read
// from the stored message, codes (expired, reused, wrong, too many tries), sessions and the agency
// choice, password reset, sign-out everywhere, staff invitations, rate limits and origin checks.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  agencies,
  authSessions,
  authVerifications,
  contractors,
  emails,
  staffInvitations,
  users,
} from '#db/schema/index.ts';
import { seedDemoLogins } from '#worker/seed/logins.ts';
import {
  acceptInvitation,
  findInvitation,
  InvitationError,
  inviteStaff,
  listTeam,
} from '#lib/server/auth/invitations.ts';
import { contractorMemberships, portalOffMessage, setActiveAgency } from '#lib/server/auth/memberships.ts';
import { resolveSession } from '#lib/server/auth/resolve.ts';
import { deliverPendingEmails, type Mailer } from '#activities/mailer.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency } from '../support/fixtures.ts';
import { codeIn, cookieFrom, latestEmail, linkIn, ORIGIN, testAuth } from '../support/auth.ts';

let t: TestDatabase;
let a: Awaited<ReturnType<typeof createAgency>>;
let b: Awaited<ReturnType<typeof createAgency>>;
let ident: ReturnType<typeof testAuth>;
const PASSWORD = 'correct-horse-battery';

beforeAll(async () => {
  t = await createTestDatabase();
  a = await createAgency(t.db, 'Agency A');
  b = await createAgency(t.db, 'Agency B');
  ident = testAuth(t.db);
});
afterAll(() => t?.close());

const headersWith = (cookie: string) => new Headers({ cookie, origin: ORIGIN });
const whoIs = (cookie: string) => resolveSession(ident.auth, t.db, headersWith(cookie));

async function addContractor(agencyId: string, email: string, name = 'Casey Contractor') {
  const [row] = await t.db
    .insert(contractors)
    .values({ agencyId, name, email, trades: ['general'], coverage: ['SW1A'] })
    .returning();
  return row;
}

/** Create Account → code from the stored email → verify → sign in. Returns the session cookie. */
async function signUpAndIn(email: string) {
  const up = await ident.call('/sign-up/email', { email, password: PASSWORD, name: 'Casey' });
  expect(up.ok, up.message ?? '').toBe(true);
  const code = codeIn((await latestEmail(t.db, email, '%verification code%'))!.body)!;
  const verified = await ident.call('/email-otp/verify-email', { email, otp: code });
  expect(verified.ok, verified.message ?? '').toBe(true);
  const signedIn = await ident.call('/sign-in/email', { email, password: PASSWORD });
  expect(signedIn.ok, signedIn.message ?? '').toBe(true);
  return cookieFrom(signedIn.setCookies);
}

describe('contractor Create Account', () => {
  it('signs up with the email the agency holds, verifies with the emailed code, then signs in scoped to that agency', async () => {
    const email = 'new.contractor@example.test';
    const record = await addContractor(a.agency.id, email, 'Nadia New');

    const up = await ident.call<{ user: { id: string; emailVerified: boolean; role: string } }>('/sign-up/email', {
      email,
      password: PASSWORD,
      name: 'Nadia New',
    });
    expect(up.ok).toBe(true);
    expect(up.data!.user).toMatchObject({ emailVerified: false, role: 'contractor' });
    expect(up.setCookies.filter((c) => !c.includes('Max-Age=0'))).toEqual([]); // no session before verification

    const message = await latestEmail(t.db, email);
    expect(message?.subject).toMatch(/verification code/);
    const code = codeIn(message!.body);
    expect(code).toMatch(/^\d{6}$/);

    const early = await ident.call('/sign-in/email', { email, password: PASSWORD });
    expect(early.status).toBe(403);
    expect(early.code).toBe('EMAIL_NOT_VERIFIED');
    // Signing in unverified sends a fresh code; only the latest one works.
    const fresh = codeIn((await latestEmail(t.db, email))!.body)!;

    const verified = await ident.call('/email-otp/verify-email', { email, otp: fresh });
    expect(verified.ok, verified.message ?? '').toBe(true);
    const [row] = await t.db.select().from(users).where(eq(users.email, email));
    expect(row).toMatchObject({ emailVerified: true, role: 'contractor', agencyId: null });
    // Verification links the agency's contractor record to the login.
    const [linked] = await t.db.select().from(contractors).where(eq(contractors.id, record!.id));
    expect(linked!.userId).toBe(row!.id);

    const wrongPassword = await ident.call('/sign-in/email', { email, password: 'not-the-password' });
    expect(wrongPassword.code).toBe('INVALID_EMAIL_OR_PASSWORD');

    const signedIn = await ident.call('/sign-in/email', { email, password: PASSWORD });
    expect(signedIn.ok).toBe(true);
    const session = signedIn.setCookies.find((c) => c.startsWith('fettle.session_token='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);

    const who = await whoIs(cookieFrom(signedIn.setCookies));
    expect(who.user).toEqual({
      kind: 'contractor',
      userId: row!.id,
      name: 'Nadia New',
      email,
      agencyId: a.agency.id,
      contractorId: record!.id,
    });
  });

  it('answers an unknown email, a held one and one whose agency portal is off alike; the email says why', async () => {
    const [closed] = await t.db
      .insert(agencies)
      .values({ name: 'Closed Lettings', slug: `closed-${Date.now()}`, portalEnabled: false })
      .returning();
    await addContractor(closed!.id, 'closed.portal@example.test');
    await addContractor(a.agency.id, 'held.alike@example.test');
    const answers = [];
    for (const email of ['stranger@example.test', 'held.alike@example.test', 'closed.portal@example.test']) {
      const r = await ident.call<{ token: null; user: Record<string, unknown> }>('/sign-up/email', {
        email,
        password: PASSWORD,
        name: 'X',
      });
      const { id, createdAt, updatedAt, ...user } = r.data!.user;
      expect([typeof id, typeof createdAt, typeof updatedAt]).toEqual(['string', 'string', 'string']);
      answers.push({
        status: r.status,
        code: r.code,
        message: r.message,
        token: r.data!.token,
        cookies: r.setCookies,
        user: { ...user, email: '' },
      });
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[2]).toEqual(answers[1]);
    expect(await t.db.select().from(users).where(eq(users.email, 'stranger@example.test'))).toEqual([]);
    expect(await t.db.select().from(users).where(eq(users.email, 'closed.portal@example.test'))).toEqual([]);
    expect((await latestEmail(t.db, 'stranger@example.test'))!.body).toMatch(
      /no agency has a contractor record with it[\s\S]*exact email address your agency has on file/,
    );
    expect((await latestEmail(t.db, 'closed.portal@example.test'))!.body).toMatch(
      /not turned on the contractor portal/,
    );
    expect((await latestEmail(t.db, 'held.alike@example.test'))!.subject).toMatch(/verification code/);
  });

  it('refuses a bad password alike for addresses it will not accept', async () => {
    expect(
      (await ident.call('/sign-up/email', { email: 'stranger2@example.test', password: 'short', name: 'X' })).code,
    ).toBe('PASSWORD_TOO_SHORT');
    expect((await ident.call('/sign-up/email', { email: 'not-an-email', password: PASSWORD, name: 'X' })).code).toBe(
      'INVALID_EMAIL',
    );
  });

  it('matches the held email case-insensitively', async () => {
    await addContractor(a.agency.id, 'Mixed.Case@Example.test');
    const r = await ident.call('/sign-up/email', { email: 'mixed.case@example.test', password: PASSWORD, name: 'X' });
    expect(r.ok).toBe(true);
    expect(await t.db.select().from(users).where(eq(users.email, 'mixed.case@example.test'))).toHaveLength(1);
  });

  it('rejects short passwords', async () => {
    await addContractor(a.agency.id, 'short.pw@example.test');
    const r = await ident.call('/sign-up/email', { email: 'short.pw@example.test', password: 'short', name: 'X' });
    expect(r.code).toBe('PASSWORD_TOO_SHORT');
  });

  it('a second sign-up for an existing account reveals nothing but emails the owner', async () => {
    const email = 'twice@example.test';
    await addContractor(a.agency.id, email);
    await signUpAndIn(email);
    const again = await ident.call('/sign-up/email', { email, password: 'another-password-1', name: 'X' });
    expect(again.ok).toBe(true); // same answer as a new sign-up
    expect((await latestEmail(t.db, email))!.subject).toMatch(/already have/);
    // The old password still works; the attempt changed nothing.
    expect((await ident.call('/sign-in/email', { email, password: PASSWORD })).ok).toBe(true);
  });
});

describe('verification codes', () => {
  async function pending(email: string) {
    await addContractor(a.agency.id, email);
    expect((await ident.call('/sign-up/email', { email, password: PASSWORD, name: 'X' })).ok).toBe(true);
    return codeIn((await latestEmail(t.db, email))!.body)!;
  }
  const isVerified = async (email: string) =>
    (await t.db.select().from(users).where(eq(users.email, email)))[0]!.emailVerified;

  it('rejects a wrong code, then accepts the right one', async () => {
    const email = 'wrong.code@example.test';
    const code = await pending(email);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const r = await ident.call('/email-otp/verify-email', { email, otp: wrong });
    expect(r.code).toBe('INVALID_OTP');
    expect(await isVerified(email)).toBe(false);
    expect((await ident.call('/email-otp/verify-email', { email, otp: code })).ok).toBe(true);
  });

  it('is single-use: the same code cannot be used twice', async () => {
    const email = 'reuse.code@example.test';
    const code = await pending(email);
    expect((await ident.call('/email-otp/verify-email', { email, otp: code })).ok).toBe(true);
    const again = await ident.call('/email-otp/verify-email', { email, otp: code });
    expect(again.ok).toBe(false);
    expect(again.code).toBe('INVALID_OTP');
  });

  it('expires', async () => {
    const email = 'expired.code@example.test';
    const code = await pending(email);
    await t.db
      .update(authVerifications)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(sql`${authVerifications.identifier} like ${'%' + email}`);
    const r = await ident.call('/email-otp/verify-email', { email, otp: code });
    expect(r.code).toBe('OTP_EXPIRED');
    expect(await isVerified(email)).toBe(false);
  });

  it('dies after too many wrong tries, even for the right code', async () => {
    const email = 'guessing@example.test';
    const code = await pending(email);
    const wrong = String((Number(code) + 7) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 5; i++)
      expect((await ident.call('/email-otp/verify-email', { email, otp: wrong })).code).toBe('INVALID_OTP');
    const r = await ident.call('/email-otp/verify-email', { email, otp: code });
    expect(r.code).toBe('TOO_MANY_ATTEMPTS');
    expect((await ident.call('/email-otp/verify-email', { email, otp: code })).code).toBe('INVALID_OTP');
    expect(await isVerified(email)).toBe(false);
  });

  it('a new code replaces the old one', async () => {
    const email = 'resend@example.test';
    const first = await pending(email);
    expect((await ident.call('/email-otp/send-verification-otp', { email, type: 'email-verification' })).ok).toBe(true);
    const second = codeIn((await latestEmail(t.db, email))!.body)!;
    if (first !== second)
      expect((await ident.call('/email-otp/verify-email', { email, otp: first })).code).toBe('INVALID_OTP');
    expect((await ident.call('/email-otp/verify-email', { email, otp: second })).ok).toBe(true);
  });

  it('codes are stored hashed, not as typed', async () => {
    const email = 'hashed@example.test';
    const code = await pending(email);
    const rows = await t.db
      .select()
      .from(authVerifications)
      .where(sql`${authVerifications.identifier} like ${'%' + email}`);
    expect(rows.length).toBe(1);
    expect(rows[0]!.value).not.toContain(code);
  });

  it('email-OTP sign-in (which would create accounts) is switched off', async () => {
    const r = await ident.call('/sign-in/email-otp', { email: 'anyone@example.test', otp: '123456' });
    expect(r.status).toBe(404);
  });
});

describe('several agencies: the Accounts choice', () => {
  it('has no agency until one is picked; the pick scopes the session; switching is one call', async () => {
    const email = 'two.agencies@example.test';
    const atA = await addContractor(a.agency.id, email);
    const atB = await addContractor(b.agency.id, email);
    const cookie = await signUpAndIn(email);

    const before = await whoIs(cookie);
    expect(before.user).toMatchObject({ kind: 'contractor', agencyId: null, contractorId: null });
    const user = { id: before.user!.userId, email };
    expect((await contractorMemberships(t.db, user)).map((m) => m.agencyId).sort()).toEqual(
      [a.agency.id, b.agency.id].sort(),
    );

    await setActiveAgency(t.db, { sessionId: before.sessionId!, user, agencyId: b.agency.id });
    expect((await whoIs(cookie)).user).toMatchObject({ agencyId: b.agency.id, contractorId: atB!.id });
    await setActiveAgency(t.db, { sessionId: before.sessionId!, user, agencyId: a.agency.id });
    expect((await whoIs(cookie)).user).toMatchObject({ agencyId: a.agency.id, contractorId: atA!.id });

    // Not an agency of theirs: refused, and the session keeps its choice.
    const other = await createAgency(t.db, 'Agency C');
    await expect(
      setActiveAgency(t.db, { sessionId: before.sessionId!, user, agencyId: other.agency.id }),
    ).rejects.toThrow(/portal access/);
    expect((await whoIs(cookie)).user).toMatchObject({ agencyId: a.agency.id });

    // A session can only be changed by its own user.
    await expect(
      setActiveAgency(t.db, { sessionId: before.sessionId!, user: { id: a.staff.id, email }, agencyId: a.agency.id }),
    ).rejects.toThrow();

    // The agency turns its portal off: access to it ends at once (the only other agency is used), and the
    // portal says why the view changed, naming the agency.
    expect((await whoIs(cookie)).user).not.toHaveProperty('portalOff');
    await t.db.update(agencies).set({ portalEnabled: false }).where(eq(agencies.id, a.agency.id));
    expect((await whoIs(cookie)).user).toMatchObject({
      agencyId: b.agency.id,
      contractorId: atB!.id,
      portalOff: [a.agency.name],
    });
    expect(portalOffMessage([a.agency.name])).toBe(
      `${a.agency.name} has turned its contractor portal off, so its jobs, invoices and statements no longer show here. For anything about work for them, contact ${a.agency.name} directly.`,
    );
    // With both off, nothing admits them: both are named, and they land on the Accounts page (no agency).
    await t.db.update(agencies).set({ portalEnabled: false }).where(eq(agencies.id, b.agency.id));
    expect((await whoIs(cookie)).user).toMatchObject({
      agencyId: null,
      portalOff: [a.agency.name, b.agency.name].sort(),
    });
    expect(portalOffMessage(['Acme', 'Beta'])).toMatch(
      /^Acme and Beta have turned their contractor portals off, so their jobs, .* contact each agency directly\.$/,
    );
    await t.db.update(agencies).set({ portalEnabled: true }).where(eq(agencies.id, b.agency.id));
    await expect(
      setActiveAgency(t.db, { sessionId: before.sessionId!, user, agencyId: a.agency.id }),
    ).rejects.toThrow();
    await t.db.update(agencies).set({ portalEnabled: true }).where(eq(agencies.id, a.agency.id));

    // A deactivated contractor record no longer admits them.
    await t.db.update(contractors).set({ active: false }).where(eq(contractors.id, atB!.id));
    await setActiveAgency(t.db, { sessionId: before.sessionId!, user, agencyId: a.agency.id });
    await expect(
      setActiveAgency(t.db, { sessionId: before.sessionId!, user, agencyId: b.agency.id }),
    ).rejects.toThrow();
  });

  it('a record linked to another login is not claimed by email', async () => {
    const email = 'claimed@example.test';
    const rec = await addContractor(a.agency.id, email);
    const cookie = await signUpAndIn(email);
    expect((await whoIs(cookie)).user).toMatchObject({ contractorId: rec!.id });
    // The agency re-points the record's email elsewhere; the link (not the email) decides.
    await t.db.update(contractors).set({ email: 'someone.else@example.test' }).where(eq(contractors.id, rec!.id));
    expect((await whoIs(cookie)).user).toMatchObject({ contractorId: rec!.id });
  });
});

describe('several agencies: the agency worked for stays selected', () => {
  const portal = (agencyId: string, portalEnabled: boolean) =>
    t.db.update(agencies).set({ portalEnabled }).where(eq(agencies.id, agencyId));
  const stored = async (sessionId: string) =>
    (
      await t.db
        .select({ active: authSessions.activeAgencyId, switchedOff: authSessions.switchedOffAgencyId })
        .from(authSessions)
        .where(eq(authSessions.id, sessionId))
    )[0];

  it('another agency turning its portal back on leaves the contractor where they are, without asking', async () => {
    const x = await createAgency(t.db, 'Agency X');
    const y = await createAgency(t.db, 'Agency Y');
    const email = 'stays.put@example.test';
    const atX = await addContractor(x.agency.id, email);
    await addContractor(y.agency.id, email);
    await portal(y.agency.id, false);
    const cookie = await signUpAndIn(email);

    // Only X admits them: they work for X without choosing, and the session keeps it.
    const first = await whoIs(cookie);
    expect(first.user).toMatchObject({ agencyId: x.agency.id, contractorId: atX!.id });
    expect(await stored(first.sessionId!)).toEqual({ active: x.agency.id, switchedOff: null });

    // Y turns its portal back on: two agencies admit them now, and they are still at X (no Accounts page).
    await portal(y.agency.id, true);
    const after = await whoIs(cookie);
    expect(after.user).toMatchObject({ agencyId: x.agency.id, contractorId: atX!.id });
    expect(after.user).not.toHaveProperty('portalOff');
    expect((await whoIs(cookie)).user).toMatchObject({ agencyId: x.agency.id });
  });

  it('a picked agency stays picked when the other re-enables; losing it moves them, and its return does not move them back', async () => {
    const x = await createAgency(t.db, 'Agency P');
    const y = await createAgency(t.db, 'Agency Q');
    const email = 'moved.once@example.test';
    const atX = await addContractor(x.agency.id, email);
    const atY = await addContractor(y.agency.id, email);
    const cookie = await signUpAndIn(email);
    const { sessionId, user } = await whoIs(cookie);
    expect(user).toMatchObject({ agencyId: null }); // two agencies, none picked: the Accounts page
    const login = { id: user!.userId, email };

    // A (P) active, B (Q) off and on again: still A.
    await setActiveAgency(t.db, { sessionId: sessionId!, user: login, agencyId: x.agency.id });
    await portal(y.agency.id, false);
    expect((await whoIs(cookie)).user).toMatchObject({ agencyId: x.agency.id });
    await portal(y.agency.id, true);
    expect((await whoIs(cookie)).user).toMatchObject({ agencyId: x.agency.id, contractorId: atX!.id });

    // A disabled with B usable: B, and every page names A as why, while A stays off.
    await portal(x.agency.id, false);
    for (let i = 0; i < 2; i++)
      expect((await whoIs(cookie)).user).toMatchObject({
        agencyId: y.agency.id,
        contractorId: atY!.id,
        portalOff: [x.agency.name],
      });
    expect(await stored(sessionId!)).toEqual({ active: y.agency.id, switchedOff: x.agency.id });

    // A turns its portal back on: they are working for B now, and stay there; the notice goes.
    await portal(x.agency.id, true);
    const back = await whoIs(cookie);
    expect(back.user).toMatchObject({ agencyId: y.agency.id, contractorId: atY!.id });
    expect(back.user).not.toHaveProperty('portalOff');
    expect(await stored(sessionId!)).toEqual({ active: y.agency.id, switchedOff: null });

    // None usable: no agency, and both are named.
    await portal(x.agency.id, false);
    await portal(y.agency.id, false);
    expect((await whoIs(cookie)).user).toMatchObject({
      agencyId: null,
      contractorId: null,
      portalOff: [x.agency.name, y.agency.name].sort(),
    });
    // The one worked for comes back first: they are there again, with nothing to choose.
    await portal(y.agency.id, true);
    expect((await whoIs(cookie)).user).toMatchObject({ agencyId: y.agency.id });
    await portal(x.agency.id, true);
    expect((await whoIs(cookie)).user).toMatchObject({ agencyId: y.agency.id });
  });

  it('losing the agency worked for with two others open asks them to choose, naming it; choosing clears the notice', async () => {
    const [x, y, z] = await Promise.all(['Agency R', 'Agency S', 'Agency T'].map((n) => createAgency(t.db, n)));
    const email = 'three.agencies@example.test';
    for (const ag of [x!, y!, z!]) await addContractor(ag.agency.id, email);
    const cookie = await signUpAndIn(email);
    const { sessionId, user } = await whoIs(cookie);
    const login = { id: user!.userId, email };
    await setActiveAgency(t.db, { sessionId: sessionId!, user: login, agencyId: x!.agency.id });

    await portal(x!.agency.id, false);
    expect((await whoIs(cookie)).user).toMatchObject({ agencyId: null, portalOff: [x!.agency.name] });
    await setActiveAgency(t.db, { sessionId: sessionId!, user: login, agencyId: z!.agency.id });
    const chosen = await whoIs(cookie);
    expect(chosen.user).toMatchObject({ agencyId: z!.agency.id });
    expect(chosen.user).not.toHaveProperty('portalOff');
    await portal(x!.agency.id, true);
    expect((await whoIs(cookie)).user).toMatchObject({ agencyId: z!.agency.id });
  });
});

describe('sessions', () => {
  it('expire', async () => {
    const email = 'expiring@example.test';
    await addContractor(a.agency.id, email);
    const cookie = await signUpAndIn(email);
    const { sessionId } = await whoIs(cookie);
    await t.db
      .update(authSessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(authSessions.id, sessionId!));
    expect((await whoIs(cookie)).user).toBeNull();
  });

  it('sign-out everywhere ends every session of the user', async () => {
    const email = 'many.devices@example.test';
    await addContractor(a.agency.id, email);
    const phone = await signUpAndIn(email);
    const laptop = cookieFrom((await ident.call('/sign-in/email', { email, password: PASSWORD })).setCookies);
    expect((await whoIs(phone)).user).not.toBeNull();
    expect((await whoIs(laptop)).user).not.toBeNull();
    expect((await ident.call('/revoke-sessions', {}, { cookie: laptop })).ok).toBe(true);
    expect((await whoIs(phone)).user).toBeNull();
    expect((await whoIs(laptop)).user).toBeNull();
  });

  it('a forged or unknown cookie is nobody', async () => {
    expect((await whoIs('fettle.session_token=forged.value')).user).toBeNull();
  });
});

describe('password reset by email', () => {
  it('emails a single-use link; the new password works, the old does not, and other sessions end', async () => {
    const email = 'forgetful@example.test';
    await addContractor(a.agency.id, email);
    const oldSession = await signUpAndIn(email);

    expect((await ident.call('/request-password-reset', { email })).ok).toBe(true);
    const message = await latestEmail(t.db, email, '%Reset%');
    const link = new URL(linkIn(message!.body)!);
    expect(link.origin).toBe(ORIGIN);
    expect(link.pathname).toBe('/reset-password');
    const token = link.searchParams.get('token')!;

    const reset = await ident.call('/reset-password', { token, newPassword: 'brand-new-password' });
    expect(reset.ok, reset.message ?? '').toBe(true);
    expect((await whoIs(oldSession)).user).toBeNull();
    expect((await ident.call('/sign-in/email', { email, password: PASSWORD })).code).toBe('INVALID_EMAIL_OR_PASSWORD');
    expect((await ident.call('/sign-in/email', { email, password: 'brand-new-password' })).ok).toBe(true);

    const reused = await ident.call('/reset-password', { token, newPassword: 'third-password-xyz' });
    expect(reused.code).toBe('INVALID_TOKEN');
  });

  it('does the same work and gives the same answer for known and unknown addresses', async () => {
    await addContractor(a.agency.id, 'known.reset@example.test');
    await signUpAndIn('known.reset@example.test');
    const count = async () => ({
      tokens: (
        await t.db
          .select({ n: sql<number>`count(*)::int` })
          .from(authVerifications)
          .where(sql`${authVerifications.identifier} like 'reset-password:%'`)
      )[0]!.n,
      emails: (await t.db.select({ n: sql<number>`count(*)::int` }).from(emails))[0]!.n,
    });
    const work = [];
    const answers = [];
    for (const email of ['known.reset@example.test', 'nobody.here@example.test']) {
      const before = await count();
      const r = await ident.call('/request-password-reset', { email });
      const after = await count();
      work.push({ tokens: after.tokens - before.tokens, emails: after.emails - before.emails });
      answers.push({ status: r.status, data: r.data, cookies: r.setCookies });
    }
    expect(work).toEqual([
      { tokens: 1, emails: 1 },
      { tokens: 1, emails: 1 },
    ]);
    expect(answers[1]).toEqual(answers[0]);
    // The unknown address is told so by email; its token opens nothing.
    expect((await latestEmail(t.db, 'nobody.here@example.test'))!.body).toMatch(/there is no account with it/);
    expect(linkIn((await latestEmail(t.db, 'nobody.here@example.test'))!.body)).not.toMatch(/token=/);
  });
});

describe('staff invitations', () => {
  const admin = () => ({ userId: a.staff.id, name: 'Sam Staff' });

  it('invite → emailed link → choose password → signed in as staff of that agency; the link works once', async () => {
    const { token } = await inviteStaff(t.db, null, {
      agencyId: a.agency.id,
      invitedBy: admin(),
      email: 'New.Hire@Example.test',
      name: 'Nia Hire',
      role: 'staff',
      origin: ORIGIN,
    });
    const message = await latestEmail(t.db, 'new.hire@example.test');
    expect(message!.subject).toMatch(/invited to Agency A/);
    expect(linkIn(message!.body)).toBe(`${ORIGIN}/accept-invite?token=${token}`);
    expect(await findInvitation(t.db, token)).toMatchObject({
      email: 'new.hire@example.test',
      role: 'staff',
      agencyName: 'Agency A',
    });
    // Only the hash is stored.
    const [stored] = await t.db
      .select()
      .from(staffInvitations)
      .where(eq(staffInvitations.email, 'new.hire@example.test'));
    expect(stored!.tokenHash).not.toBe(token);

    await expect(acceptInvitation(t.db, { token, password: 'short' })).rejects.toThrow(InvitationError);
    const { email } = await acceptInvitation(t.db, { token, password: PASSWORD, name: 'Nia H.' });
    const signedIn = await ident.call('/sign-in/email', { email, password: PASSWORD });
    expect(signedIn.ok).toBe(true);
    expect((await whoIs(cookieFrom(signedIn.setCookies))).user).toMatchObject({
      kind: 'staff',
      role: 'staff',
      agencyId: a.agency.id,
      name: 'Nia H.',
    });

    await expect(acceptInvitation(t.db, { token, password: PASSWORD })).rejects.toThrow(/no longer valid/);
    expect(await findInvitation(t.db, token)).toBeNull();
    expect((await listTeam(t.db, a.agency.id)).members.map((m) => m.email)).toContain('new.hire@example.test');
    expect((await listTeam(t.db, b.agency.id)).members.map((m) => m.email)).not.toContain('new.hire@example.test');
  });

  it('expired and replaced invitations cannot be accepted', async () => {
    const first = await inviteStaff(t.db, null, {
      agencyId: a.agency.id,
      invitedBy: admin(),
      email: 'late@example.test',
      name: 'Late',
      role: 'admin',
      origin: ORIGIN,
    });
    const second = await inviteStaff(t.db, null, {
      agencyId: a.agency.id,
      invitedBy: admin(),
      email: 'late@example.test',
      name: 'Late',
      role: 'admin',
      origin: ORIGIN,
    });
    await expect(acceptInvitation(t.db, { token: first.token, password: PASSWORD })).rejects.toThrow(/no longer valid/);
    await t.db
      .update(staffInvitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(staffInvitations.id, second.id));
    await expect(acceptInvitation(t.db, { token: second.token, password: PASSWORD })).rejects.toThrow(
      /no longer valid/,
    );
  });

  it('refuses emails longer than 254 characters: invitations, sign-up, sign-in, codes and reset', async () => {
    const long = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.example`;
    await addContractor(a.agency.id, long); // a record from before the rule: sign-up still refuses the address
    await expect(
      inviteStaff(t.db, null, {
        agencyId: a.agency.id,
        invitedBy: admin(),
        email: long,
        name: 'Long',
        role: 'staff',
        origin: ORIGIN,
      }),
    ).rejects.toThrow(/254 characters/);
    for (const [path, body] of [
      ['/sign-up/email', { email: long, password: PASSWORD, name: 'X' }],
      ['/sign-in/email', { email: long, password: PASSWORD }],
      ['/email-otp/send-verification-otp', { email: long, type: 'email-verification' }],
      ['/email-otp/verify-email', { email: long, otp: '123456' }],
      ['/request-password-reset', { email: long }],
    ] as const) {
      expect((await ident.call(path, body)).code, path).toBe('INVALID_EMAIL');
    }
    expect(await latestEmail(t.db, long)).toBeNull();
    expect(await t.db.select().from(users).where(eq(users.email, long))).toEqual([]);
  });

  it('refuses to invite an email that already has an account', async () => {
    await expect(
      inviteStaff(t.db, null, {
        agencyId: a.agency.id,
        invitedBy: admin(),
        email: a.staff.email,
        name: 'Dup',
        role: 'staff',
        origin: ORIGIN,
      }),
    ).rejects.toThrow(/already has an account/);
  });
});

describe('hardening', () => {
  it('rate-limits sign-in attempts from one address', async () => {
    const limited = testAuth(t.db, { rateLimit: true });
    const results: number[] = [];
    for (let i = 0; i < 12; i++)
      results.push(
        (
          await limited.call(
            '/sign-in/email',
            { email: `probe${i}@example.test`, password: 'whatever-123' },
            { clientIp: '192.0.2.7' },
          )
        ).status,
      );
    expect(results.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(results.slice(10)).toEqual([429, 429]);
    // Another address is not affected.
    expect(
      (
        await limited.call(
          '/sign-in/email',
          { email: 'probe@example.test', password: 'whatever-123' },
          { clientIp: '192.0.2.8' },
        )
      ).status,
    ).toBe(401);
  });

  it('rate-limits sign-in attempts against one email from many addresses', async () => {
    const limited = testAuth(t.db, { rateLimit: true });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push(
        (
          await limited.call(
            '/sign-in/email',
            { email: 'target@example.test', password: `guess-${i}-xxxx` },
            { clientIp: `198.51.100.${i}` },
          )
        ).status,
      );
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('keeps the per-email sign-in window for 15 minutes, whatever better-auth prunes from its own table', async () => {
    const limited = testAuth(t.db, { rateLimit: true });
    const email = 'slow.target@example.test';
    const attempt = (ip: string) =>
      limited.call('/sign-in/email', { email, password: 'guess-xxxx-1' }, { clientIp: ip });
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      for (let i = 0; i < 10; i++) expect((await attempt(`198.51.101.${i}`)).status).toBe(401);
      // Two minutes on, an address whose own 60-second window has passed makes better-auth reset it, which
      // prunes every row of its table older than its longest window (the per-email count used to live there).
      vi.setSystemTime(Date.now() + 2 * 60_000);
      expect(
        (
          await limited.call(
            '/sign-in/email',
            { email: 'other@example.test', password: 'x-xxxx-xxxx' },
            { clientIp: '198.51.101.0' },
          )
        ).status,
      ).toBe(401);
      expect((await attempt('198.51.101.200')).status).toBe(429);
      // After the 15 minutes the email may be tried again.
      vi.setSystemTime(Date.now() + 14 * 60_000);
      expect((await attempt('198.51.101.201')).status).toBe(401);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rate-limits code verification and code sending', async () => {
    const limited = testAuth(t.db, { rateLimit: true });
    const verify: number[] = [];
    for (let i = 0; i < 11; i++)
      verify.push(
        (
          await limited.call(
            '/email-otp/verify-email',
            { email: 'x@example.test', otp: '000000' },
            { clientIp: '203.0.113.5' },
          )
        ).status,
      );
    expect(verify[10]).toBe(429);
    const send: number[] = [];
    for (let i = 0; i < 4; i++)
      send.push(
        (
          await limited.call(
            '/email-otp/send-verification-otp',
            { email: 'x@example.test', type: 'email-verification' },
            { clientIp: '203.0.113.6' },
          )
        ).status,
      );
    expect(send[3]).toBe(429);
  });

  it('refuses a cookie-bearing request from another origin', async () => {
    const email = 'csrf@example.test';
    await addContractor(a.agency.id, email);
    const cookie = await signUpAndIn(email);
    const response = await ident.auth.handler(
      new Request(`${ORIGIN}/api/auth/revoke-sessions`, {
        method: 'POST',
        headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    expect(response.status).toBe(403);
    expect((await whoIs(cookie)).user).not.toBeNull();
  });

  it('profile and session fields cannot be set by the user (role, agency, chosen agency)', async () => {
    for (const path of ['/update-user', '/update-session']) {
      expect(
        (await ident.call(path, { role: 'admin', agencyId: a.agency.id, activeAgencyId: a.agency.id })).status,
      ).toBe(404);
    }
    // Sign-up ignores a smuggled role or agency.
    await addContractor(a.agency.id, 'smuggler@example.test');
    const up = await ident.call<{ user: { role: string; agencyId: string | null } }>('/sign-up/email', {
      email: 'smuggler@example.test',
      password: PASSWORD,
      name: 'S',
      role: 'admin',
      agencyId: a.agency.id,
    });
    if (up.ok) {
      const [row] = await t.db.select().from(users).where(eq(users.email, 'smuggler@example.test'));
      expect(row).toMatchObject({ role: 'contractor', agencyId: null });
    } else {
      expect(up.status).toBe(400);
    }
  });
});

describe('demo logins and the mailer', () => {
  it('seeds working credentials, including one contractor login for two agencies', async () => {
    const demo = await createTestDatabase();
    try {
      const x = await createAgency(demo.db, 'Harbour');
      const y = await createAgency(demo.db, 'Northgate');
      await demo.db.insert(contractors).values([
        { agencyId: x.agency.id, name: 'Pat Plumber', email: 'pat@plumbfast.example' },
        { agencyId: y.agency.id, name: 'Pat Plumber', email: 'pat@plumbfast.example' },
      ]);
      await seedDemoLogins(
        demo.db,
        [
          { email: x.staff.email, role: 'staff' },
          { email: 'pat@plumbfast.example', role: 'contractor' },
        ],
        'demo-password-1',
      );
      const demoAuth = testAuth(demo.db);
      const staff = await demoAuth.call('/sign-in/email', { email: x.staff.email, password: 'demo-password-1' });
      expect(staff.ok).toBe(true);
      const pat = await demoAuth.call('/sign-in/email', {
        email: 'pat@plumbfast.example',
        password: 'demo-password-1',
      });
      expect(pat.ok).toBe(true);
      const who = await resolveSession(demoAuth.auth, demo.db, headersWith(cookieFrom(pat.setCookies)));
      expect(who.user).toMatchObject({ kind: 'contractor', agencyId: null });
      expect(
        await contractorMemberships(demo.db, { id: who.user!.userId, email: 'pat@plumbfast.example' }),
      ).toHaveLength(2);
    } finally {
      await demo.close();
    }
  });

  it('delivers unsent emails once when SMTP is configured; without SMTP they stay in the mailbox', async () => {
    const sent: string[] = [];
    const mailer: Mailer = {
      domain: 'test.example',
      send: (m) => {
        sent.push(m.to);
        return Promise.resolve();
      },
      close() {},
    };
    expect(await deliverPendingEmails(t.db, null)).toBe(0);
    const unsent = (
      await t.db
        .select()
        .from(emails)
        .where(sql`${emails.sentAt} is null`)
    ).length;
    expect(unsent).toBeGreaterThan(0);
    expect(await deliverPendingEmails(t.db, mailer, { limit: 1000 })).toBe(unsent);
    expect(sent).toHaveLength(unsent);
    expect(await deliverPendingEmails(t.db, mailer)).toBe(0);
    const failing: Mailer = {
      domain: 'test.example',
      send: async () => Promise.reject(new Error('smtp down')),
      close() {},
    };
    await t.db.insert(emails).values({ key: 'fail-once', to: 'x@example.test', subject: 's', body: 'b' });
    const logs: string[] = [];
    expect(await deliverPendingEmails(t.db, failing, { log: (m) => logs.push(m) })).toBe(0);
    expect(logs[0]).toMatch(/smtp down/);
    // Tried again once its backoff (a minute) has passed, not before.
    expect(await deliverPendingEmails(t.db, mailer)).toBe(0);
    expect(await deliverPendingEmails(t.db, mailer, { now: () => new Date(Date.now() + 61_000) })).toBe(1);
  });
});
