// The console's own procedures over a real database: the coverage map's data and the staff notification
// inbox (written by the engine's notify activity), each scoped to the caller's agency, with bad input refused.
import { type TRPCError } from '@trpc/server';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notify } from '#activities/notify.ts';
import { contractors, notifications } from '#db/schema/index.ts';
import { createContext } from '#lib/server/api/context.ts';
import { createCaller } from '#lib/server/api/root.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { circleRing } from '#lib/server/map/isochrone.ts';
import { districtOf } from '#lib/server/map/outcodes.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createAgency } from '../support/fixtures.ts';

let database: TestDatabase;
let a: Awaited<ReturnType<typeof createAgency>>;
let b: Awaited<ReturnType<typeof createAgency>>;

const staffOf = (fx: typeof a): SessionUser => ({
  kind: 'staff',
  userId: fx.staff.id,
  name: 'Sam',
  email: fx.staff.email,
  agencyId: fx.agency.id,
  role: 'staff',
});
const contractorOf = (fx: typeof a): SessionUser => ({
  kind: 'contractor',
  userId: '00000000-0000-4000-8000-000000000001',
  name: fx.contractors[0].name,
  email: fx.contractors[0].email,
  agencyId: fx.agency.id,
  contractorId: fx.contractors[0].id,
});
const as = (user: SessionUser | null) =>
  createCaller(
    createContext({ db: database.db, engine: createEmbeddedEngine({ db: database.db }), user, temporalUiUrl: null }),
  );

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as TRPCError,
  );

beforeAll(async () => {
  database = await createTestDatabase();
  a = await createAgency(database.db, 'Agency A');
  b = await createAgency(database.db, 'Agency B');
  // Agency A works in Bristol: one contractor covers BS1 and BS8 from a base in BS8, one covers BS3 only.
  await database.db
    .update(contractors)
    .set({ coverage: ['BS1', 'BS8'], baseOutcode: 'BS8', baseLat: 51.4606, baseLng: -2.6203 })
    .where(eq(contractors.id, a.contractors[0].id));
  await database.db
    .update(contractors)
    .set({ coverage: ['BS3', 'ZZ9'], baseOutcode: 'BS3' })
    .where(eq(contractors.id, a.contractors[1].id));
});
afterAll(() => database?.close());

describe('coverage.map', () => {
  it('places a searched postcode, says who covers its district, and draws districts and travel areas', async () => {
    const map = await as(staffOf(a)).coverage.map({ postcode: 'bs1 5lj', travelMinutes: 15 });
    expect(map.searched).toMatchObject({ outcode: 'BS1', postcode: 'BS1 5LJ', located: 'district' });
    expect(map.searched?.lat).toBeCloseTo(districtOf('BS1')!.lat, 6);
    const [pat, eve] = [
      map.contractors.find((c) => c.id === a.contractors[0].id)!,
      map.contractors.find((c) => c.id === a.contractors[1].id)!,
    ];
    expect(pat.covers).toBe(true);
    expect(eve.covers).toBe(false);
    // Pat's base is his own coordinates; Eve has none, so her base district's centre stands in.
    expect(pat.base).toEqual({ lat: 51.4606, lng: -2.6203 });
    expect(eve.base).toEqual({ lat: districtOf('BS3')!.lat, lng: districtOf('BS3')!.lng });
    // How far each base is from the searched postcode, straight line, so the page can name the nearest.
    expect(pat.distanceKm).toBe(2.0);
    expect(eve.distanceKm).toBe(1.8);
    expect(pat.travel).toMatchObject({ minutes: 15, estimate: true });
    expect(pat.travel!.ring.length).toBeGreaterThan(8);
    // Every covered district is listed; the ones in the offline table have a ring, the unknown one is "unplaced".
    expect(map.districts.map((d) => d.outcode)).toEqual(['BS1', 'BS3', 'BS8', 'ZZ9']);
    expect(map.districts.find((d) => d.outcode === 'BS8')!.ring!.length).toBeGreaterThan(8);
    expect(map.unplaced).toEqual(['ZZ9']);
  });

  it('uses the exact position of a property of the agency at that postcode', async () => {
    const map = await as(staffOf(a)).coverage.map({ postcode: 'SW1A1AA' });
    expect(map.searched).toMatchObject({ outcode: 'SW1A', postcode: 'SW1A 1AA' });
    // The fixture property has no coordinates and SW1A is not in the demo table: known district, no position.
    expect(map.searched?.located).toBe('unknown');
    expect(map.contractors.filter((c) => c.covers)).toEqual([]);
    expect(map.contractors.map((c) => c.distanceKm)).toEqual([null, null]);
  });

  it("shows only the caller's agency's contractors", async () => {
    const mapB = await as(staffOf(b)).coverage.map({});
    expect(mapB.contractors.map((c) => c.id).sort()).toEqual(b.contractors.map((c) => c.id).sort());
    expect(JSON.stringify(mapB)).not.toContain(a.contractors[0].id);
    expect(mapB.searched).toBeNull();
  });

  it('refuses what is not a postcode, out-of-range travel times and non-staff', async () => {
    const bad = await refusal(as(staffOf(a)).coverage.map({ postcode: 'HELLO' }));
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers as any
    expect(bad).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('not a UK postcode') });
    expect(await refusal(as(staffOf(a)).coverage.map({ travelMinutes: 500 }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await refusal(as(staffOf(a)).coverage.map({ postcode: 'x'.repeat(11) }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await refusal(as(contractorOf(a)).coverage.map({}))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refusal(as(null).coverage.map({}))).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('draws circles of the requested radius', () => {
    const ring = circleRing(51.45, -2.6, 2, 16);
    const km = (p: [number, number]) =>
      Math.hypot((p[0] - 51.45) * 111.2, (p[1] + 2.6) * 111.2 * Math.cos((51.45 * Math.PI) / 180));
    for (const p of ring) expect(km(p)).toBeCloseTo(2, 1);
  });
});

describe('notifications', () => {
  let jobA: string;
  let jobB: string;

  beforeAll(async () => {
    jobA = (await as(staffOf(a)).jobs.create({ title: 'Leak in A', priorityCode: 'P2', propertyId: a.property.id })).id;
    jobB = (await as(staffOf(b)).jobs.create({ title: 'Leak in B', priorityCode: 'P2', propertyId: b.property.id })).id;
    // What the engine's notify activity writes when a contractor completes, and when an SLA is breached.
    const staffNote = (template: 'workCompleted' | 'slaBreached' | 'jobOffered' | 'workStarted') => ({
      template,
      contractors: [],
      staff: template !== 'jobOffered',
      data: {},
    });
    await notify(database.db, { jobId: jobA, seq: 4, key: `${jobA}:4:0`, params: staffNote('workStarted') }); // activity, not an action
    await notify(database.db, { jobId: jobA, seq: 5, key: `${jobA}:5:0`, params: staffNote('workCompleted') });
    await notify(database.db, { jobId: jobA, seq: 6, key: `${jobA}:6:0`, params: staffNote('slaBreached') });
    await notify(database.db, { jobId: jobA, seq: 6, key: `${jobA}:6:0`, params: staffNote('slaBreached') }); // a retry: no duplicate
    await notify(database.db, { jobId: jobA, seq: 7, key: `${jobA}:7:0`, params: staffNote('jobOffered') }); // contractors only: not for staff
    await notify(database.db, { jobId: jobB, seq: 5, key: `${jobB}:5:0`, params: staffNote('workCompleted') });
  });

  it("lists the agency's staff notifications newest first, with the job's reference", async () => {
    const list = await as(staffOf(a)).notifications.list({});
    expect(list.items.map((n) => n.template)).toEqual(['slaBreached', 'workCompleted']);
    expect(list.items.every((n) => n.jobId === jobA && n.reference?.startsWith('JOB-') && n.readAt === null)).toBe(
      true,
    );
    expect(list.items[0]!.message.length).toBeGreaterThan(5);
    expect(JSON.stringify(list)).not.toContain(jobB);
    // Activity (work started) is listed on request, and not counted by the bell.
    expect((await as(staffOf(a)).notifications.list({ show: 'all' })).items.map((n) => n.template)).toEqual([
      'slaBreached',
      'workCompleted',
      'workStarted',
    ]);
    expect((await as(staffOf(a)).notifications.unreadCount()).count).toBe(2);
    expect((await as(staffOf(b)).notifications.unreadCount()).count).toBe(1);
  });

  it('pages by id', async () => {
    const first = await as(staffOf(a)).notifications.list({ limit: 1 });
    expect(first.items).toHaveLength(1);
    expect(first.nextBefore).toBe(first.items[0]!.id);
    const second = await as(staffOf(a)).notifications.list({ limit: 1, before: first.nextBefore! });
    expect(second.items.map((n) => n.template)).toEqual(['workCompleted']);
    expect(second.nextBefore).toBeNull();
  });

  it("marks read only the caller's agency's notifications", async () => {
    const [ofB] = await database.db.select().from(notifications).where(eq(notifications.jobId, jobB));
    // A's staff cannot touch B's notification, even by id.
    expect(await as(staffOf(a)).notifications.markRead({ ids: [ofB!.id] })).toEqual({ marked: 0 });
    expect((await as(staffOf(b)).notifications.unreadCount()).count).toBe(1);

    const [newest] = (await as(staffOf(a)).notifications.list({})).items;
    expect(await as(staffOf(a)).notifications.markRead({ ids: [newest!.id] })).toEqual({ marked: 1 });
    expect(await as(staffOf(a)).notifications.markRead({ ids: [newest!.id] })).toEqual({ marked: 0 });
    expect((await as(staffOf(a)).notifications.list({ unreadOnly: true })).items.map((n) => n.template)).toEqual([
      'workCompleted',
    ]);
    expect(await as(staffOf(a)).notifications.markRead({ all: true })).toEqual({ marked: 2 });
    expect((await as(staffOf(a)).notifications.unreadCount()).count).toBe(0);
    expect((await as(staffOf(b)).notifications.unreadCount()).count).toBe(1);
  });

  it('refuses bad input and non-staff, changing nothing', async () => {
    const unread = async () =>
      (await database.db.select({ n: count() }).from(notifications).where(eq(notifications.agencyId, b.agency.id)))[0]!
        .n;
    const before = await unread();
    const staff = as(staffOf(b));
    for (const input of [
      { ids: [] },
      { ids: [-1] },
      { ids: [1.5] },
      { all: false },
      {},
      { ids: Array.from({ length: 201 }, (_, i) => i + 1) },
    ]) {
      expect(
        await refusal(staff.notifications.markRead(input as never)),
        JSON.stringify(input).slice(0, 40),
      ).toMatchObject({ code: 'BAD_REQUEST' });
    }
    expect(await refusal(staff.notifications.list({ limit: 0 }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await refusal(staff.notifications.list({ before: 0 }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await refusal(staff.notifications.list({ show: 'everything' as never }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await refusal(as(contractorOf(a)).notifications.list({}))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refusal(as(contractorOf(a)).notifications.markRead({ all: true }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await refusal(as(null).notifications.unreadCount())).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await unread()).toBe(before);
    expect((await as(staffOf(b)).notifications.unreadCount()).count).toBe(1);
  });
});
