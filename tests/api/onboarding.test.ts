// A new agency starts on its own: self-serve sign-up proved by an emailed code, or an operator's command
// that invites the first admin. Against a real database: the agency opens with the UK defaults, its first
// admin can sign in and change settings, and nothing is created by a wrong, used-up or late code.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agencies, agencySignUps, auditLog, jobTypes, priorities, users } from '#db/schema/index.ts';
import { acceptInvitation } from '#lib/server/auth/invitations.ts';
import { resolveSession } from '#lib/server/auth/resolve.ts';
import { newAgencySchema, OpenAgencyError, openAgencyForAdmin } from '#lib/server/onboarding/agency.ts';
import {
  completeAgencySignUp,
  findAgencySignUp,
  SIGN_UP_CODE_TRIES,
  SIGN_UPS_PER_HOUR,
  SignUpError,
  startAgencySignUp,
} from '#lib/server/onboarding/sign-up.ts';
import { slugOf, UK_DEFAULT_JOB_TYPES, UK_DEFAULT_PRIORITIES } from '#worker/agencies/open-agency.ts';
import { callerFor } from '../support/callers.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency } from '../support/fixtures.ts';
import { codeIn, cookieFrom, latestEmail, linkIn, ORIGIN, testAuth } from '../support/auth.ts';

let t: TestDatabase;
let ident: ReturnType<typeof testAuth>;
const PASSWORD = 'correct-horse-battery';
const NOW = new Date('2026-12-04T10:00:00Z');
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

beforeAll(async () => {
  t = await createTestDatabase();
  ident = testAuth(t.db);
});
afterAll(() => t?.close());

const request = (agencyName: string, adminEmail: string, adminName = 'Olu Adeyemi') =>
  newAgencySchema.parse({ agencyName, adminName, adminEmail });

async function signUp(agencyName: string, email: string, now = NOW) {
  const { id } = await startAgencySignUp(t.db, null, { ...request(agencyName, email), origin: ORIGIN, now });
  const mail = await latestEmail(t.db, email);
  return { id, mail, code: codeIn(mail!.body) };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'completed',
    (e: unknown) => {
      if (!(e instanceof SignUpError)) throw e;
      return e.message;
    },
  );

async function agencyNamed(name: string) {
  return t.db.select().from(agencies).where(eq(agencies.name, name));
}

describe('self-serve agency sign-up', () => {
  it('opens the agency with UK defaults once the emailed code is entered; its admin signs in and changes settings', async () => {
    const { id, mail, code } = await signUp('Oak Lettings', 'olu@oak.example');
    expect(mail!.subject).toBe(`Your Fettle verification code: ${code}`);
    expect(mail!.body).toContain('open Oak Lettings on Fettle');
    expect(await findAgencySignUp(t.db, id, NOW)).toEqual({ email: 'olu@oak.example', agencyName: 'Oak Lettings' });
    // Nothing exists before the code.
    expect(await agencyNamed('Oak Lettings')).toEqual([]);

    const done = await completeAgencySignUp(t.db, { id, code: code!, password: PASSWORD, now: minutes(5) });
    const [agency] = await agencyNamed('Oak Lettings');
    expect(done).toEqual({ email: 'olu@oak.example', agencyId: agency!.id });
    expect(agency!.slug).toBe('oak-lettings');
    const ps = await t.db.select().from(priorities).where(eq(priorities.agencyId, agency!.id));
    expect(ps.map((p) => [p.code, p.targetHours]).sort()).toEqual(
      UK_DEFAULT_PRIORITIES.map((p) => [p.code, p.targetHours]).sort(),
    );
    const types = await t.db.select().from(jobTypes).where(eq(jobTypes.agencyId, agency!.id));
    expect(types.find((jt) => jt.code === 'BOILER')?.requiredCertifications).toEqual(['Gas Safe']);
    expect(types).toHaveLength(UK_DEFAULT_JOB_TYPES.length);

    const [admin] = await t.db.select().from(users).where(eq(users.email, 'olu@oak.example'));
    expect(admin).toMatchObject({ name: 'Olu Adeyemi', role: 'admin', agencyId: agency!.id, emailVerified: true });
    const [opened] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.agencyId, agency!.id), eq(auditLog.action, 'agency.opened')));
    expect(opened).toMatchObject({ actorId: admin!.id, actorRole: 'admin' });

    // The admin signs in with the password chosen, and is an admin of the new agency.
    const signedIn = await ident.call('/sign-in/email', { email: 'olu@oak.example', password: PASSWORD });
    expect(signedIn.ok).toBe(true);
    const who = await resolveSession(
      ident.auth,
      t.db,
      new Headers({ cookie: cookieFrom(signedIn.setCookies), origin: ORIGIN }),
    );
    expect(who.user).toMatchObject({ kind: 'staff', role: 'admin', agencyId: agency!.id });
    const api = callerFor(t.db, who.user);
    await api.settings.updateAgency({ ...pickSettings(agency!), vatRateBp: 2000, phone: '020 7946 0000' });
    expect((await api.settings.get()).agency?.phone).toBe('020 7946 0000');

    // The code works once.
    expect(
      await refusal(completeAgencySignUp(t.db, { id, code: code!, password: PASSWORD, now: minutes(6) })),
    ).toContain('Start again');
    expect(await findAgencySignUp(t.db, id, minutes(6))).toBeNull();
  });

  it('counts wrong codes and voids the sign-up after too many; nothing is created', async () => {
    const { id, code } = await signUp('Birch Homes', 'bea@birch.example');
    const wrong = code === '000000' ? '111111' : '000000';
    const first = await refusal(completeAgencySignUp(t.db, { id, code: wrong, password: PASSWORD, now: NOW }));
    expect(first).toBe(`That code is not right. Check the email and try again (${SIGN_UP_CODE_TRIES - 1} tries left).`);
    for (let i = 1; i < SIGN_UP_CODE_TRIES; i++)
      await refusal(completeAgencySignUp(t.db, { id, code: wrong, password: PASSWORD, now: NOW }));
    expect(await refusal(completeAgencySignUp(t.db, { id, code: code!, password: PASSWORD, now: NOW }))).toBe(
      'This sign-up has expired or its code was used up. Start again to get a new code.',
    );
    expect(await agencyNamed('Birch Homes')).toEqual([]);
  });

  it('refuses a code after 30 minutes, and a password that is too short, changing nothing', async () => {
    const { id, code } = await signUp('Cedar Estates', 'cy@cedar.example');
    expect(await refusal(completeAgencySignUp(t.db, { id, code: code!, password: 'short', now: NOW }))).toBe(
      'Choose a password of at least 10 characters.',
    );
    expect(
      await refusal(completeAgencySignUp(t.db, { id, code: code!, password: PASSWORD, now: minutes(31) })),
    ).toContain('expired');
    expect(await agencyNamed('Cedar Estates')).toEqual([]);
    const [row] = await t.db.select().from(agencySignUps).where(eq(agencySignUps.id, id));
    expect(row?.attempts).toBe(0);
  });

  it('answers an address that already has an account alike, but emails its owner instead of a code', async () => {
    const existing = await createAgency(t.db, 'Existing Agency');
    const { id, mail, code } = await signUp('Copycat Lettings', existing.staff.email);
    expect(mail!.subject).toBe('You already have a Fettle account');
    expect(code).toBeNull();
    for (const guess of ['000000', '123456'])
      await refusal(completeAgencySignUp(t.db, { id, code: guess, password: PASSWORD, now: NOW }));
    expect(await agencyNamed('Copycat Lettings')).toEqual([]);
  });

  it(`allows ${SIGN_UPS_PER_HOUR} sign-ups per email per hour`, async () => {
    for (let i = 0; i < SIGN_UPS_PER_HOUR; i++) await signUp(`Spam ${i}`, 'spam@example.com', minutes(i));
    await expect(signUp('Spam again', 'spam@example.com', minutes(10))).rejects.toThrow(
      'Too many sign-ups for this email in the last hour',
    );
    const later = await signUp('Spam later', 'spam@example.com', minutes(61));
    expect(later.code).toMatch(/^\d{6}$/);
  });

  it('numbers the slug when another agency has the name', async () => {
    expect(slugOf('Łukasz & Co. Lettings Ltd')).toBe('lukasz-co-lettings-ltd');
    for (const email of ['one@twin.example', 'two@twin.example']) {
      const { id, code } = await signUp('Twin Lettings', email);
      await completeAgencySignUp(t.db, { id, code: code!, password: PASSWORD, now: NOW });
    }
    expect((await agencyNamed('Twin Lettings')).map((a) => a.slug).sort()).toEqual([
      'twin-lettings',
      'twin-lettings-2',
    ]);
  });

  it('says what is wrong with the form in words', () => {
    const parsed = newAgencySchema.safeParse({ agencyName: ' ', adminName: '', adminEmail: 'not-an-email' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.message)).toEqual([
      'Enter the agency’s name (at least 2 characters)',
      'Enter your name',
      'Enter a valid email address',
    ]);
  });
});

describe('an operator opens an agency (hosted installs)', () => {
  it('opens it and invites the first admin, who accepts and is its admin', async () => {
    const { agency, inviteUrl } = await openAgencyForAdmin(t.db, null, {
      ...request('Elm Property', 'ella@elm.example', 'Ella Elm'),
      origin: ORIGIN,
      now: NOW,
    });
    expect(agency.slug).toBe('elm-property');
    const mail = await latestEmail(t.db, 'ella@elm.example');
    expect(mail!.subject).toBe("You're invited to Elm Property on Fettle");
    expect(mail!.body).toContain('Elm Property is now open on Fettle, with you as its first admin.');
    expect(linkIn(mail!.body)).toBe(inviteUrl);
    const token = new URL(inviteUrl).searchParams.get('token')!;
    await acceptInvitation(t.db, { token, password: PASSWORD, now: minutes(1) });
    const [admin] = await t.db.select().from(users).where(eq(users.email, 'ella@elm.example'));
    expect(admin).toMatchObject({ role: 'admin', agencyId: agency.id, name: 'Ella Elm' });
    const [opened] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.agencyId, agency.id), eq(auditLog.action, 'agency.opened')));
    expect(opened).toMatchObject({ actorId: 'operator', actorRole: 'system' });
  });

  it('refuses an admin email that already has an account, before opening anything', async () => {
    await expect(
      openAgencyForAdmin(t.db, null, { ...request('Fir Lettings', 'ella@elm.example'), origin: ORIGIN, now: NOW }),
    ).rejects.toThrow(OpenAgencyError);
    expect(await agencyNamed('Fir Lettings')).toEqual([]);
  });

  it('npm run agency:create opens one from the command line, and says what is wrong with bad arguments', async () => {
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['scripts/agency-create.ts', ...args], {
        env: { ...process.env, DATABASE_URL: t.url, ORIGIN: 'https://fettle.example' },
      }).then(
        (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
      );
    const ok = await run([
      '--name',
      'Gorse Lettings',
      '--admin-name',
      'Gus Gorse',
      '--admin-email',
      'gus@gorse.example',
    ]);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('Opened Gorse Lettings (gorse-lettings)');
    expect(ok.out).toMatch(/https:\/\/fettle\.example\/accept-invite\?token=\S+/);
    expect(await agencyNamed('Gorse Lettings')).toHaveLength(1);

    const bad = await run(['--name', 'Holly', '--admin-email', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('adminName: Enter your name');
    expect(bad.err).toContain('adminEmail: Enter a valid email address');
    expect(await agencyNamed('Holly')).toEqual([]);

    const existing = await createAgency(t.db, 'Juniper Lettings');
    const taken = await run(['--name', 'Ivy', '--admin-name', 'Gus', '--admin-email', existing.staff.email]);
    expect(taken.code).toBe(1);
    expect(taken.err).toContain(`${existing.staff.email} already has a Fettle account`);
    expect(await agencyNamed('Ivy')).toEqual([]);
  });
});

describe('the Getting started checklist', () => {
  it('lists what a newly opened agency still has to set, and is complete once it is set', async () => {
    const { id, code } = await signUp('Rowan Lettings', 'ria@rowan.example');
    const { agencyId } = await completeAgencySignUp(t.db, { id, code: code!, password: PASSWORD, now: minutes(5) });
    const [admin] = await t.db.select().from(users).where(eq(users.email, 'ria@rowan.example'));
    const api = callerFor(t.db, {
      kind: 'staff',
      userId: admin!.id,
      name: admin!.name,
      email: admin!.email,
      agencyId,
      role: 'admin',
    });
    const state = async () => Object.fromEntries((await api.settings.gettingStarted()).items.map((i) => [i.key, i]));

    const fresh = await state();
    expect(Object.keys(fresh)).toEqual(['address', 'branches', 'catalogue', 'portal', 'sender', 'logo']);
    expect(fresh.address).toMatchObject({ done: false, href: '#agency' });
    expect(fresh.address!.detail).toContain('No VAT number');
    expect(fresh.branches).toMatchObject({ done: false, href: '#branches' });
    // The UK defaults count, with a nudge to review them.
    expect(fresh.catalogue).toMatchObject({ done: true, href: '#job-types' });
    expect(fresh.catalogue!.detail).toBe(
      `UK defaults loaded: ${UK_DEFAULT_PRIORITIES.length} priorities and ${UK_DEFAULT_JOB_TYPES.length} job types. Review them.`,
    );
    expect(fresh.portal).toMatchObject({ done: true });
    expect(fresh.portal!.detail).toMatch(/^On:/);
    expect(fresh.sender).toMatchObject({ done: false });
    expect(fresh.sender!.detail).toContain('"Rowan Lettings" (your agency name)');
    expect(fresh.logo).toMatchObject({ done: false, href: '#logo' });
    expect((await api.settings.gettingStarted()).complete).toBe(false);

    const [agency] = await agencyNamed('Rowan Lettings');
    await api.settings.updateAgency({
      ...pickSettings(agency!),
      address: '1 Rowan Street, Bath BA1 1AA',
      vatNumber: 'GB 123 4567 82',
      portalEnabled: false,
      emailSenderName: 'Rowan Lettings Maintenance',
    });
    await api.settings.saveBranch({ name: 'Bath' });
    // A logo as Settings stores one (the upload itself is tested in logo.test.ts).
    await t.db
      .update(agencies)
      .set({ logoStorageKey: `${agencyId}/logo/x`, logoContentType: 'image/png', logoUpdatedAt: new Date() })
      .where(eq(agencies.id, agencyId));
    const set = await state();
    expect(set.address).toMatchObject({
      done: true,
      detail: '1 Rowan Street, Bath BA1 1AA. VAT registration number GB 123 4567 82.',
    });
    expect(set.branches).toMatchObject({ done: true, detail: '1 branch.' });
    expect(set.portal!.detail).toMatch(/^Off:/);
    expect(set.sender).toMatchObject({
      done: true,
      detail: 'Emails about your jobs come from "Rowan Lettings Maintenance".',
    });
    expect(set.logo).toMatchObject({ done: true });
    expect((await api.settings.gettingStarted()).complete).toBe(true);

    // Without job types the item is to do again, and points at them.
    await t.db.delete(jobTypes).where(eq(jobTypes.agencyId, agencyId));
    expect((await state()).catalogue).toMatchObject({ done: false, href: '#job-types' });

    // Only admins see it.
    const staff = callerFor(t.db, {
      kind: 'staff',
      userId: admin!.id,
      name: admin!.name,
      email: admin!.email,
      agencyId,
      role: 'staff',
    });
    await expect(staff.settings.gettingStarted()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a sender name that would break the From header', async () => {
    const fx = await createAgency(t.db, 'Header Homes');
    const [agency] = await agencyNamed('Header Homes');
    const api = callerFor(t.db, {
      kind: 'staff',
      userId: fx.staff.id,
      name: 'Ada',
      email: fx.staff.email,
      agencyId: fx.agency.id,
      role: 'admin',
    });
    for (const bad of ['Evil <evil@example.com>', 'Say "hi"', 'Two\nlines'])
      await expect(api.settings.updateAgency({ ...pickSettings(agency!), emailSenderName: bad })).rejects.toMatchObject(
        { code: 'BAD_REQUEST' },
      );
    await api.settings.updateAgency({ ...pickSettings(agency!), emailSenderName: "  O'Brien & Co, Lettings  " });
    const [saved] = await agencyNamed('Header Homes');
    expect(saved!.emailSenderName).toBe("O'Brien & Co, Lettings");
    // Blank goes back to the agency's name.
    await api.settings.updateAgency({ ...pickSettings(agency!), emailSenderName: '' });
    expect((await agencyNamed('Header Homes'))[0]!.emailSenderName).toBeNull();
  });
});

/** The agency's settings as updateAgency takes them. */
function pickSettings(a: typeof agencies.$inferSelect) {
  return {
    name: a.name,
    phone: a.phone ?? '',
    email: a.email ?? '',
    vatRateBp: a.vatRateBp,
    portalEnabled: a.portalEnabled,
    shareTenantContact: a.shareTenantContact,
    offerReminderHours: a.offerReminderHours,
    offerEscalationHours: a.offerEscalationHours,
    invoiceReminderHours: a.invoiceReminderHours,
    invoiceReminderRepeatHours: a.invoiceReminderRepeatHours,
    invoiceReminderLimit: a.invoiceReminderLimit,
  };
}
