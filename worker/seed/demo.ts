// Demo data for a first run: two agencies, staff, job types, priorities, properties, tenants,
// contractors (one working for both agencies) and jobs driven through the engine into several states.
import type { Database } from '#db/client.ts';
import { exactly, one } from '#db/rows.ts';
import {
  agencies,
  branches,
  certifications,
  contractorContacts,
  contractors,
  jobTypes,
  priorities,
  properties,
  tenants,
  users,
} from '#db/schema/index.ts';
import type { Actor } from '#workflows/model.ts';
import { addCalendarDays, addHours, ukDay } from '#workflows/time.ts';
import type { JobEngine } from '../engines/port.ts';
import { createJob } from '../jobs/create-job.ts';
import { seedDemoLogins } from './logins.ts';
import { seedFinance } from './finance.ts';
import { UK_DEFAULT_JOB_TYPES, UK_DEFAULT_PRIORITIES } from '../agencies/open-agency.ts';

export const DEMO_PASSWORD = 'demo-password-1';
export const DEMO_LOGINS = [
  { email: 'admin@harbour.example', role: 'admin', note: 'Harbour Lettings admin' },
  { email: 'staff@harbour.example', role: 'staff', note: 'Harbour Lettings staff' },
  { email: 'admin@northgate.example', role: 'admin', note: 'Northgate Homes admin' },
  { email: 'staff@northgate.example', role: 'staff', note: 'Northgate Homes staff' },
  { email: 'pat@plumbfast.example', role: 'contractor', note: 'contractor for both agencies' },
] as const;

const outcode = (postcode: string) => (postcode.split(' ')[0] ?? '').toUpperCase();

export async function isSeeded(db: Database): Promise<boolean> {
  return (await db.select({ id: agencies.id }).from(agencies).limit(1)).length > 0;
}

export async function seedDemo(db: Database, engine: JobEngine, now = new Date()): Promise<void> {
  const [harbour, northgate] = exactly(
    await db
      .insert(agencies)
      .values([
        {
          name: 'Harbour Lettings',
          slug: 'harbour',
          phone: '0117 496 0000',
          email: 'office@harbour.example',
          address: '12 Queen Square, Bristol BS1 4NT',
          vatNumber: 'GB123456782',
          offerReminderHours: 4,
          offerEscalationHours: 24,
        },
        { name: 'Northgate Homes', slug: 'northgate', phone: '0161 496 0100', email: 'office@northgate.example' },
      ])
      .returning(),
    2,
  );

  const [harbourBranch] = exactly(
    await db
      .insert(branches)
      .values([
        {
          agencyId: harbour.id,
          name: 'Bristol Central',
          phone: '0117 496 0001',
          email: 'bristol@harbour.example',
          address: '12 Queen Square, Bristol BS1 4NT',
        },
        {
          agencyId: northgate.id,
          name: 'Manchester',
          phone: '0161 496 0101',
          email: 'mcr@northgate.example',
          address: '5 King Street, Manchester M2 4LQ',
        },
        {
          agencyId: harbour.id,
          name: 'Clifton',
          phone: '0117 496 0010',
          email: 'clifton@harbour.example',
          address: '3 Princess Victoria Street, Bristol BS8 4BX',
        },
      ])
      .returning(),
    3,
  );

  const [admin, staff, , nia] = exactly(
    await db
      .insert(users)
      .values([
        {
          agencyId: harbour.id,
          name: 'Alex Admin',
          email: 'admin@harbour.example',
          role: 'admin',
          jobTitle: 'Lettings Manager',
          phone: '0117 496 0002',
        },
        {
          agencyId: harbour.id,
          name: 'Sam Staff',
          email: 'staff@harbour.example',
          role: 'staff',
          jobTitle: 'Property Manager',
          phone: '0117 496 0003',
        },
        {
          agencyId: northgate.id,
          name: 'Noor Admin',
          email: 'admin@northgate.example',
          role: 'admin',
          jobTitle: 'Head of Property Management',
          phone: '0161 496 0103',
        },
        {
          agencyId: northgate.id,
          name: 'Nia Staff',
          email: 'staff@northgate.example',
          role: 'staff',
          jobTitle: 'Maintenance Coordinator',
          phone: '0161 496 0102',
        },
      ])
      .returning(),
    4,
  );

  for (const agency of [harbour, northgate]) {
    // The same UK defaults every new agency opens with (worker/agencies/open-agency.ts).
    await db
      .insert(priorities)
      .values(UK_DEFAULT_PRIORITIES.map((p) => ({ ...p, warnAtPercent: [...p.warnAtPercent], agencyId: agency.id })));
    await db.insert(jobTypes).values(
      UK_DEFAULT_JOB_TYPES.map((t) => ({
        ...t,
        requiredCertifications: [...t.requiredCertifications],
        agencyId: agency.id,
      })),
    );
  }

  const props = await db
    .insert(properties)
    .values(
      [
        ['Flat 2, 18 Park Row', 'Bristol', 'BS1 5LJ', 51.4564, -2.6006, 'Key safe by the door, code from the office'],
        ['7 Cotham Hill', 'Bristol', 'BS6 6LA', 51.4652, -2.6052, 'Tenant works from home'],
        ['41 North Street', 'Bristol', 'BS3 1EN', 51.4412, -2.6134, null],
        ['3 Wapping Wharf', 'Bristol', 'BS1 6WP', 51.4479, -2.5985, 'Concierge holds keys'],
        ['22 Gloucester Road', 'Bristol', 'BS7 8AE', 51.4741, -2.5911, null],
        ['9 Clifton Down', 'Bristol', 'BS8 3HT', 51.4606, -2.6203, 'Dog on site; call ahead'],
      ].map(([line1, town, postcode, lat, lng, accessNotes]) => ({
        agencyId: harbour.id,
        branchId: harbourBranch.id,
        line1: line1 as string,
        town: town as string,
        postcode: postcode as string,
        outcode: outcode(postcode as string),
        lat: lat as number,
        lng: lng as number,
        accessNotes: accessNotes as string | null,
      })),
    )
    .returning();
  const mcrProp = one(
    await db
      .insert(properties)
      .values({
        agencyId: northgate.id,
        line1: '14 Ancoats Street',
        town: 'Manchester',
        postcode: 'M4 6DE',
        outcode: 'M4',
        lat: 53.4839,
        lng: -2.2282,
      })
      .returning(),
  );

  const tenantRows = await db
    .insert(tenants)
    .values(
      props.map((p, i) => ({
        agencyId: harbour.id,
        propertyId: p.id,
        name: ['Jo Tenant', 'Ravi Shah', 'Mia Jones', 'Tom Price', 'Lena Novak', 'Owen Reid'][i] ?? `Tenant ${i + 1}`,
        email: `tenant${i + 1}@mail.example`,
        phone: `07700 900${100 + i}`,
      })),
    )
    .returning();

  const bristol = ['BS1', 'BS2', 'BS3', 'BS5', 'BS6', 'BS7', 'BS8'];
  const cons = exactly(
    await db
      .insert(contractors)
      .values([
        {
          agencyId: harbour.id,
          name: 'Pat Plumber',
          company: 'PlumbFast Ltd',
          email: 'pat@plumbfast.example',
          phone: '07700 900200',
          trades: ['plumbing', 'heating'],
          coverage: bristol,
          baseOutcode: 'BS5',
          baseLat: 51.4605,
          baseLng: -2.5637,
        },
        {
          agencyId: harbour.id,
          name: 'Eve Electric',
          company: 'Bright Sparks',
          email: 'eve@brightsparks.example',
          phone: '07700 900201',
          trades: ['electrical'],
          coverage: ['BS1', 'BS6', 'BS7', 'BS8'],
          baseOutcode: 'BS7',
          baseLat: 51.4787,
          baseLng: -2.5841,
        },
        {
          agencyId: harbour.id,
          name: 'Gus Gas',
          company: 'Warm Homes Heating',
          email: 'gus@warmhomes.example',
          phone: '07700 900202',
          trades: ['heating', 'plumbing'],
          coverage: ['BS1', 'BS3', 'BS8'],
          baseOutcode: 'BS3',
          baseLat: 51.4398,
          baseLng: -2.6081,
        },
        {
          agencyId: harbour.id,
          name: 'Lou Locks',
          company: 'Secure Locks',
          email: 'lou@securelocks.example',
          phone: '07700 900203',
          trades: ['locksmith', 'general'],
          coverage: bristol,
          baseOutcode: 'BS2',
          baseLat: 51.4603,
          baseLng: -2.5857,
        },
        {
          agencyId: northgate.id,
          name: 'Pat Plumber',
          company: 'PlumbFast Ltd',
          email: 'pat@plumbfast.example',
          phone: '07700 900200',
          trades: ['plumbing'],
          coverage: ['M1', 'M4'],
          baseOutcode: 'M4',
        },
      ])
      .returning(),
    5,
  );
  const [pat, eve, gus, lou, patNorthgate] = cons;
  const inYears = (n: number) => addCalendarDays(ukDay(now), Math.round(n * 365));
  await db.insert(certifications).values([
    { contractorId: pat.id, name: 'Gas Safe', reference: 'GS-552211', expiresOn: inYears(-0.1) }, // expired: cannot take boiler jobs
    { contractorId: gus.id, name: 'Gas Safe', reference: 'GS-778812', expiresOn: inYears(1) },
    { contractorId: eve.id, name: 'NICEIC', reference: 'NIC-30991', expiresOn: inYears(2) },
    { contractorId: eve.id, name: 'CSCS', reference: 'CS-11873', expiresOn: inYears(0.05) }, // valid, renewal due within the month
  ]);
  await db.insert(contractorContacts).values([
    {
      contractorId: pat.id,
      name: 'Dee Wilson',
      role: 'Office and bookings',
      phone: '0117 496 0210',
      email: 'office@plumbfast.example',
    },
    {
      contractorId: pat.id,
      name: 'PlumbFast accounts',
      role: 'Invoices and remittances',
      email: 'accounts@plumbfast.example',
    },
    { contractorId: gus.id, name: 'Out-of-hours line', role: 'Emergencies after 6pm', phone: '07700 900299' },
  ]);

  const staffActor: Actor = { id: staff.id, role: 'staff' };
  const as = (c: { id: string }): Actor => ({ id: c.id, role: 'contractor' });
  const types = Object.fromEntries(
    (await db.select().from(jobTypes)).filter((t) => t.agencyId === harbour.id).map((t) => [t.code, t.id]),
  );
  const hoursAgo = (h: number) => addHours(now, -h);
  // Back-dated jobs let the dispatcher fire real SLA warnings and a breach right after the first start.
  const make = (i: number, title: string, type: string, priorityCode: string, description: string, createdAt = now) =>
    createJob(
      db,
      engine,
      {
        agencyId: harbour.id,
        branchId: harbourBranch.id,
        title,
        descriptionHtml: `<p>${description}</p>`,
        jobTypeId: types[type],
        priorityCode,
        // Both lists are non-empty: the demo's jobs cycle through them.
        propertyId: props[i % props.length]!.id,
        tenantId: tenantRows[i % tenantRows.length]!.id,
        createdBy: admin.id,
      },
      createdAt,
    );

  await make(
    0,
    'Kitchen tap dripping',
    'LEAK',
    'P3',
    'Cold tap in the kitchen drips constantly; tenant has put a bowl under it.',
    hoursAgo(100),
  );
  const offered = await make(
    1,
    'Bathroom extractor fan dead',
    'ELEC',
    'P2',
    'Fan does not start with the light switch.',
    hoursAgo(30),
  );
  await engine.send(offered.id, { type: 'OFFER', contractorId: eve.id, actor: staffActor });

  const boiler = await make(
    2,
    'No hot water',
    'BOILER',
    'P1',
    'Boiler shows fault code F28; no heating or hot water.',
    hoursAgo(2.5),
  );
  await engine.send(boiler.id, { type: 'OFFER', contractorId: gus.id, actor: staffActor });
  await engine.send(boiler.id, { type: 'ACCEPT', actor: as(gus) });

  const leak = await make(3, 'Leak under bathroom sink', 'LEAK', 'P2', 'Water pooling under the vanity unit.');
  for (const e of [
    { type: 'OFFER', contractorId: pat.id, actor: staffActor },
    { type: 'ACCEPT', actor: as(pat) },
    { type: 'START', actor: as(pat) },
    { type: 'ADD_NOTE', text: 'Trap seal perished; replacement ordered, back tomorrow.', actor: as(pat) },
  ] as const)
    await engine.send(leak.id, e);

  const lock = await make(4, 'Front door lock sticking', 'LOCK', 'P3', 'Key turns only with force.');
  for (const e of [
    { type: 'OFFER', contractorId: lou.id, actor: staffActor },
    { type: 'ACCEPT', actor: as(lou) },
    { type: 'START', actor: as(lou) },
    { type: 'COMPLETE', note: 'Lock barrel replaced; two keys left with tenant.', actor: as(lou) },
  ] as const)
    await engine.send(lock.id, e);

  const gutter = await make(5, 'Overflowing gutter', 'GENERAL', 'P4', 'Gutter above the back door overflows in rain.');
  for (const e of [
    { type: 'OFFER', contractorId: lou.id, actor: staffActor },
    { type: 'ACCEPT', actor: as(lou) },
    { type: 'START', actor: as(lou) },
    { type: 'COMPLETE', note: 'Cleared leaves from gutter.', actor: as(lou) },
    { type: 'RECALL', reason: 'Tenant reports the downpipe still blocked.', actor: staffActor },
  ] as const)
    await engine.send(gutter.id, e);

  const paid = await make(0, 'Replace washing machine hose', 'LEAK', 'P3', 'Hose split; machine isolated.');
  for (const e of [
    { type: 'OFFER', contractorId: pat.id, actor: staffActor },
    { type: 'ACCEPT', actor: as(pat) },
    { type: 'START', actor: as(pat) },
    { type: 'COMPLETE', note: 'New hose fitted and tested.', actor: as(pat) },
    { type: 'SUBMIT_INVOICE', number: 'PF-1042', netPence: 6500, vatPence: 1300, totalPence: 7800, actor: as(pat) },
    { type: 'CLOSE', actor: staffActor },
  ] as const)
    await engine.send(paid.id, e);

  // More for Pat (the demo contractor login), so the portal shows each thing a contractor may need to do.
  const shower = await make(
    1,
    'Shower drain slow',
    'LEAK',
    'P3',
    'Shower tray takes ten minutes to drain.',
    hoursAgo(5),
  );
  await engine.send(shower.id, { type: 'OFFER', contractorId: pat.id, actor: staffActor });
  const cistern = await make(
    2,
    'Toilet cistern keeps running',
    'LEAK',
    'P2',
    'Cistern refills every few minutes; fill valve suspected.',
    hoursAgo(6),
  );
  for (const e of [
    { type: 'OFFER', contractorId: pat.id, actor: staffActor },
    { type: 'ACCEPT', actor: as(pat) },
  ] as const)
    await engine.send(cistern.id, e);
  const valve = await make(
    4,
    'Radiator valve weeping',
    'LEAK',
    'P3',
    'Lounge radiator valve leaves a puddle overnight.',
    hoursAgo(48),
  );
  for (const e of [
    { type: 'OFFER', contractorId: pat.id, actor: staffActor },
    { type: 'ACCEPT', actor: as(pat) },
    { type: 'START', actor: as(pat) },
    { type: 'COMPLETE', note: 'Valve gland repacked; no further leak after an hour.', actor: as(pat) },
  ] as const)
    await engine.send(valve.id, e);

  // Northgate: a job for the contractor who works for both agencies.
  const mcr = await createJob(db, engine, {
    agencyId: northgate.id,
    title: 'Radiator not heating',
    descriptionHtml: '<p>Bedroom radiator cold at the top.</p>',
    priorityCode: 'P3',
    propertyId: mcrProp.id,
  });
  await engine.send(mcr.id, { type: 'OFFER', contractorId: patNorthgate.id, actor: { id: 'seed', role: 'staff' } });
  const niaActor: Actor = { id: nia.id, role: 'staff' };
  const northgateJob = (title: string, description: string) =>
    createJob(db, engine, {
      agencyId: northgate.id,
      title,
      descriptionHtml: `<p>${description}</p>`,
      priorityCode: 'P2',
      propertyId: mcrProp.id,
      createdBy: nia.id,
    });
  const mcrLeak = await northgateJob(
    'Leak from ceiling below bathroom',
    'Brown stain spreading on the kitchen ceiling.',
  );
  for (const e of [
    { type: 'OFFER', contractorId: patNorthgate.id, actor: niaActor },
    { type: 'ACCEPT', actor: as(patNorthgate) },
    { type: 'START', actor: as(patNorthgate) },
  ] as const)
    await engine.send(mcrLeak.id, e);
  const mcrTap = await northgateJob('Bath tap loose', 'Hot tap turns in the deck.');
  for (const e of [
    { type: 'OFFER', contractorId: patNorthgate.id, actor: niaActor },
    { type: 'ACCEPT', actor: as(patNorthgate) },
    { type: 'START', actor: as(patNorthgate) },
    { type: 'COMPLETE', note: 'Tap backnut tightened and resealed.', actor: as(patNorthgate) },
    {
      type: 'SUBMIT_INVOICE',
      number: 'PF-2210',
      netPence: 4500,
      vatPence: 900,
      totalPence: 5400,
      actor: as(patNorthgate),
    },
  ] as const)
    await engine.send(mcrTap.id, e);

  await seedFinance(db, engine, now);
  // Working logins for DEMO_LOGINS (better-auth credentials; see worker/seed/logins.ts).
  await seedDemoLogins(db, DEMO_LOGINS, DEMO_PASSWORD);
}
