// Minimal real rows for engine and API tests: an agency with staff, contractors, a property and jobs.
import type { Database } from '#db/client.ts';
import { exactly, one } from '#db/rows.ts';
import { agencies, contractors, jobs, priorities, properties, users } from '#db/schema/index.ts';
import type { JobInput, PriorityPolicy } from '#workflows/model.ts';

export const URGENT: PriorityPolicy = { code: 'P2', name: 'Urgent', targetHours: 24, warnAtPercent: [75, 90] };
export const ROUTINE: PriorityPolicy = { code: 'P3', name: 'Routine', targetHours: 72, warnAtPercent: [75, 90] };
const CHASE = { offerReminderHours: 4, offerEscalationHours: 24, invoiceReminderHours: 168 };

export async function createAgency(db: Database, name = 'Acme Lettings') {
  const agency = one(
    await db
      .insert(agencies)
      .values({ name, slug: `${name.toLowerCase().replace(/\W+/g, '-')}-${Math.random().toString(36).slice(2, 8)}` })
      .returning(),
  );
  const staff = one(
    await db
      .insert(users)
      .values({ agencyId: agency.id, name: 'Sam Staff', email: `sam+${agency.slug}@example.test`, role: 'staff' })
      .returning(),
  );
  const contractorRows = await db
    .insert(contractors)
    .values([
      {
        agencyId: agency.id,
        name: 'Pat Plumber',
        email: `pat+${agency.slug}@example.test`,
        trades: ['plumbing'],
        coverage: ['SW1A'],
      },
      {
        agencyId: agency.id,
        name: 'Eve Electric',
        email: `eve+${agency.slug}@example.test`,
        trades: ['electrical'],
        coverage: ['SW1A'],
      },
    ])
    .returning();
  await db.insert(priorities).values([
    { agencyId: agency.id, ...URGENT, sortOrder: 1 },
    { agencyId: agency.id, ...ROUTINE, sortOrder: 2 },
  ]);
  const property = one(
    await db
      .insert(properties)
      .values({ agencyId: agency.id, line1: '1 Test Street', town: 'London', postcode: 'SW1A 1AA', outcode: 'SW1A' })
      .returning(),
  );
  return { agency, staff, contractors: exactly(contractorRows, 2), property };
}

let counter = 0;

/** Inserts a job's read-model row and returns the engine input for it. */
export async function createJobRow(
  db: Database,
  agencyId: string,
  options: { createdAt?: Date; priority?: PriorityPolicy; propertyId?: string } = {},
): Promise<JobInput> {
  const number = ++counter;
  const createdAt = options.createdAt ?? new Date();
  const priority = options.priority ?? URGENT;
  const reference = `JOB-${String(number).padStart(6, '0')}-${Math.random().toString(36).slice(2, 6)}`;
  const job = one(
    await db
      .insert(jobs)
      .values({
        agencyId,
        number,
        reference,
        title: `Leaking tap ${number}`,
        priorityCode: priority.code,
        propertyId: options.propertyId,
        createdAt,
      })
      .returning(),
  );
  return { jobId: job.id, reference, agencyId, createdAt: createdAt.toISOString(), priority, chase: CHASE };
}

/** A clock tests move by hand. */
export function manualClock(start = new Date('2026-03-02T09:00:00.000Z')) {
  let now = start.getTime();
  const clock = () => new Date(now);
  return Object.assign(clock, {
    set: (d: Date) => void (now = d.getTime()),
    advance: (ms: number) => void (now += ms),
  });
}
