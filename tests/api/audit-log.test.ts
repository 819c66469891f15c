// The audit log page's API, against a real database: entries name people, filters narrow them, pages follow
// one another without gaps, admins alone read it, and only their own agency's entries.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, contractors, users } from '#db/schema/index.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { listAuditLog } from '#lib/server/audit/log.ts';
import { callerFor, contractorOf, staffOf } from '../support/callers.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency } from '../support/fixtures.ts';

let t: TestDatabase;
let a: Awaited<ReturnType<typeof createAgency>>;
let b: Awaited<ReturnType<typeof createAgency>>;
let admin: SessionUser;
let jobId: string;
let reference: string;

beforeAll(async () => {
  t = await createTestDatabase();
  a = await createAgency(t.db, 'Agency A');
  b = await createAgency(t.db, 'Agency B');
  await t.db.update(contractors).set({ company: 'PlumbFast' }).where(eq(contractors.id, a.contractors[0].id));
  const [row] = await t.db
    .insert(users)
    .values({ agencyId: a.agency.id, name: 'Alex Admin', email: 'alex@a.example', role: 'admin' })
    .returning();
  admin = {
    kind: 'staff',
    userId: row!.id,
    name: 'Alex Admin',
    email: row!.email,
    agencyId: a.agency.id,
    role: 'admin',
  };
  const staff = callerFor(t.db, staffOf(a));
  ({ id: jobId, reference } = await staff.jobs.create({
    title: 'Leaking tap',
    priorityCode: 'P2',
    propertyId: a.property.id,
  }));
  await staff.jobs.send({ id: jobId, command: { type: 'OFFER', contractorId: a.contractors[0].id } });
  await callerFor(t.db, contractorOf(a, 0)).jobs.send({ id: jobId, command: { type: 'ACCEPT' } });
  // Another job, and the other agency's: neither belongs in a filtered view of the first.
  await staff.jobs.create({ title: 'Broken window', priorityCode: 'P2', propertyId: a.property.id });
  await callerFor(t.db, staffOf(b)).jobs.create({ title: 'Not ours', priorityCode: 'P2', propertyId: b.property.id });
});
afterAll(() => t?.close());

describe('the audit log', () => {
  it('names the person for each entry, newest first, and only this agency’s', async () => {
    const { entries } = await callerFor(t.db, admin).audit.list({});
    expect(entries.map((e) => [e.action, e.who])).toEqual([
      ['job.created', 'Sam Staff'],
      ['job.accept', 'Pat Plumber (PlumbFast)'],
      ['job.offer', 'Sam Staff'],
      ['job.created', 'Sam Staff'],
    ]);
    expect(entries.every((e) => e.jobReference?.startsWith('JOB-'))).toBe(true);
  });

  it('filters by job reference (however typed), person, action and UK day', async () => {
    const api = callerFor(t.db, admin);
    const byJob = await api.audit.list({ job: reference.toLowerCase() });
    expect(byJob.entries.map((e) => e.action)).toEqual(['job.accept', 'job.offer', 'job.created']);
    const byPerson = await api.audit.list({ person: a.contractors[0].id });
    expect(byPerson.entries.map((e) => e.action)).toEqual(['job.accept']);
    // An area matches its actions; an exact action only itself.
    expect((await api.audit.list({ action: 'job' })).entries).toHaveLength(4);
    expect((await api.audit.list({ action: 'job.offer' })).entries).toHaveLength(1);
    expect((await api.audit.list({ action: 'job.off' })).entries).toHaveLength(0);
    // Yesterday holds nothing; a range that ends today holds everything.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
    const yesterday = new Date(Date.parse(`${today}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    expect((await api.audit.list({ from: yesterday, to: yesterday })).entries).toHaveLength(0);
    expect((await api.audit.list({ from: yesterday, to: today })).entries).toHaveLength(4);
    const options = await api.audit.options();
    expect(options.people.map((p) => p.label)).toEqual([
      'Alex Admin',
      'Sam Staff',
      'Eve Electric',
      'Pat Plumber (PlumbFast)',
      'Fettle (automatic)',
    ]);
    expect(options.actions).toEqual(['job.accept', 'job.created', 'job.offer']);
  });

  it('pages without gaps or repeats, even when entries share a time', async () => {
    const at = new Date('2026-11-30T10:00:00Z');
    await t.db.insert(auditLog).values(
      Array.from({ length: 7 }, (_, i) => ({
        agencyId: a.agency.id,
        actorId: admin.userId,
        actorRole: 'admin',
        action: 'settings.branch.update',
        detail: { n: i },
        at,
      })),
    );
    const seen: number[] = [];
    let cursor: { at: string; id: number } | undefined;
    do {
      const page = await listAuditLog(t.db, a.agency.id, { action: 'settings' }, { limit: 3, cursor });
      seen.push(...page.entries.map((e) => e.detail.n as number));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0]);
  });

  it('is for admins: staff and contractors are refused, and bad filters are said in words', async () => {
    await expect(callerFor(t.db, staffOf(a)).audit.list({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerFor(t.db, contractorOf(a, 0)).audit.list({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(callerFor(t.db, admin).audit.list({ from: '2026-12-05', to: '2026-12-01' })).rejects.toThrow(
      'The “from” day is after the “to” day',
    );
  });
});
