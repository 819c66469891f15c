// Who may call what: every tRPC procedure × {anonymous, staff of agency A, staff of agency B, contractor
// assigned to A's job, contractor of A not assigned to it}. Procedures are enumerated from the router, so
// a new procedure fails "every procedure is in the matrix" until its row is written here.
// Besides allow/deny, every allowed answer is checked for leaks: staff of B never see an identifier of
// agency A's, and the unassigned contractor never sees the job.
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobs, repairReports, tenants } from '#db/schema/index.ts';
import { NO_FACTS } from '#workflows/report-rules.ts';
import { createContext } from '#lib/server/api/context.ts';
import { appRouter, createCaller } from '#lib/server/api/root.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency } from '../support/fixtures.ts';
import { ukDay } from '#workflows/time.ts';

const ROLES = ['anonymous', 'staffA', 'staffB', 'contractorAssigned', 'contractorNotAssigned'] as const;
type Role = (typeof ROLES)[number];
type Code = TRPCError['code'];

interface Scenario {
  a: Awaited<ReturnType<typeof createAgency>>;
  b: Awaited<ReturnType<typeof createAgency>>;
  /** Agency A's job, in progress with contractor a.contractors[0]. */
  jobId: string;
  tenantId: string;
  users: Record<Role, SessionUser | null>;
  /** Identifiers only agency A's people may see. */
  secretsOfA: string[];
}

/** allow: must succeed (then the leak checks run, plus `check` if given). deny: must fail with one of `codes`. */
type Cell =
  { allow: true; check?: (result: unknown, s: Scenario) => void | Promise<void> } | { allow: false; codes?: Code[] };
const ALLOW: Cell = { allow: true };
const DENY: Cell = { allow: false };
const ANON_DENY: Cell = { allow: false, codes: ['UNAUTHORIZED'] };

interface Row {
  /** The procedure's input, or a promise of it. */
  input: (s: Scenario) => unknown;
  cells: Record<Role, Cell>;
}

/** A confirmed tenant's report in agency A's inbox, about the property of A's job. */
async function newReport(s: Scenario): Promise<string> {
  const [report] = await db.db
    .insert(repairReports)
    .values({
      agencyId: s.a.agency.id,
      propertyId: s.a.property.id,
      addressLine1: '1 Test Street',
      postcode: 'SW1A 1AA',
      reporterName: 'Rita Reporter',
      reporterEmail: 'rita@example.test',
      category: 'leak',
      description: 'Dripping tap in the kitchen',
      facts: NO_FACTS,
      suggestedPriority: 'P2',
      status: 'new',
    })
    .returning({ id: repairReports.id });
  return report!.id;
}

const staffOnly = (input: Row['input'], b: Cell = ALLOW): Row => ({
  input,
  cells: { anonymous: ANON_DENY, staffA: ALLOW, staffB: b, contractorAssigned: DENY, contractorNotAssigned: DENY },
});

const contractorOnly = (input: Row['input'], notAssigned: Cell = ALLOW): Row => ({
  input,
  cells: {
    anonymous: ANON_DENY,
    staffA: { allow: false, codes: ['FORBIDDEN'] },
    staffB: { allow: false, codes: ['FORBIDDEN'] },
    contractorAssigned: ALLOW,
    contractorNotAssigned: notAssigned,
  },
});

const contains = (result: unknown, id: string) => JSON.stringify(result ?? null).includes(id);

/** Settings changes: agency admins only (the matrix's staff are not admins, so everyone is refused). */
const adminOnly = (input: Row['input']): Row => ({
  input,
  cells: {
    anonymous: ANON_DENY,
    staffA: { allow: false, codes: ['FORBIDDEN'] },
    staffB: { allow: false, codes: ['FORBIDDEN'] },
    contractorAssigned: DENY,
    contractorNotAssigned: DENY,
  },
});
const B_NOT_FOUND: Cell = { allow: false, codes: ['NOT_FOUND'] };

/** The matrix. Keys are procedure paths as in `appRouter._def.procedures`. */
const MATRIX: Record<string, Row> = {
  'jobs.create': staffOnly(
    (s) => ({ title: 'Matrix job', priorityCode: 'P2', propertyId: s.a.property.id }),
    // B's staff cannot file a job against A's property.
    { allow: false, codes: ['NOT_FOUND', 'BAD_REQUEST', 'FORBIDDEN'] },
  ),
  // Contractors list and read their jobs through portal.jobs / portal.job, which leave out what the agency keeps to itself.
  'jobs.list': staffOnly(() => ({}), { allow: true, check: (r, s) => expect(contains(r, s.jobId)).toBe(false) }),
  'jobs.get': staffOnly((s) => ({ id: s.jobId }), B_NOT_FOUND),
  // B's staff get B's contractors only (the leak checks prove it).
  'jobs.filterContractors': staffOnly(() => undefined),
  'jobs.send': {
    input: (s) => ({ id: s.jobId, command: { type: 'ADD_NOTE', text: 'matrix note' } }),
    cells: {
      anonymous: ANON_DENY,
      staffA: ALLOW,
      staffB: { allow: false, codes: ['NOT_FOUND'] },
      contractorAssigned: ALLOW,
      contractorNotAssigned: { allow: false, codes: ['NOT_FOUND'] },
    },
  },
  'contractors.candidates': staffOnly((s) => ({ jobId: s.jobId }), { allow: false, codes: ['NOT_FOUND'] }),
  'directory.options': staffOnly(() => undefined),
  'directory.findProperties': staffOnly(() => ({ q: 'Test Street' })),
  'directory.tenantsAt': staffOnly((s) => ({ propertyId: s.a.property.id })),
  // Console: coverage map and the agency's notification inbox (B's staff see only B's; the leak checks prove it).
  'coverage.map': staffOnly(() => ({ postcode: 'SW1A 1AA' })),
  'audit.list': adminOnly(() => ({})),
  'audit.options': adminOnly(() => ({})),
  'notifications.list': staffOnly(() => ({})),
  'reports.list': staffOnly(() => ({})),
  'reports.newCount': staffOnly(() => undefined),
  'reports.selfFixed': staffOnly(() => undefined),
  'reports.get': staffOnly(async (s) => ({ id: await newReport(s) }), B_NOT_FOUND),
  'reports.convert': staffOnly(
    async (s) => ({ id: await newReport(s), title: 'Dripping tap', priorityCode: 'P2' }),
    B_NOT_FOUND,
  ),
  'reports.merge': staffOnly(async (s) => ({ id: await newReport(s), jobId: s.jobId }), B_NOT_FOUND),
  'reports.close': staffOnly(
    async (s) => ({ id: await newReport(s), reason: 'The freeholder has fixed it already.' }),
    B_NOT_FOUND,
  ),
  'notifications.unreadCount': staffOnly(() => undefined),
  'notifications.markRead': staffOnly(() => ({ ids: [1] })),
  'settings.get': staffOnly(() => undefined),
  'settings.gettingStarted': adminOnly(() => undefined),
  'settings.updateAgency': adminOnly(() => ({
    name: 'Agency A',
    vatRateBp: 2000,
    portalEnabled: true,
    shareTenantContact: true,
    offerReminderHours: 4,
    offerEscalationHours: 24,
    invoiceReminderHours: 168,
    invoiceReminderRepeatHours: 72,
    invoiceReminderLimit: 3,
  })),
  'settings.saveBranch': adminOnly(() => ({ name: 'Matrix branch' })),
  'settings.deleteBranch': adminOnly(() => ({ id: '00000000-0000-4000-8000-0000000000b1' })),
  'settings.saveJobType': adminOnly(() => ({ code: 'MATRIX', name: 'Matrix type', trade: 'general' })),
  'settings.savePriority': adminOnly(() => ({ code: 'P9', name: 'Matrix', targetHours: 8, warnAtPercent: [50] })),
  'settings.saveMember': adminOnly((s) => ({ userId: s.a.staff.id, jobTitle: 'Matrix' })),
  'settings.deleteJobType': adminOnly(() => ({ id: '00000000-0000-4000-8000-0000000000b2' })),
  'settings.deletePriority': adminOnly(() => ({ id: '00000000-0000-4000-8000-0000000000b3' })),
  'properties.list': staffOnly(() => ({})),
  'properties.get': staffOnly((s) => ({ id: s.a.property.id }), B_NOT_FOUND),
  // Saves A's property with the values it already has, so other rows still find it.
  'properties.save': staffOnly(
    (s) => ({ id: s.a.property.id, line1: '1 Test Street', town: 'London', postcode: 'SW1A 1AA' }),
    B_NOT_FOUND,
  ),
  // Each agency's own landlords: B's staff list and add B's (the leak checks prove A's stay hidden).
  'landlords.list': staffOnly(() => ({})),
  'landlords.save': staffOnly(() => ({ name: 'Matrix Landlord', email: 'matrix@owners.example' })),
  // Imports write many records at once: agency admins only (the matrix's staff are not admins).
  'imports.preview': adminOnly(() => ({ kind: 'tenants', csv: 'name\nNobody\n' })),
  'imports.run': adminOnly(() => ({ kind: 'tenants', csv: 'name\nNobody\n' })),
  'tenants.list': staffOnly(() => ({})),
  'tenants.get': staffOnly((s) => ({ id: s.tenantId }), B_NOT_FOUND),
  'tenants.save': staffOnly(
    (s) => ({ id: s.tenantId, name: 'Tess Tenant', email: 'tess@example.test', propertyId: s.a.property.id }),
    B_NOT_FOUND,
  ),
  'contractors.list': staffOnly(() => ({})),
  'contractors.get': staffOnly((s) => ({ id: s.a.contractors[1].id }), B_NOT_FOUND),
  'contractors.save': staffOnly(
    (s) => ({
      id: s.a.contractors[1].id,
      name: s.a.contractors[1].name,
      email: s.a.contractors[1].email,
      trades: ['electrical'],
      coverage: ['SW1A'],
    }),
    B_NOT_FOUND,
  ),
  'contractors.saveCertification': staffOnly(
    (s) => ({ contractorId: s.a.contractors[1].id, name: 'NICEIC', expiresOn: '2030-01-01' }),
    B_NOT_FOUND,
  ),
  'contractors.removeCertification': staffOnly(async (s) => {
    const cert = (await call(s.users.staffA, 'contractors.saveCertification', {
      contractorId: s.a.contractors[1].id,
      name: 'Temp',
      expiresOn: '2030-01-01',
    })) as { id: string };
    return { contractorId: s.a.contractors[1].id, id: cert.id };
  }, B_NOT_FOUND),
  'contractors.saveContact': staffOnly(
    (s) => ({ contractorId: s.a.contractors[1].id, name: 'Office', phone: '0117 496 0500' }),
    B_NOT_FOUND,
  ),
  'contractors.removeContact': staffOnly(async (s) => {
    const contact = (await call(s.users.staffA, 'contractors.saveContact', {
      contractorId: s.a.contractors[1].id,
      name: 'Temp',
      phone: '0117 496 0501',
    })) as { id: string };
    return { contractorId: s.a.contractors[1].id, id: contact.id };
  }, B_NOT_FOUND),
  'portal.jobs': {
    ...contractorOnly(() => ({ view: 'all' })),
    cells: {
      ...contractorOnly(() => ({})).cells,
      contractorAssigned: {
        allow: true,
        check: (r, s) => expect((r as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([s.jobId]),
      },
      contractorNotAssigned: { allow: true, check: (r) => expect((r as { items: unknown[] }).items).toEqual([]) },
    },
  },
  'portal.job': contractorOnly((s) => ({ id: s.jobId }), { allow: false, codes: ['NOT_FOUND'] }),
  'portal.contacts': contractorOnly(() => undefined),
  // Finance. The scenario's job is in progress with no invoices, so several allowed calls get past
  // authorization and are then refused by the machine or the data (the listed codes), never FORBIDDEN.
  'finance.job': staffOnly((s) => ({ jobId: s.jobId }), { allow: false, codes: ['NOT_FOUND'] }),
  'finance.overview': staffOnly(() => undefined),
  'finance.clientMoney': staffOnly(() => ({ view: 'all' as const })),
  'finance.raiseInvoice': {
    input: (s) => ({
      jobId: s.jobId,
      number: 'INV-MATRIX',
      agentNetPence: 100,
      contractorTotalPence: 50,
      clientName: 'Lee Landlord',
      clientAddress: '9 Billing Road, Bristol BS1 4ST',
    }),
    cells: {
      ...staffOnly(() => undefined).cells,
      staffA: { allow: false, codes: ['CONFLICT'] },
      staffB: { allow: false, codes: ['NOT_FOUND'] },
    },
  },
  'finance.recordPayment': {
    input: (s) => ({
      jobId: s.jobId,
      key: 'matrix-payment',
      leg: 'client',
      amountPence: 100,
      reference: 'M',
      paidOn: ukDay(new Date()),
    }),
    cells: {
      ...staffOnly(() => undefined).cells,
      staffA: { allow: false, codes: ['CONFLICT'] },
      staffB: { allow: false, codes: ['NOT_FOUND'] },
    },
  },
  'finance.approveInvoice': {
    input: () => ({ invoiceId: '00000000-0000-4000-8000-00000000f001' }),
    cells: {
      ...staffOnly(() => undefined).cells,
      staffA: { allow: false, codes: ['NOT_FOUND'] },
      staffB: { allow: false, codes: ['NOT_FOUND'] },
    },
  },
  'finance.queryInvoice': {
    input: () => ({ invoiceId: '00000000-0000-4000-8000-00000000f001', reason: 'Matrix' }),
    cells: {
      ...staffOnly(() => undefined).cells,
      staffA: { allow: false, codes: ['NOT_FOUND'] },
      staffB: { allow: false, codes: ['NOT_FOUND'] },
    },
  },
  'finance.createPaymentRun': {
    input: (s) => ({
      contractorId: s.a.contractors[0].id,
      invoiceIds: ['00000000-0000-4000-8000-00000000f001'],
      reference: 'RUN-M',
      paidOn: '2026-11-23',
      key: 'matrix-run-key',
    }),
    cells: {
      ...staffOnly(() => undefined).cells,
      staffA: { allow: false, codes: ['BAD_REQUEST'] },
      staffB: { allow: false, codes: ['NOT_FOUND'] },
    },
  },
  'finance.remittance': {
    input: () => ({ id: '00000000-0000-4000-8000-00000000f001' }),
    cells: {
      ...staffOnly(() => undefined).cells,
      staffA: { allow: false, codes: ['NOT_FOUND'] },
      staffB: { allow: false, codes: ['NOT_FOUND'] },
    },
  },
  'finance.invoiceDocument': {
    input: (s) => ({ jobId: s.jobId }),
    cells: {
      ...staffOnly(() => undefined).cells,
      staffA: { allow: false, codes: ['NOT_FOUND'] },
      staffB: { allow: false, codes: ['NOT_FOUND'] },
    },
  },
  // The job has no credit note: its own staff find none; another agency's cannot see the job at all.
  'finance.creditNoteDocument': {
    input: (s) => ({ jobId: s.jobId, number: 'CN-000001' }),
    cells: {
      ...staffOnly(() => undefined).cells,
      staffA: { allow: false, codes: ['NOT_FOUND'] },
      staffB: { allow: false, codes: ['NOT_FOUND'] },
    },
  },
  'portal.myJobInvoice': contractorOnly((s) => ({ jobId: s.jobId }), { allow: false, codes: ['NOT_FOUND'] }),
  'portal.submitInvoice': {
    input: (s) => ({
      jobId: s.jobId,
      number: 'PP-M',
      issuedOn: '2026-11-23',
      netPence: 100,
      vatPence: 20,
      documentId: '00000000-0000-4000-8000-00000000f001',
    }),
    cells: {
      ...contractorOnly(() => undefined).cells,
      contractorAssigned: { allow: false, codes: ['BAD_REQUEST'] },
      contractorNotAssigned: { allow: false, codes: ['NOT_FOUND'] },
    },
  },
  'portal.account': contractorOnly(() => undefined),
  'portal.statement': contractorOnly(() => ({ from: '2026-01-01', to: '2026-12-31' })),
  'portal.myRemittance': {
    input: () => ({ id: '00000000-0000-4000-8000-00000000f001' }),
    cells: {
      ...contractorOnly(() => undefined).cells,
      contractorAssigned: { allow: false, codes: ['NOT_FOUND'] },
      contractorNotAssigned: { allow: false, codes: ['NOT_FOUND'] },
    },
  },
};

let db: TestDatabase;
let s: Scenario;

const procedures = Object.keys(
  (appRouter as unknown as { _def: { procedures: Record<string, unknown> } })._def.procedures,
).sort();

function call(user: SessionUser | null, path: string, input: unknown): Promise<unknown> {
  const caller = createCaller(
    createContext({ db: db.db, engine: createEmbeddedEngine({ db: db.db }), user, temporalUiUrl: null }),
  ) as unknown as Record<string, unknown>;
  let fn: unknown = caller;
  for (const part of path.split('.')) fn = (fn as Record<string, unknown>)[part];
  return (fn as (input: unknown) => Promise<unknown>)(input);
}

beforeAll(async () => {
  db = await createTestDatabase();
  const a = await createAgency(db.db, 'Agency A');
  const b = await createAgency(db.db, 'Agency B');
  const [tenant] = await db.db
    .insert(tenants)
    .values({ agencyId: a.agency.id, propertyId: a.property.id, name: 'Tess Tenant', email: 'tess@example.test' })
    .returning();
  const staff = (fx: typeof a): SessionUser => ({
    kind: 'staff',
    userId: fx.staff.id,
    name: 'Sam',
    email: fx.staff.email,
    agencyId: fx.agency.id,
    role: 'staff',
  });
  const contractor = (i: number): SessionUser => ({
    kind: 'contractor',
    userId: `00000000-0000-4000-8000-00000000000${i}`,
    name: a.contractors[i]!.name,
    email: a.contractors[i]!.email,
    agencyId: a.agency.id,
    contractorId: a.contractors[i]!.id,
  });
  const users: Record<Role, SessionUser | null> = {
    anonymous: null,
    staffA: staff(a),
    staffB: staff(b),
    contractorAssigned: contractor(0),
    contractorNotAssigned: contractor(1),
  };
  const s0 = { a, b, users } as Scenario;
  const created = (await call(users.staffA, 'jobs.create', {
    title: 'Leak under sink',
    priorityCode: 'P2',
    propertyId: a.property.id,
    tenantId: tenant!.id,
  })) as { id: string };
  await call(users.staffA, 'jobs.send', {
    id: created.id,
    command: { type: 'OFFER', contractorId: a.contractors[0].id },
  });
  await call(users.contractorAssigned, 'jobs.send', { id: created.id, command: { type: 'ACCEPT' } });
  await call(users.contractorAssigned, 'jobs.send', { id: created.id, command: { type: 'START' } });
  s = {
    ...s0,
    jobId: created.id,
    tenantId: tenant!.id,
    secretsOfA: [a.agency.id, a.property.id, created.id, tenant!.id, ...a.contractors.map((c) => c.id)],
  };
});
afterAll(() => db?.close());

describe('authorization matrix', () => {
  it('every procedure is in the matrix', () => {
    const missing = procedures.filter((p) => !MATRIX[p]);
    expect(missing, `add rows for: ${missing.join(', ')}`).toEqual([]);
  });

  it('every procedure refuses anonymous callers (whatever the input)', async () => {
    for (const path of procedures) {
      const error = await call(null, path, undefined).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, `${path} answered an anonymous caller`).toBeInstanceOf(TRPCError);
      expect((error as TRPCError).code, path).toBe('UNAUTHORIZED');
    }
  });

  const rows = procedures.filter((p) => MATRIX[p]);
  describe.each(rows)('%s', (path) => {
    it.each(ROLES)('%s', async (role) => {
      const row = MATRIX[path];
      const cell = row!.cells[role];
      const input = await row!.input(s);
      const outcome = await call(s.users[role], path, input).then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      if (cell.allow) {
        if (!outcome.ok) throw outcome.error;
        if (role === 'staffB')
          for (const id of s.secretsOfA)
            expect(contains(outcome.result, id), `${path} leaked ${id} to staff of B`).toBe(false);
        if (role === 'contractorNotAssigned')
          expect(contains(outcome.result, s.jobId), `${path} leaked the job to an unassigned contractor`).toBe(false);
        await cell.check?.(outcome.result, s);
      } else {
        expect(outcome.ok, `${path} allowed ${role}`).toBe(false);
        if (outcome.ok) return;
        expect(outcome.error).toBeInstanceOf(TRPCError);
        expect(cell.codes ?? ['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND']).toContain((outcome.error as TRPCError).code);
      }
    });
  });

  it("denied calls left agency A's job untouched by B and by the unassigned contractor", async () => {
    const events = (await call(s.users.staffA, 'jobs.get', { id: s.jobId })) as { timeline: { actorId: string }[] };
    const actors = new Set(events.timeline.map((e) => e.actorId));
    expect(actors.has(s.b.staff.id)).toBe(false);
    expect(actors.has(s.a.contractors[1].id)).toBe(false);
    const [job] = await db.db.select().from(jobs).where(eq(jobs.id, s.jobId));
    expect(job!.agencyId).toBe(s.a.agency.id);
  });

  it('a contractor who has not picked an agency can call nothing', async () => {
    const unpicked: SessionUser = {
      ...(s.users.contractorAssigned as Extract<SessionUser, { kind: 'contractor' }>),
      agencyId: null,
      contractorId: null,
    };
    for (const path of procedures) {
      const input = await MATRIX[path]?.input(s);
      const error = await call(unpicked, path, input).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, `${path} answered a contractor with no agency picked`).toBeInstanceOf(TRPCError);
      expect(['FORBIDDEN', 'UNAUTHORIZED', 'NOT_FOUND']).toContain((error as TRPCError).code);
    }
  });
});
