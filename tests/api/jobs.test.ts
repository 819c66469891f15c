// The jobs API over a real database and the embedded engine: create, list, get, send,
// and bad input on every procedure (a clear error, nothing written).
import { one } from '#db/rows.ts';
import { TRPCError } from '@trpc/server';
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodError } from 'zod';
import {
  attachments,
  auditLog,
  branches,
  contractorInvoices,
  contractors,
  emails,
  engineJobs,
  engineTimers,
  jobEvents,
  jobs,
  jobTypes,
  outbox,
  properties,
  tenants,
} from '#db/schema/index.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { toFailure } from '#lib/server/forms.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { callerFor, contractorOf, staffOf } from '../support/callers.ts';
import { pageActions, post, provideTestRuntime } from '../support/actions.ts';
import { createAgency, createJobRow } from '../support/fixtures.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { offsetClock } from '#worker/engines/port.ts';
import { ukDay } from '#workflows/time.ts';

/** Who the agency's invoices in these tests are to. */
const CLIENT = { clientName: 'Lee Landlord', clientAddress: '9 Billing Road, Bristol BS1 4ST' };

let database: TestDatabase;
let a: Awaited<ReturnType<typeof createAgency>>;
let b: Awaited<ReturnType<typeof createAgency>>;
let boilerTypeId: string;

const as = (user: SessionUser | null) => callerFor(database.db, user);

async function tableCounts() {
  const n = async (t: typeof jobs | typeof jobEvents | typeof auditLog | typeof outbox | typeof engineJobs) =>
    (await database.db.select({ n: count() }).from(t))[0]!.n;
  return {
    jobs: await n(jobs),
    events: await n(jobEvents),
    audit: await n(auditLog),
    outbox: await n(outbox),
    engine: await n(engineJobs),
  };
}

async function newJob(fx = a, extra: { jobTypeId?: string } = {}) {
  return as(staffOf(fx)).jobs.create({
    title: 'Leaking tap',
    priorityCode: 'P2',
    propertyId: fx.property.id,
    ...extra,
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  a = await createAgency(database.db, 'Agency A');
  b = await createAgency(database.db, 'Agency B');
  ({ id: boilerTypeId } = one(
    await database.db
      .insert(jobTypes)
      .values({
        agencyId: a.agency.id,
        code: 'BOILER',
        name: 'Boiler',
        trade: 'heating',
        requiredCertifications: ['Gas Safe'],
      })
      .returning(),
  ));
});
afterAll(() => database?.close());

describe('jobs.create', () => {
  it('creates a job with the next reference and a sanitised description, started in New', async () => {
    const created = await as(staffOf(a)).jobs.create({
      title: '  Broken window  ',
      descriptionHtml: '<p>Glass <strong>cracked</strong><script>alert(1)</script><img src=x onerror=alert(1)></p>',
      priorityCode: 'P2',
      propertyId: a.property.id,
    });
    expect(created.reference).toMatch(/^JOB-\d{6}$/);
    expect(created.status).toBe('new');
    const detail = await as(staffOf(a)).jobs.get({ id: created.id });
    expect(detail.job.title).toBe('Broken window');
    expect(detail.job.descriptionHtml).toBe('<p>Glass <strong>cracked</strong></p>');
    expect(detail.state.context.sla.dueAt).toBeTruthy();
    expect(detail.allowed).toEqual(expect.arrayContaining(['OFFER', 'ADD_NOTE', 'CANCEL', 'CHANGE_PRIORITY']));
    expect(detail.allowed).not.toContain('CLOSE');
  });

  it('keeps the lines the editor starts with Enter (its <div>s) as paragraphs', async () => {
    const created = await as(staffOf(a)).jobs.create({
      title: 'Leak under the sink',
      descriptionHtml:
        'Leak under sink<div>Turn off the <b>stopcock</b></div><div><br></div><div>Call the tenant</div>',
      priorityCode: 'P2',
      propertyId: a.property.id,
    });
    const detail = await as(staffOf(a)).jobs.get({ id: created.id });
    expect(detail.job.descriptionHtml).toBe(
      'Leak under sink<p>Turn off the <b>stopcock</b></p><p><br /></p><p>Call the tenant</p>',
    );
  });

  it('numbers each agency separately', async () => {
    const first = await newJob(b);
    const second = await newJob(b);
    expect(Number(second.reference.slice(4))).toBe(Number(first.reference.slice(4)) + 1);
  });

  it('refuses a job with no priority chosen, saying so (the form has no default)', async () => {
    const refused = await as(staffOf(a))
      .jobs.create({ title: 'Leak', priorityCode: ' ', propertyId: a.property.id })
      .catch((e: TRPCError) => e);
    expect(refused).toMatchObject({ code: 'BAD_REQUEST' });
    expect(((refused as TRPCError).cause as ZodError).issues).toEqual([
      expect.objectContaining({ path: ['priorityCode'], message: 'Choose a priority' }),
    ]);
  });

  it('refuses a description too long in words about the description, not its HTML field', async () => {
    const refused = await as(staffOf(a))
      .jobs.create({
        title: 'Leak',
        descriptionHtml: `<p>${'x'.repeat(22_000)}</p>`,
        priorityCode: 'P2',
        propertyId: a.property.id,
      })
      .catch((e: unknown) => e);
    expect(toFailure('create', refused).data.error).toBe(
      'The description is too long: shorten it (up to about 20,000 characters including formatting)',
    );
  });

  it("refuses another agency's property, priority or tenant", async () => {
    await expect(
      as(staffOf(a)).jobs.create({ title: 'Leak', priorityCode: 'P2', propertyId: b.property.id }),
    ).rejects.toThrow(/Unknown property/);
    await expect(
      as(staffOf(a)).jobs.create({ title: 'Leak', priorityCode: 'P9', propertyId: a.property.id }),
    ).rejects.toThrow(/Unknown priority/);
  });
});

describe('bad input on every procedure: a clear error and nothing written', () => {
  const staffCases: [string, (c: ReturnType<typeof as>) => Promise<unknown>][] = [
    ['jobs.create without a title', (c) => c.jobs.create({ title: '', priorityCode: 'P2', propertyId: a.property.id })],
    [
      'jobs.create with a malformed property id',
      (c) => c.jobs.create({ title: 'Leak', priorityCode: 'P2', propertyId: 'nope' }),
    ],
    [
      'jobs.create with a huge description',
      (c) =>
        c.jobs.create({
          title: 'Leak',
          priorityCode: 'P2',
          propertyId: a.property.id,
          descriptionHtml: 'x'.repeat(20_001),
        }),
    ],
    ['jobs.list with a bad limit', (c) => c.jobs.list({ limit: 0 })],
    ['jobs.list with an unknown status', (c) => c.jobs.list({ status: ['lost' as never] })],
    ['jobs.list with a forged cursor', (c) => c.jobs.list({ cursor: 'garbage' })],
    ['jobs.list with a malformed branch id', (c) => c.jobs.list({ branchId: 'x' })],
    ['jobs.list with an overlong search', (c) => c.jobs.list({ q: 'x'.repeat(101) })],
    [
      'jobs.create with a new tenant and no way to reach them',
      (c) =>
        c.jobs.create({ title: 'Leak', priorityCode: 'P2', propertyId: a.property.id, newTenant: { name: 'Nia New' } }),
    ],
    [
      'jobs.create with a new tenant and a bad email',
      (c) =>
        c.jobs.create({
          title: 'Leak',
          priorityCode: 'P2',
          propertyId: a.property.id,
          newTenant: { name: 'Nia New', email: 'not-an-email' },
        }),
    ],
    ['jobs.get with a malformed id', (c) => c.jobs.get({ id: '1' })],
    [
      'jobs.send with an unknown event',
      (c) => c.jobs.send({ id: a.property.id, command: { type: 'EXPLODE' } as never }),
    ],
    [
      'jobs.send with a timer event',
      (c) => c.jobs.send({ id: a.property.id, command: { type: 'SLA_BREACHED', key: 'x' } as never }),
    ],
    [
      'jobs.send RECALL without a reason',
      (c) => c.jobs.send({ id: a.property.id, command: { type: 'RECALL', reason: '   ' } }),
    ],
    // Money goes through the finance procedures and their checks; jobs.send knows no such command.
    [
      'jobs.send a payment',
      (c) =>
        c.jobs.send({
          id: a.property.id,
          command: {
            type: 'RECORD_PAYMENT',
            key: 'k'.repeat(10),
            leg: 'client',
            amountPence: 100,
            reference: 'x',
          } as never,
        }),
    ],
    [
      'jobs.send an invoice with no document',
      (c) =>
        c.jobs.send({
          id: a.property.id,
          command: { type: 'SUBMIT_INVOICE', number: 'X-1', netPence: 100, vatPence: 0, totalPence: 100 } as never,
        }),
    ],
    ['contractors.candidates with a malformed id', (c) => c.contractors.candidates({ jobId: 'x' })],
    ['directory.findProperties with a one-letter query', (c) => c.directory.findProperties({ q: 'B' })],
    ['directory.tenantsAt with a malformed id', (c) => c.directory.tenantsAt({ propertyId: 'x' })],
  ];

  it.each(staffCases)('%s', async (_name, call) => {
    const before = await tableCounts();
    const error = await call(as(staffOf(a))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('BAD_REQUEST');
    expect((error as TRPCError).message.length).toBeGreaterThan(3);
    expect(await tableCounts()).toEqual(before);
  });
});

describe('jobs.send', () => {
  it('runs the lifecycle with each actor through the API, refusing what the machine refuses', async () => {
    const { id } = await newJob();
    const staff = as(staffOf(a));
    const pat = as(contractorOf(a, 0));
    await staff.jobs.send({ id, command: { type: 'OFFER', contractorId: a.contractors[0].id } });
    expect((await pat.portal.job({ id })).allowed).toEqual(expect.arrayContaining(['ACCEPT', 'DECLINE']));
    await pat.jobs.send({ id, command: { type: 'ACCEPT' } });
    await pat.jobs.send({ id, command: { type: 'START' } });
    const refused = await staff.jobs.send({ id, command: { type: 'CLOSE' } }).catch((e: TRPCError) => e);
    expect(refused).toMatchObject({ code: 'CONFLICT', message: 'Cannot close the job while the job is In Progress' });
    const done = await pat.jobs.send({ id, command: { type: 'COMPLETE', note: 'Fixed' } });
    expect(done.status).toBe('completed');
    await staff.jobs.send({ id, command: { type: 'RECALL', reason: 'Still dripping' } });
    expect((await staff.jobs.get({ id })).state.status).toBe('recalled');
  });

  it("the job page's Close and Recall, pressed at once on one Completed job, apply one and refuse the other", async () => {
    provideTestRuntime(database.db);
    const jobPage = await pageActions('(console)/jobs/[id=uuid]');
    const pat = as(contractorOf(a, 0));
    for (let round = 0; round < 6; round++) {
      const { id } = await newJob();
      await as(staffOf(a)).jobs.send({ id, command: { type: 'OFFER', contractorId: a.contractors[0].id } });
      for (const type of ['ACCEPT', 'START'] as const) await pat.jobs.send({ id, command: { type } });
      await pat.jobs.send({ id, command: { type: 'COMPLETE', note: 'Fixed' } });
      const close = () => post(jobPage.close!, { id }, staffOf(a), { seenStatus: 'completed' });
      const recall = () =>
        post(jobPage.recall!, { id }, staffOf(a), { reason: 'Leak is back', seenStatus: 'completed' });
      const answers = (await Promise.all(round % 2 ? [close(), recall()] : [recall(), close()])) as {
        status?: number;
        data?: { error: string };
        ok?: boolean;
      }[];
      expect(answers.filter((r) => r.ok === true)).toHaveLength(1);
      const [refused] = answers.filter((r) => r.status === 409);
      expect(refused!.data?.error).toMatch(
        /^Cannot (close|recall) the job while the job is (Recalled|Closed) \(it was Completed when you looked\)$/,
      );
      const timeline = (await as(staffOf(a)).jobs.get({ id })).timeline;
      expect(timeline.filter((e) => e.type === 'CLOSE' || e.type === 'RECALL')).toHaveLength(1);
    }
  });

  it("the job page's forms name their fields as the forms do: a note too long is the note's", async () => {
    provideTestRuntime(database.db);
    const jobPage = await pageActions('(console)/jobs/[id=uuid]');
    const { id } = await newJob();
    const refused = await post(jobPage.note!, { id }, staffOf(a), { text: 'x'.repeat(5001) });
    expect(refused).toMatchObject({ status: 400, data: { action: 'note', error: 'Keep the note to 5000 characters' } });
    expect((await as(staffOf(a)).jobs.get({ id })).timeline.filter((e) => e.type === 'ADD_NOTE')).toEqual([]);
  });

  it('lets an agency admin fire the next deadline now from the job page, audited; staff may not; contractors never see it', async () => {
    provideTestRuntime(database.db);
    const jobPage = await pageActions('(console)/jobs/[id=uuid]');
    const admin: SessionUser = {
      kind: 'staff',
      userId: a.staff.id,
      name: 'Ada',
      email: a.staff.email,
      agencyId: a.agency.id,
      role: 'admin',
    };
    const { id } = await newJob();
    const before = await as(admin).jobs.get({ id });
    const warn75 = before.state.nextTimer!;
    expect(warn75).toMatchObject({ kind: 'slaWarning', percent: 75 });
    expect(before.allowed).toContain('ADVANCE_DEADLINE');
    expect((await as(staffOf(a)).jobs.get({ id })).allowed).not.toContain('ADVANCE_DEADLINE');

    const refused = await as(staffOf(a))
      .jobs.send({ id, command: { type: 'ADVANCE_DEADLINE', key: warn75.key } })
      .catch((e: TRPCError) => e);
    expect(refused).toMatchObject({ code: 'CONFLICT', message: 'Only agency admins can bring a deadline forward' });
    const stale = await post(jobPage.advance!, { id }, admin, { key: before.state.context.timers[1]!.key });
    expect(stale).toMatchObject({
      data: { action: 'advance', error: 'That deadline has already fired or is no longer the next one' },
    });

    expect(await post(jobPage.advance!, { id }, admin, { key: warn75.key })).toMatchObject({
      action: 'advance',
      ok: true,
    });
    const after = await as(admin).jobs.get({ id });
    const advanced = after.timeline.at(-1)!;
    expect(advanced).toMatchObject({
      type: 'ADVANCE_DEADLINE',
      actorRole: 'admin',
      actorId: a.staff.id,
      payload: { key: warn75.key },
    });
    // The deadline is due now: the embedded engine's timer row says so, for the dispatcher to fire it.
    expect(after.state.nextTimer).toMatchObject({ key: warn75.key, at: advanced.at.toISOString() });
    const [row] = await database.db.select().from(engineTimers).where(eq(engineTimers.jobId, id));
    expect(row).toMatchObject({ key: warn75.key, dueAt: advanced.at });
    const audited = await database.db.select().from(auditLog).where(eq(auditLog.jobId, id));
    expect(audited.filter((r) => r.action === 'job.advance_deadline')).toEqual([
      expect.objectContaining({ actorRole: 'admin', actorId: a.staff.id }),
    ]);

    await as(staffOf(a)).jobs.send({ id, command: { type: 'OFFER', contractorId: a.contractors[0].id } });
    const pat = await as(contractorOf(a, 0)).portal.job({ id });
    expect(pat.timeline.some((e) => e.type === 'ADVANCE_DEADLINE')).toBe(false);
    expect(pat.allowed).not.toContain('ADVANCE_DEADLINE');
  });

  it('hides jobs from contractors who do not hold them and from other agencies', async () => {
    const { id } = await newJob();
    await as(staffOf(a)).jobs.send({ id, command: { type: 'OFFER', contractorId: a.contractors[0].id } });
    await expect(as(contractorOf(a, 1)).portal.job({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // The console's job detail and list are staff only (ADR 0040): they hold what the agency keeps to itself.
    await expect(as(contractorOf(a, 0)).jobs.get({ id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(as(contractorOf(a, 0)).jobs.list({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(as(contractorOf(a, 1)).jobs.send({ id, command: { type: 'ACCEPT' } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(as(staffOf(b)).jobs.get({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(as(null).jobs.get({ id })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const listed = await as(contractorOf(a, 1)).portal.jobs({ view: 'all' });
    expect(listed.items.map((j) => j.id)).not.toContain(id);
    expect((await as(contractorOf(a, 0)).portal.jobs({ view: 'all' })).items.map((j) => j.id)).toContain(id);
  });

  it('will not assign a contractor without a valid certification unless staff confirm', async () => {
    const { id } = await newJob(a, { jobTypeId: boilerTypeId });
    const staff = as(staffOf(a));
    const candidates = await staff.contractors.candidates({ jobId: id });
    expect(candidates.candidates.every((c) => c.missingCertifications.includes('Gas Safe'))).toBe(true);
    await expect(
      staff.jobs.send({ id, command: { type: 'OFFER', contractorId: a.contractors[0].id } }),
    ).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers as any
      message: expect.stringContaining('Gas Safe'),
    });
    const ok = await staff.jobs.send({
      id,
      command: { type: 'OFFER', contractorId: a.contractors[0].id, acknowledgeMissingCertification: true },
    });
    expect(ok.version).toBe(2);
  });

  it('records a double-submitted payment once', async () => {
    const { id } = await newJob();
    const staff = as(staffOf(a));
    const pat = as(contractorOf(a, 0));
    await staff.jobs.send({ id, command: { type: 'OFFER', contractorId: a.contractors[0].id } });
    for (const type of ['ACCEPT', 'START'] as const) await pat.jobs.send({ id, command: { type } });
    await pat.jobs.send({ id, command: { type: 'COMPLETE', note: 'Done' } });
    await staff.jobs.send({ id, command: { type: 'CLOSE' } });
    await staff.finance.raiseInvoice({
      ...CLIENT,
      jobId: id,
      number: 'INV-9',
      agentNetPence: 10000,
      contractorTotalPence: 6000,
    });
    const pay = {
      jobId: id,
      key: 'pay-client-0001',
      leg: 'client',
      amountPence: 12000,
      reference: 'BACS',
      paidOn: ukDay(new Date()),
    } as const;
    const [first, second] = await Promise.all([staff.finance.recordPayment(pay), staff.finance.recordPayment(pay)]);
    expect([first.duplicate, second.duplicate].sort()).toEqual([false, true]);
    const detail = await staff.jobs.get({ id });
    expect(detail.state.context.payments).toHaveLength(1);
    expect(detail.state.context.invoice?.vatPence).toBe(2000);
  });

  it('refuses an invoice number already used in the agency with a conflict that names it, and writes nothing', async () => {
    const staff = as(staffOf(a));
    const pat = as(contractorOf(a, 0));
    const closedJob = async () => {
      const { id } = await newJob();
      await staff.jobs.send({ id, command: { type: 'OFFER', contractorId: a.contractors[0].id } });
      for (const type of ['ACCEPT', 'START'] as const) await pat.jobs.send({ id, command: { type } });
      await pat.jobs.send({ id, command: { type: 'COMPLETE', note: 'Done' } });
      await staff.jobs.send({ id, command: { type: 'CLOSE' } });
      return id;
    };
    const [first, second] = [await closedJob(), await closedJob()];
    const raise = { number: 'INV-DUP-1', agentNetPence: 10000, contractorTotalPence: 6000 } as const;
    await staff.finance.raiseInvoice({ ...CLIENT, jobId: first, ...raise });
    const before = await staff.jobs.get({ id: second });
    await expect(staff.finance.raiseInvoice({ ...CLIENT, jobId: second, ...raise })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'Invoice number INV-DUP-1 is already used on another job',
    });
    const after = await staff.jobs.get({ id: second });
    expect(after.state.version).toBe(before.state.version);
    expect(after.state.context.invoice).toBeNull();
  });
});

describe('the job timeline names who did each thing', () => {
  it('names staff, contractors (with company) and the system; creation is its creator’s; approval and re-raises show', async () => {
    const c = await createAgency(database.db, 'Agency Who');
    await database.db.update(contractors).set({ company: 'PlumbFast' }).where(eq(contractors.id, c.contractors[0].id));
    const sam = as(staffOf(c));
    const pat = as(contractorOf(c, 0));
    const { id } = await sam.jobs.create({ title: 'Dripping tap', priorityCode: 'P2', propertyId: c.property.id });
    // The SLA's 75 % warning comes due (an engine whose clock is a day ahead): the system fires it.
    const later = createEmbeddedEngine({ db: database.db, clock: offsetClock(19 * 3600_000) });
    expect(await later.fireDueTimer(id)).toBe(true);
    await sam.jobs.send({ id, command: { type: 'OFFER', contractorId: c.contractors[0].id } });
    await pat.jobs.send({ id, command: { type: 'ACCEPT' } });
    await pat.jobs.send({ id, command: { type: 'START' } });
    await pat.jobs.send({ id, command: { type: 'COMPLETE', note: 'New washer' } });
    const doc = one(
      await database.db
        .insert(attachments)
        .values({
          agencyId: c.agency.id,
          jobId: id,
          uploadedBy: `contractor:${c.contractors[0].id}`,
          kind: 'invoice',
          fileName: 'inv.pdf',
          contentType: 'application/pdf',
          sizeBytes: 10,
          storageKey: `test/${id}`,
        })
        .returning(),
    );
    const invoice = { jobId: id, issuedOn: ukDay(new Date()), netPence: 12000, vatPence: 0, documentId: doc.id };
    await pat.portal.submitInvoice({ ...invoice, number: 'PF-1' });
    const [submitted] = await database.db.select().from(contractorInvoices).where(eq(contractorInvoices.jobId, id));
    await sam.finance.queryInvoice({ invoiceId: submitted!.id, reason: 'Which washer?' });
    await pat.portal.submitInvoice({ ...invoice, number: 'PF-1A' });
    await sam.finance.approveInvoice({ invoiceId: submitted!.id });
    await sam.jobs.send({ id, command: { type: 'CLOSE' } });
    const raise = { ...CLIENT, jobId: id, contractorTotalPence: 12000 };
    await sam.finance.raiseInvoice({ ...raise, number: 'INV-7', agentNetPence: 15000 });
    // An issued invoice is never edited: the re-raise credits INV-7 and issues INV-8.
    await sam.finance.raiseInvoice({ ...raise, number: 'INV-8', agentNetPence: 18000, creditReason: 'Price agreed' });

    const detail = await sam.jobs.get({ id });
    expect(detail.timeline.map((e) => [e.type, e.who])).toEqual([
      ['CREATED', 'Sam Staff'],
      ['SLA_WARNING', 'Fettle (automatic)'],
      ['OFFER', 'Sam Staff'],
      ['ACCEPT', 'Pat Plumber (PlumbFast)'],
      ['START', 'Pat Plumber (PlumbFast)'],
      ['COMPLETE', 'Pat Plumber (PlumbFast)'],
      ['SUBMIT_INVOICE', 'Pat Plumber (PlumbFast)'],
      ['QUERY_INVOICE', 'Sam Staff'],
      ['SUBMIT_INVOICE', 'Pat Plumber (PlumbFast)'],
      ['CLOSE', 'Sam Staff'],
      ['RAISE_INVOICE', 'Sam Staff'],
      ['RAISE_INVOICE', 'Sam Staff'],
    ]);
    // Created by hand: recorded against its creator, not the system.
    expect(detail.timeline[0]).toMatchObject({ actorId: c.staff.id, actorRole: 'staff' });
    // The first raise is just raised; the second says what changed against it.
    expect(detail.timeline.filter((e) => e.type === 'RAISE_INVOICE').map((e) => e.changes)).toEqual([
      null,
      'Invoice number INV-7 → INV-8; agent price £150.00 → £180.00; commission £30.00 → £60.00',
    ]);
    // The approval is a finance record, not an engine event: it is on the timeline all the same, named; so is
    // the credit note the re-raise issued.
    expect(detail.records).toHaveLength(2);
    expect(detail.records[1]).toMatchObject({
      action: 'finance.credit_note',
      title: 'Credit note issued',
      who: 'Sam Staff',
      detail: { summary: 'Credit note CN-000001 for INV-7 (Price agreed); replaced by invoice INV-8' },
    });
    expect(detail.records[0]).toMatchObject({
      action: 'finance.invoice_approved',
      title: 'Contractor invoice approved',
      who: 'Sam Staff',
      detail: { number: 'PF-1A', totalPence: 12000 },
    });
    expect(detail.attachments.map((a) => a.who)).toEqual(['Pat Plumber (PlumbFast)']);

    // The contractor's history names the agency's staff and the system; their own acts are "You".
    const mine = await pat.portal.job({ id });
    expect(mine.timeline.map((e) => [e.type, e.who])).toEqual(
      expect.arrayContaining([
        ['CREATED', 'Sam Staff'],
        ['OFFER', 'Sam Staff'],
        ['ACCEPT', 'You'],
        ['QUERY_INVOICE', 'Sam Staff'],
      ]),
    );
    expect(mine.timeline.some((e) => e.type === 'SLA_WARNING' || e.type === 'RAISE_INVOICE')).toBe(false);
    expect(mine).not.toHaveProperty('records');
  });

  it('names the system for a job nobody created by hand, and its creator for a start recorded before that was kept', async () => {
    const input = await createJobRow(database.db, a.agency.id, { propertyId: a.property.id });
    await createEmbeddedEngine({ db: database.db }).start(input);
    expect((await as(staffOf(a)).jobs.get({ id: input.jobId })).timeline[0]).toMatchObject({
      type: 'CREATED',
      actorId: 'system',
      who: 'Fettle (automatic)',
    });
    // An old start, recorded against the system although a person created the job: the person is named.
    await database.db.update(jobs).set({ createdBy: a.staff.id }).where(eq(jobs.id, input.jobId));
    expect((await as(staffOf(a)).jobs.get({ id: input.jobId })).timeline[0]).toMatchObject({ who: 'Sam Staff' });
  });
});

describe('jobs.list', () => {
  it('pages with a cursor, newest first, without gaps or repeats', async () => {
    const fx = await createAgency(database.db, 'Paging Agency');
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) ids.push((await newJob(fx)).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await as(staffOf(fx)).jobs.list({ limit: 10, cursor });
      seen.push(...page.items.map((j) => j.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(23);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by status, search text and saved views', async () => {
    const fx = await createAgency(database.db, 'Filter Agency');
    const staff = as(staffOf(fx));
    const one = await staff.jobs.create({
      title: 'Mouldy bathroom ceiling',
      priorityCode: 'P3',
      propertyId: fx.property.id,
    });
    const two = await staff.jobs.create({ title: 'Doorbell broken', priorityCode: 'P2', propertyId: fx.property.id });
    await staff.jobs.send({ id: two.id, command: { type: 'OFFER', contractorId: fx.contractors[0].id } });
    expect((await staff.jobs.list({ q: 'mouldy' })).items.map((j) => j.id)).toEqual([one.id]);
    // An offered job names the contractor it waits on; an unassigned one names nobody.
    const listed = (await staff.jobs.list({})).items;
    expect(listed.find((j) => j.id === two.id)).toMatchObject({
      contractorName: fx.contractors[0].name,
      contractorId: null,
      offeredToId: fx.contractors[0].id,
    });
    expect(listed.find((j) => j.id === one.id)?.contractorName).toBeNull();
    expect((await staff.jobs.list({ q: one.reference })).items.map((j) => j.id)).toEqual([one.id]);
    expect((await staff.jobs.list({ priority: ['P2'] })).items.map((j) => j.id)).toEqual([two.id]);
    // Needs action: the unassigned job, not the one awaiting the contractor's answer.
    expect((await staff.jobs.list({ view: 'needsAction' })).items.map((j) => j.id)).toEqual([one.id]);
    expect((await staff.jobs.list({ status: ['cancelled'] })).items).toHaveLength(0);
    const row = (await database.db.select().from(jobs).where(eq(jobs.id, one.id)))[0];
    expect(row!.agencyId).toBe(fx.agency.id);
  });
});

describe('jobs.create with a tenant created inline', () => {
  it('creates the tenant at the property, links it and emails them the reference', async () => {
    const fx = await createAgency(database.db, 'Inline Tenant Agency');
    const created = await as(staffOf(fx)).jobs.create({
      title: 'Damp in bedroom',
      priorityCode: 'P3',
      propertyId: fx.property.id,
      newTenant: { name: '  Nia New ', phone: '07700 900999', email: 'nia@mail.example' },
    });
    const detail = await as(staffOf(fx)).jobs.get({ id: created.id });
    expect(detail.tenant).toMatchObject({
      name: 'Nia New',
      phone: '07700 900999',
      email: 'nia@mail.example',
      propertyId: fx.property.id,
      agencyId: fx.agency.id,
    });
    const mail = await database.db.select().from(emails).where(eq(emails.to, 'nia@mail.example'));
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toContain(created.reference);
    expect(mail[0]!.body).toContain(created.reference);
  });

  it('refuses an existing tenant and a new one together, and a refused job leaves no tenant behind', async () => {
    const fx = await createAgency(database.db, 'Inline Refusal Agency');
    const [existing] = await database.db
      .insert(tenants)
      .values({ agencyId: fx.agency.id, propertyId: fx.property.id, name: 'Old Tenant', phone: '0123 456789' })
      .returning();
    const before = (await database.db.select({ n: count() }).from(tenants))[0]!.n;
    await expect(
      as(staffOf(fx)).jobs.create({
        title: 'Leak',
        priorityCode: 'P2',
        propertyId: fx.property.id,
        tenantId: existing!.id,
        newTenant: { name: 'Nia New', phone: '07700 900999' },
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      as(staffOf(fx)).jobs.create({
        title: 'Leak',
        priorityCode: 'P9',
        propertyId: fx.property.id,
        newTenant: { name: 'Nia New', phone: '07700 900999' },
      }),
    ).rejects.toThrow(/Unknown priority/);
    expect((await database.db.select({ n: count() }).from(tenants))[0]!.n).toBe(before);
  });
});

describe('jobs.create with a property added inline', () => {
  const propertyCount = async () => (await database.db.select({ n: count() }).from(properties))[0]!.n;

  it('adds the property (postcode normalised, branch kept) with the job, audited as the properties form audits it', async () => {
    const fx = await createAgency(database.db, 'Inline Property Agency');
    const [branch] = await database.db.insert(branches).values({ agencyId: fx.agency.id, name: 'Clifton' }).returning();
    const created = await as(staffOf(fx)).jobs.create({
      title: 'Boiler not firing',
      priorityCode: 'P2',
      newProperty: {
        line1: ' 12 Royal York Crescent ',
        line2: '',
        town: 'Bristol',
        postcode: 'bs84jz',
        branchId: branch!.id,
      },
      newTenant: { name: 'Nia New', phone: '07700 900999' },
    });
    const detail = await as(staffOf(fx)).jobs.get({ id: created.id });
    expect(detail.property).toMatchObject({
      line1: '12 Royal York Crescent',
      line2: null,
      town: 'Bristol',
      postcode: 'BS8 4JZ',
      outcode: 'BS8',
      branchId: branch!.id,
      agencyId: fx.agency.id,
    });
    const property = detail.property!;
    expect(detail.job.branchId).toBe(branch!.id);
    expect(detail.tenant).toMatchObject({ name: 'Nia New', propertyId: property.id });
    const audited = await database.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.action} = 'property.create' and ${auditLog.detail}->>'id' = ${property.id}`);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ agencyId: fx.agency.id, actorId: fx.staff.id, actorRole: 'staff' });
    expect(audited[0]!.detail).toMatchObject({ values: { postcode: 'BS8 4JZ', branchId: branch!.id } });
    // Found by the new-job search from now on.
    expect((await as(staffOf(fx)).directory.findProperties({ q: 'BS8 4JZ' })).map((p) => p.id)).toEqual([property.id]);
  });

  it('refuses a bad postcode in a sentence, and a refused job leaves no property behind', async () => {
    const fx = await createAgency(database.db, 'Inline Property Refusals');
    const staff = as(staffOf(fx));
    const address = { line1: '12 Royal York Crescent', town: 'Bristol', postcode: 'BS8 4JZ' };
    const before = {
      properties: await propertyCount(),
      tenants: (await database.db.select({ n: count() }).from(tenants))[0]!.n,
    };
    const refused = await staff.jobs
      .create({ title: 'Leak', priorityCode: 'P2', newProperty: { ...address, postcode: 'F-75001' } })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'BAD_REQUEST' });
    expect(toFailure('create', refused).data.error).toBe('“F-75001” is not a UK postcode (e.g. BS1 5LJ)');
    // Refused after the address passed: an unknown priority, another agency's branch, or a property chosen twice.
    await expect(staff.jobs.create({ title: 'Leak', priorityCode: 'P9', newProperty: address })).rejects.toThrow(
      /Unknown priority/,
    );
    const [elsewhere] = await database.db
      .insert(branches)
      .values({ agencyId: b.agency.id, name: 'Elsewhere' })
      .returning();
    await expect(
      staff.jobs.create({ title: 'Leak', priorityCode: 'P2', newProperty: { ...address, branchId: elsewhere!.id } }),
    ).rejects.toThrow(/Unknown branch/);
    await expect(
      staff.jobs.create({
        title: 'Leak',
        priorityCode: 'P2',
        newProperty: address,
        newTenant: { name: 'Nia New' },
      }),
    ).rejects.toThrow(/phone number or an email/);
    const both = await staff.jobs
      .create({ title: 'Leak', priorityCode: 'P2', propertyId: fx.property.id, newProperty: address })
      .catch((e: unknown) => e);
    expect(toFailure('create', both).data.error).toBe('Choose a property on file or add a new one, not both');
    const neither = await staff.jobs.create({ title: 'Leak', priorityCode: 'P2' }).catch((e: unknown) => e);
    expect(toFailure('create', neither).data.error).toBe('Choose the property');
    const [tenant] = await database.db
      .insert(tenants)
      .values({ agencyId: fx.agency.id, propertyId: fx.property.id, name: 'Old Tenant', phone: '0123 456789' })
      .returning();
    before.tenants += 1;
    await expect(
      staff.jobs.create({ title: 'Leak', priorityCode: 'P2', newProperty: address, tenantId: tenant!.id }),
    ).rejects.toThrow(/no tenants on file yet/);
    expect(await propertyCount()).toBe(before.properties);
    expect((await database.db.select({ n: count() }).from(tenants))[0]!.n).toBe(before.tenants);
  });

  it('takes the address from the new-job form when the search found none', async () => {
    const fx = await createAgency(database.db, 'Inline Property Form');
    provideTestRuntime(database.db);
    const newJobPage = await pageActions('(console)/jobs/new');
    const fields = {
      propertyId: 'new',
      propertyLine1: '3 Cotham Vale',
      propertyLine2: 'Flat 2',
      propertyTown: 'Bristol',
      propertyPostcode: 'bs6 6hr',
      propertyBranchId: '',
      tenantId: '',
      priorityCode: 'P3',
      title: 'Window will not shut',
      descriptionHtml: '',
    };
    const refused = (await post(newJobPage.create!, {}, staffOf(fx), { ...fields, propertyPostcode: 'BS6' })) as {
      data: { error: string; values: Record<string, string> };
    };
    expect(refused.data.error).toBe('“BS6” is not a UK postcode (e.g. BS1 5LJ)');
    expect(refused.data.values).toMatchObject({ propertyLine1: '3 Cotham Vale', propertyPostcode: 'BS6' });
    const redirected = await post(newJobPage.create!, {}, staffOf(fx), fields).catch((r: unknown) => r);
    const location = (redirected as { location: string }).location;
    expect(location).toMatch(/^\/jobs\/[0-9a-f-]{36}\?created=1$/);
    const detail = await as(staffOf(fx)).jobs.get({ id: location.slice(6, 42) });
    expect(detail.property).toMatchObject({
      line1: '3 Cotham Vale',
      line2: 'Flat 2',
      postcode: 'BS6 6HR',
      branchId: null,
    });
  });
});

describe('jobs.list search and filters', () => {
  it('searches the trigger-kept search text: postcode with or without its space, address, title, reference; wildcards are literal', async () => {
    const fx = await createAgency(database.db, 'Search Agency');
    const staff = as(staffOf(fx));
    const [other] = await database.db
      .insert(properties)
      .values({ agencyId: fx.agency.id, line1: '9 Clifton Down', town: 'Bristol', postcode: 'BS8 3HT', outcode: 'BS8' })
      .returning();
    const here = await staff.jobs.create({ title: 'Gutter 100% blocked', priorityCode: 'P3', propertyId: other!.id });
    const there = await staff.jobs.create({ title: 'Tap washer', priorityCode: 'P3', propertyId: fx.property.id });
    const ids = async (q: string) => (await staff.jobs.list({ q })).items.map((j) => j.id);
    expect(await ids('bs8 3ht')).toEqual([here.id]);
    expect(await ids('BS83HT')).toEqual([here.id]);
    expect(await ids('clifton')).toEqual([here.id]);
    expect(await ids('TAP WASH')).toEqual([there.id]);
    expect(await ids(there.reference.toLowerCase())).toEqual([there.id]);
    expect(await ids('100%')).toEqual([here.id]);
    expect(await ids('%')).toEqual([here.id]);
    expect(await ids('_')).toEqual([]);
    // The search column follows the property when its address changes.
    await database.db.update(properties).set({ line1: '10 Whiteladies Road' }).where(eq(properties.id, other!.id));
    expect(await ids('whiteladies')).toEqual([here.id]);
  });

  it('filters by branch, contractor and SLA state, and shows recalls in their view', async () => {
    const fx = await createAgency(database.db, 'Branch Agency');
    const staff = as(staffOf(fx));
    const [north, south] = await database.db
      .insert(branches)
      .values([
        { agencyId: fx.agency.id, name: 'North' },
        { agencyId: fx.agency.id, name: 'South' },
      ])
      .returning();
    const inNorth = await staff.jobs.create({
      title: 'North job',
      priorityCode: 'P2',
      propertyId: fx.property.id,
      branchId: north!.id,
    });
    const inSouth = await staff.jobs.create({
      title: 'South job',
      priorityCode: 'P2',
      propertyId: fx.property.id,
      branchId: south!.id,
    });
    expect((await staff.jobs.list({ branchId: north!.id })).items.map((j) => j.id)).toEqual([inNorth.id]);

    const pat = as(contractorOf(fx, 0));
    await staff.jobs.send({ id: inSouth.id, command: { type: 'OFFER', contractorId: fx.contractors[0].id } });
    for (const type of ['ACCEPT', 'START'] as const) await pat.jobs.send({ id: inSouth.id, command: { type } });
    await pat.jobs.send({ id: inSouth.id, command: { type: 'COMPLETE', note: 'Done' } });
    expect((await staff.jobs.list({ contractorId: fx.contractors[0].id })).items.map((j) => j.id)).toEqual([
      inSouth.id,
    ]);
    expect((await staff.jobs.list({ contractorId: fx.contractors[1].id })).items).toEqual([]);
    expect((await staff.jobs.list({ view: 'recalls' })).items).toEqual([]);
    await staff.jobs.send({ id: inSouth.id, command: { type: 'RECALL', reason: 'Still leaking' } });
    expect((await staff.jobs.list({ view: 'recalls' })).items.map((j) => j.id)).toEqual([inSouth.id]);

    // SLA state is projected by the engine's timers; set it on the read model to test the filter alone.
    await database.db.update(jobs).set({ slaBreached: true }).where(eq(jobs.id, inNorth.id));
    await database.db.update(jobs).set({ slaWarnedPercent: 75 }).where(eq(jobs.id, inSouth.id));
    expect((await staff.jobs.list({ sla: 'breached' })).items.map((j) => j.id)).toEqual([inNorth.id]);
    expect((await staff.jobs.list({ sla: 'atRisk' })).items.map((j) => j.id)).toEqual([inSouth.id]);
  });

  it('filters by contractor whether they hold the job or are offered it; deactivated ones with unfinished work stay in the filter', async () => {
    const fx = await createAgency(database.db, 'Filter Agency');
    const staff = as(staffOf(fx));
    const [pat, eve] = fx.contractors;
    const held = await staff.jobs.create({ title: 'Held by Pat', priorityCode: 'P2', propertyId: fx.property.id });
    const offered = await staff.jobs.create({
      title: 'Offered to Eve',
      priorityCode: 'P2',
      propertyId: fx.property.id,
    });
    await staff.jobs.send({ id: held.id, command: { type: 'OFFER', contractorId: pat.id } });
    await as(contractorOf(fx, 0)).jobs.send({ id: held.id, command: { type: 'ACCEPT' } });
    await staff.jobs.send({ id: offered.id, command: { type: 'OFFER', contractorId: eve.id } });
    const ids = async (contractorId: string) => (await staff.jobs.list({ contractorId })).items.map((j) => j.id);
    expect(await ids(pat.id)).toEqual([held.id]);
    expect(await ids(eve.id)).toEqual([offered.id]); // the list says "Offered to Eve Electric"

    // Eve is deactivated with the offer still open, so her job is on the list and she stays in the filter;
    // a deactivated contractor with no work is left out, and another agency's are never in it.
    await database.db.update(contractors).set({ active: false }).where(eq(contractors.id, eve.id));
    await database.db.insert(contractors).values({
      agencyId: fx.agency.id,
      name: 'Ivy Idle',
      email: `ivy+${fx.agency.slug}@example.test`,
      trades: ['general'],
      coverage: [],
      active: false,
    });
    expect(await staff.jobs.filterContractors()).toEqual([
      { id: eve.id, name: 'Eve Electric', active: false },
      { id: pat.id, name: 'Pat Plumber', active: true },
    ]);
  });

  it('uses the trigram index for text search when pg_trgm is installed', async () => {
    const [ext] = await database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pg_extension where extname = 'pg_trgm'`,
    );
    if (!ext!.n) return; // Without pg_trgm the search scans; nothing to check.
    const [idx] = await database.db.execute<{ n: number }>(
      sql`select count(*)::int as n from pg_indexes where indexname = 'jobs_search_trgm_idx'`,
    );
    expect(idx!.n).toBe(1);
    // A test table is tiny, so the planner prefers a scan; forbidding scans shows the index can serve the query.
    const plan = await database.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return tx.execute<{ 'QUERY PLAN': string }>(sql`explain select id from jobs where search_text like '%bs8 3ht%'`);
    });
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('jobs_search_trgm_idx');
  });
});

describe('the database handle', () => {
  // drizzle sends its statements unprepared unless db/client.ts says otherwise; prepared, PostgreSQL
  // parses each text once per connection. One connection, so the statement seen is the one run.
  it('prepares the query builder statements, in and out of transactions', async () => {
    const one = await createTestDatabase({ max: 1 });
    try {
      const prepared = (marker: string) =>
        one.sql<
          { n: number }[]
        >`select count(*)::int as n from pg_prepared_statements where statement like ${`%${marker}%`} and statement not like '%pg_prepared_statements%'`;
      await one.db.select({ id: jobs.id }).from(jobs).where(eq(jobs.title, 'outside'));
      expect((await prepared('"title" = $1'))[0]!.n).toBe(1);
      const inside = await one.db.transaction(async (tx) => {
        await tx.select({ ref: jobs.reference }).from(jobs).where(eq(jobs.reference, 'inside'));
        return (
          await tx.execute<{ n: number }>(
            sql`select count(*)::int as n from pg_prepared_statements where statement like '%"reference" = $1%' and statement not like '%pg_prepared_statements%'`,
          )
        )[0]!.n;
      });
      expect(inside).toBe(1);
    } finally {
      await one.close();
    }
  });
});
