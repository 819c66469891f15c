// Mail delivery against a real SMTP server on loopback: notifications go out on their own, identity mail
// never waits behind them, a struggling server is retried with backoff (and given up on visibly), and a
// message reaches the server once, with a stable Message-ID, across deliverer restarts and crashes.
// Counts, not timings: what the server accepted, and in which order.
import { and, eq, isNull, like } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createActivities } from '#activities/index.ts';
import { deliverNext } from '#activities/mail-delivery.ts';
import {
  createMailer,
  deliverPendingEmails,
  messageIdFor,
  queueEmail,
  sendEmail,
  type Mailer,
} from '#activities/mailer.ts';
import { agencies, emails } from '#db/schema/index.ts';
import { createAuth } from '#lib/server/auth/auth.ts';
import { callAuth } from '#lib/server/auth/dispatch.ts';
import { inviteStaff } from '#lib/server/auth/invitations.ts';
import { createDispatcher } from '#worker/embedded/dispatcher.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createMailDeliverer } from '#worker/mail-deliverer.ts';
import { ORIGIN, TEST_SECRET } from '../support/auth.ts';
import { callerFor, staffOf } from '../support/callers.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency, createJobRow } from '../support/fixtures.ts';
import { startSmtpServer, type SmtpOptions, type TestSmtpServer } from '../support/smtp.ts';

const DOMAIN = 'fettle.test';
const MAIL_FROM = `Fettle <no-reply@${DOMAIN}>`;
const quiet = () => {};

// Each test gets its own database and SMTP server, so every count is its own.
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const clean of cleanups.splice(0).reverse()) await clean();
});

async function setup(smtpOptions: SmtpOptions = {}) {
  const database: TestDatabase = await createTestDatabase({ max: 10 });
  cleanups.push(() => database.close());
  const smtp: TestSmtpServer = await startSmtpServer(smtpOptions);
  cleanups.push(() => smtp.close());
  // As the app has them: one transport for the deliverer, one for identity mail.
  const mailer = createMailer({ SMTP_URL: smtp.url, MAIL_FROM }, { connections: 4 })!;
  const identityMailer = createMailer({ SMTP_URL: smtp.url, MAIL_FROM })!;
  cleanups.push(() => {
    mailer.close();
    identityMailer.close();
  });
  const fx = await createAgency(database.db);
  return { database, db: database.db, smtp, mailer, identityMailer, fx };
}

/** A deliverer with a clock the test moves by hand. */
function handClock(start = Date.now()) {
  let now = start;
  return Object.assign(() => new Date(now), { advance: (ms: number) => void (now += ms) });
}

/** A job offered to the fixture's first contractor by the embedded engine: its notify effect writes the email. */
async function offerJob({ db, fx }: Awaited<ReturnType<typeof setup>>) {
  const engine = createEmbeddedEngine({ db });
  const input = await createJobRow(db, fx.agency.id, { propertyId: fx.property.id });
  await engine.start(input);
  await engine.send(input.jobId, {
    type: 'OFFER',
    contractorId: fx.contractors[0].id,
    actor: { id: fx.staff.id, role: 'staff' },
  });
  return { engine, input };
}

async function notifications(db: TestDatabase['db'], count: number) {
  for (let i = 0; i < count; i++)
    await queueEmail(db, {
      key: `bulk:${i}`,
      to: `tenant${i}@example.test`,
      subject: `Notice ${i}`,
      body: 'Something happened.',
    });
}

describe('mail delivery over SMTP', () => {
  it('sends a job notification the engine wrote, with no identity email to set it off', async () => {
    const t = await setup();
    const deliverer = createMailDeliverer({
      db: t.db,
      sql: t.database.sql,
      mailer: t.mailer,
      idleMs: 60_000,
      log: quiet,
    });
    await deliverer.start();
    cleanups.push(() => deliverer.stop());

    const { engine, input } = await offerJob(t);
    // The engine's dispatcher runs the notify effect: it stores the email (and wakes the deliverer).
    await createDispatcher({ sql: t.database.sql, engine, activities: createActivities({ db: t.db }) }).drain();

    await expect.poll(() => t.smtp.received.length, { timeout: 10_000, interval: 20 }).toBe(1);
    expect(t.smtp.received[0]!.to).toBe(t.fx.contractors[0].email);
    // Contractors work for several agencies: the subject says which one first.
    expect(t.smtp.received[0]!.subject).toMatch(
      new RegExp(`^${t.fx.agency.name}: ${input.reference} offered to you: `),
    );
    // Recorded as sent just after the server took it.
    const row = async () => (await t.db.select().from(emails).where(eq(emails.to, t.fx.contractors[0].email)))[0];
    await expect.poll(async () => (await row())!.sentAt, { timeout: 10_000, interval: 20 }).not.toBeNull();
    expect(await row()).toMatchObject({ jobId: input.jobId, lane: 'notification', attempts: 1, lastError: null });
    expect(await t.db.select().from(emails).where(eq(emails.lane, 'auth'))).toHaveLength(0);
  });

  it("sends a job's email from the agency's sender name (its name when none is set), at the configured address", async () => {
    const t = await setup();
    const { engine } = await offerJob(t);
    const activities = createActivities({ db: t.db });
    await createDispatcher({ sql: t.database.sql, engine, activities }).drain();
    // No sender name set: the agency's own name.
    expect(await deliverPendingEmails(t.db, t.mailer, { log: quiet })).toBe(1);
    expect(t.smtp.received.map((m) => m.from)).toEqual([`${t.fx.agency.name} <no-reply@${DOMAIN}>`]);

    // A sender name with characters a header must quote goes out intact.
    await t.db
      .update(agencies)
      .set({ emailSenderName: "O'Brien & Co, Lettings" })
      .where(eq(agencies.id, t.fx.agency.id));
    const second = await offerJob(t);
    await createDispatcher({ sql: t.database.sql, engine: second.engine, activities }).drain();
    expect(await deliverPendingEmails(t.db, t.mailer, { log: quiet })).toBe(1);
    expect(t.smtp.received[1]!.to).toBe(t.fx.contractors[0].email);
    expect(t.smtp.received[1]!.from).toBe(`"O'Brien & Co, Lettings" <no-reply@${DOMAIN}>`);

    // Mail about no job (an identity email) keeps MAIL_FROM as configured.
    await sendEmail(t.db, t.identityMailer, {
      key: 'identity:from',
      to: 'new@example.test',
      subject: 'Code',
      body: '1',
    });
    await expect.poll(() => t.smtp.received.length, { timeout: 10_000, interval: 20 }).toBe(3);
    expect(t.smtp.received[2]!.from).toBe(MAIL_FROM);
  });

  it("sends a staff invitation from the agency's sender name (its name when none is set), at the configured address", async () => {
    const t = await setup();
    const invite = (email: string) =>
      inviteStaff(t.db, t.identityMailer, {
        agencyId: t.fx.agency.id,
        invitedBy: { userId: t.fx.staff.id, name: 'Sam Staff' },
        email,
        name: 'Nia Hire',
        role: 'staff',
        origin: ORIGIN,
      });
    // No sender name set: the agency's own name, as its jobs' emails have.
    await invite('first.hire@example.test');
    await expect.poll(() => t.smtp.received.length, { timeout: 10_000, interval: 20 }).toBe(1);
    expect(t.smtp.received[0]).toMatchObject({
      to: 'first.hire@example.test',
      from: `${t.fx.agency.name} <no-reply@${DOMAIN}>`,
    });

    await t.db
      .update(agencies)
      .set({ emailSenderName: "O'Brien & Co, Lettings" })
      .where(eq(agencies.id, t.fx.agency.id));
    await invite('second.hire@example.test');
    await expect.poll(() => t.smtp.received.length, { timeout: 10_000, interval: 20 }).toBe(2);
    expect(t.smtp.received[1]).toMatchObject({
      to: 'second.hire@example.test',
      from: `"O'Brien & Co, Lettings" <no-reply@${DOMAIN}>`,
    });
    // Stored with its agency, in the identity lane (it goes ahead of notifications).
    const [row] = await t.db.select().from(emails).where(eq(emails.to, 'second.hire@example.test'));
    expect(row).toMatchObject({ agencyId: t.fx.agency.id, jobId: null, lane: 'auth' });
  });

  it('sends an identity email at once while 200 notifications wait, and the queue puts identity mail first', async () => {
    // The server holds every notification it is given until released: the deliverer's lanes are all stuck.
    const t = await setup({ hold: (m) => m.subject.startsWith('Notice') });
    await notifications(t.db, 200);
    const deliverer = createMailDeliverer({
      db: t.db,
      sql: t.database.sql,
      mailer: t.mailer,
      idleMs: 60_000,
      log: quiet,
    });
    await deliverer.start();
    cleanups.push(() => deliverer.stop());
    await expect
      .poll(
        async () =>
          (
            await t.db
              .select()
              .from(emails)
              .where(and(like(emails.subject, 'Notice%'), eq(emails.attempts, 1)))
          ).length,
        { timeout: 10_000, interval: 20 },
      )
      .toBe(4);

    // A contractor creates an account: better-auth emails the verification code through the mailer.
    const auth = createAuth({
      db: t.db,
      secret: TEST_SECRET,
      origin: ORIGIN,
      mailer: t.identityMailer,
      rateLimit: false,
      log: quiet,
    });
    const email = t.fx.contractors[1].email;
    const up = await callAuth(
      auth,
      '/sign-up/email',
      { origin: ORIGIN, clientIp: '10.9.0.1' },
      { method: 'POST', body: { email, password: 'correct-horse-battery', name: 'Eve Electric' } },
    );
    expect(up.ok, up.message ?? '').toBe(true);

    await expect
      .poll(() => t.smtp.received.filter((m) => m.to === email).length, { timeout: 10_000, interval: 20 })
      .toBe(1);
    // Delivered while every one of the 200 notifications was still waiting.
    expect(t.smtp.received.map((m) => m.to)).toEqual([email]);
    expect(t.smtp.received[0]!.subject).toMatch(/verification code/);

    t.smtp.release();
    await expect.poll(() => t.smtp.received.length, { timeout: 30_000, interval: 50 }).toBe(201);
    expect(t.smtp.received.filter((m) => m.to === email)).toHaveLength(1); // the deliverer did not send it again

    // Had the first send not happened (say the server was down), the queue takes identity mail before
    // the notification backlog: queued last, it is the next one out.
    const more = await setup();
    await notifications(more.db, 20);
    await queueEmail(more.db, {
      key: 'reset',
      to: 'waiting@example.test',
      subject: 'Reset your password',
      body: 'Link',
      lane: 'auth',
    });
    await createMailDeliverer({
      db: more.db,
      sql: more.database.sql,
      mailer: more.mailer,
      concurrency: 1,
      log: quiet,
    }).drain();
    expect(more.smtp.received).toHaveLength(21);
    expect(more.smtp.received[0]!.to).toBe('waiting@example.test');
  });

  it('retries a server that answers 4xx with growing waits, then delivers once', async () => {
    const t = await setup({ failFirst: 2 });
    const now = handClock();
    const deliverer = createMailDeliverer({ db: t.db, sql: t.database.sql, mailer: t.mailer, now, log: quiet });
    const id = (await queueEmail(t.db, { key: 'k', to: 'pat@example.test', subject: 'Hello', body: 'Body' }))!;
    const row = async () => (await t.db.select().from(emails).where(eq(emails.id, id)))[0];

    expect(await deliverer.drain()).toBe(1);
    expect(await row()).toMatchObject({ attempts: 1, sentAt: null, failedAt: null });
    expect((await row())!.lastError).toMatch(/451/);
    expect((await row())!.nextAttemptAt!.getTime()).toBe(now().getTime() + 60_000);
    expect(await deliverer.drain()).toBe(0); // not before its wait is over
    now.advance(60_000);
    expect(await deliverer.drain()).toBe(1);
    expect((await row())!.nextAttemptAt!.getTime()).toBe(now().getTime() + 120_000); // doubled
    now.advance(120_000);
    expect(await deliverer.drain()).toBe(1);
    expect(await row()).toMatchObject({ attempts: 3, lastError: null, failedAt: null });
    expect((await row())!.sentAt).not.toBeNull();
    expect(t.smtp.attempts()).toBe(3);
    expect(t.smtp.received).toHaveLength(1);
    now.advance(3_600_000);
    expect(await deliverer.drain()).toBe(0);
  });

  it('marks a message not delivered after the last attempt fails, and shows it on the job page', async () => {
    const t = await setup({ failFirst: Infinity });
    const { engine, input } = await offerJob(t);
    await createDispatcher({ sql: t.database.sql, engine, activities: createActivities({ db: t.db }) }).drain();
    const now = handClock();
    const deliverer = createMailDeliverer({
      db: t.db,
      sql: t.database.sql,
      mailer: t.mailer,
      now,
      policy: { maxAttempts: 4 },
      log: quiet,
    });

    for (let i = 0; i < 10; i++) {
      await deliverer.drain();
      now.advance(3_600_000);
    }
    expect(t.smtp.attempts()).toBe(4);
    expect(t.smtp.received).toHaveLength(0);
    const [row] = await t.db.select().from(emails).where(eq(emails.jobId, input.jobId));
    expect(row).toMatchObject({ attempts: 4, sentAt: null, lockedUntil: null });
    expect(row!.failedAt).not.toBeNull();
    expect(row!.lastError).toMatch(/451/);

    // Staff see it on the job (the Overview tab's timeline lists these as "Email not delivered to …").
    const detail = await callerFor(t.db, staffOf(t.fx)).jobs.get({ id: input.jobId });
    expect(detail.undelivered).toEqual([
      expect.objectContaining({ to: t.fx.contractors[0].email, attempts: 4, subject: row!.subject }),
    ]);
    expect(detail.undelivered[0]!.lastError).toMatch(/451/);
  });

  it('gives each message a stable Message-ID and sends it once across a stop and restart mid-queue', async () => {
    // The deliverer is told to stop as the server takes the 10th message.
    let seen = 0;
    // Set by the `hold` callback, which TypeScript does not follow: not narrowed to null here.
    let stopped = null as Promise<void> | null;
    const t = await setup({
      hold: () => {
        if (++seen === 10) stopped = first.stop();
        return false;
      },
    });
    await notifications(t.db, 60);
    const first = createMailDeliverer({ db: t.db, sql: t.database.sql, mailer: t.mailer, concurrency: 2, log: quiet });
    await first.start();
    await expect.poll(() => stopped, { timeout: 10_000, interval: 10 }).not.toBeNull();
    await stopped; // in-flight messages finish and are recorded first
    const before = t.smtp.received.length;
    expect(before).toBeGreaterThanOrEqual(10);
    expect(before).toBeLessThanOrEqual(11); // the 10th and at most one more already in flight
    expect(await t.db.select().from(emails).where(isNull(emails.sentAt))).toHaveLength(60 - before);

    const second = createMailDeliverer({ db: t.db, sql: t.database.sql, mailer: t.mailer, concurrency: 2, log: quiet });
    await second.start();
    cleanups.push(() => second.stop());
    await expect.poll(() => t.smtp.received.length, { timeout: 20_000, interval: 20 }).toBe(60);
    const rows = await t.db.select({ id: emails.id }).from(emails);
    expect(new Set(t.smtp.received.map((m) => m.messageId))).toEqual(
      new Set(rows.map((r) => messageIdFor(r.id, DOMAIN))),
    );
    await second.drain();
    expect(t.smtp.received).toHaveLength(60);
  });

  it('after a crash between the server accepting a message and it being recorded, re-sends only that one, with the same Message-ID', async () => {
    const t = await setup();
    await notifications(t.db, 10);
    const now = handClock();
    // A process that hands the oldest message to the server and dies before recording it (its send never returns).
    const dying: Mailer = {
      domain: t.mailer.domain,
      close() {},
      send: async (m) => {
        await t.mailer.send(m);
        await new Promise(() => {});
      },
    };
    void deliverNext(t.db, dying, { now, log: quiet });
    await expect.poll(() => t.smtp.received.length, { timeout: 10_000, interval: 10 }).toBe(1);

    // The next process sends the rest; the dead one's claim still holds its message.
    const next = createMailDeliverer({ db: t.db, sql: t.database.sql, mailer: t.mailer, now, log: quiet });
    expect(await next.drain()).toBe(9);
    expect(t.smtp.received).toHaveLength(10);
    // Once the lease lapses, that one message goes again: the only repeat, under the first copy's Message-ID.
    now.advance(5 * 60_000);
    expect(await next.drain()).toBe(1);
    expect(t.smtp.received).toHaveLength(11);
    const ids = t.smtp.received.map((m) => m.messageId);
    expect(new Set(ids).size).toBe(10);
    expect(ids[10]).toBe(ids[0]);
    expect(await t.db.select().from(emails).where(isNull(emails.sentAt))).toHaveLength(0);
  });

  it('sends nothing through SMTP while no SMTP_URL is configured: the mail stays in the dev mailbox', async () => {
    const t = await setup();
    expect(createMailer({ MAIL_FROM })).toBeNull();
    await sendEmail(t.db, null, {
      key: 'code',
      to: 'casey@example.test',
      subject: 'Your verification code',
      body: '123456',
    });
    expect(await deliverPendingEmails(t.db, null)).toBe(0);
    const [row] = await t.db.select().from(emails).where(eq(emails.key, 'code'));
    expect(row).toMatchObject({ lane: 'auth', attempts: 0, sentAt: null, failedAt: null });
    expect(t.smtp.attempts()).toBe(0);
  });
});
