// What a job's Job Sheet shows a given viewer (staff, or the contractor holding or offered the job):
// the access notes and the tenant's phone and email follow `siteAccess` (the assigned contractor only);
// the notes, recalls and photos are those the contractor may see (contractor-view.ts), whoever prints it: the sheet
// is a site document with the contractor's signature block, so staff printing one for the contractor must
// not hand over internal notes. No request plumbing here, so tests can build a sheet straight from the database.
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { JobSheetData } from '#activities/pdf/job-sheet.ts';
import type { Database } from '#db/client.ts';
import {
  agencies,
  attachments,
  branches,
  contractors,
  jobEvents,
  type jobs,
  jobTypes,
  priorities,
  properties,
  tenants,
  users,
} from '#db/schema/index.ts';
import { STATUS_LABELS } from '#workflows/model.ts';
import { contractorSeesFileSql, contractorView, siteAccess } from '../api/contractor-view.ts';
import type { SessionUser } from '../auth/user.ts';

const notePayload = z
  .object({ text: z.string().optional(), note: z.string().optional(), reason: z.string().optional() })
  .catch({});

/** What the sheet shows this viewer of an (already access-checked) job. */
export async function jobSheetData(
  db: Database,
  job: typeof jobs.$inferSelect,
  viewer: SessionUser,
  now = new Date(),
): Promise<JobSheetData | null> {
  const one = <T>(rows: T[]) => rows[0] ?? null;
  const contractorId = viewer.kind === 'contractor' ? viewer.contractorId : null;
  if (viewer.kind === 'contractor' && !contractorId) return null;
  // Whose view the sheet's notes and photos follow: the viewing contractor, or for staff the job's contractor.
  const siteView = contractorId ?? job.contractorId ?? job.offeredToId ?? '';
  const [agency, branch, property, tenant, jobType, priority, contractor, [{ photos } = { photos: 0 }], events] =
    await Promise.all([
      db.select().from(agencies).where(eq(agencies.id, job.agencyId)).then(one),
      job.branchId ? db.select().from(branches).where(eq(branches.id, job.branchId)).then(one) : null,
      job.propertyId ? db.select().from(properties).where(eq(properties.id, job.propertyId)).then(one) : null,
      job.tenantId ? db.select().from(tenants).where(eq(tenants.id, job.tenantId)).then(one) : null,
      job.jobTypeId ? db.select().from(jobTypes).where(eq(jobTypes.id, job.jobTypeId)).then(one) : null,
      db
        .select()
        .from(priorities)
        .where(and(eq(priorities.agencyId, job.agencyId), eq(priorities.code, job.priorityCode)))
        .then(one),
      job.contractorId ? db.select().from(contractors).where(eq(contractors.id, job.contractorId)).then(one) : null,
      db
        .select({ photos: count() })
        .from(attachments)
        .where(and(eq(attachments.jobId, job.id), eq(attachments.kind, 'photo'), contractorSeesFileSql(siteView))),
      // The whole history: what the contractor sees of it starts at the latest offer to them (contractor-view.ts).
      db
        .select()
        .from(jobEvents)
        .where(eq(jobEvents.jobId, job.id))
        .orderBy(asc(jobEvents.seq))
        .then((rows) =>
          rows
            .filter(contractorView(rows, siteView).seesEvent)
            .filter((e) => e.type === 'ADD_NOTE' || e.type === 'COMPLETE' || e.type === 'RECALL'),
        ),
    ]);
  if (!agency) return null;

  // Names for note authors and whoever recalled the job: staff users and contractor records of this agency.
  const staffIds = events
    .filter((e) => e.actorRole !== 'contractor')
    .map((e) => e.actorId)
    .filter((id) => z.uuid().safeParse(id).success);
  const contractorIds = events
    .filter((e) => e.actorRole === 'contractor')
    .map((e) => e.actorId)
    .filter((id) => z.uuid().safeParse(id).success);
  const [staffNames, contractorNames] = await Promise.all([
    staffIds.length ? db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, staffIds)) : [],
    contractorIds.length
      ? db
          .select({ id: contractors.id, name: contractors.name })
          .from(contractors)
          .where(inArray(contractors.id, contractorIds))
      : [],
  ]);
  const names = new Map([...staffNames, ...contractorNames].map((n) => [n.id, n.name]));
  const access = siteAccess({ contractorId }, job, agency);
  const author = (e: (typeof events)[number]) =>
    names.get(e.actorId) ?? (e.actorRole === 'contractor' ? 'Contractor' : 'Agency');

  return {
    reference: job.reference,
    title: job.title,
    status: STATUS_LABELS[job.status] ?? job.status,
    priority: priority ? `${priority.name} (${priority.code})` : job.priorityCode,
    jobType: jobType?.name ?? null,
    createdAt: job.createdAt,
    slaDueAt: job.slaDueAt,
    descriptionHtml: job.descriptionHtml,
    address: property ? [property.line1, property.line2 ?? '', `${property.town} ${property.postcode}`] : [],
    accessNotes: access.accessNotes ? (property?.accessNotes ?? null) : null,
    tenant: tenant && {
      name: tenant.name,
      phone: access.tenantContact ? tenant.phone : null,
      email: access.tenantContact ? tenant.email : null,
    },
    agency: {
      name: agency.name,
      phone: branch?.phone ?? agency.phone,
      email: branch?.email ?? agency.email,
      branch: branch?.name ?? null,
    },
    contractor: contractor && { name: contractor.name, company: contractor.company, phone: contractor.phone },
    notes: events
      .filter((e) => e.type !== 'RECALL')
      .map((e) => {
        const p = notePayload.parse(e.payload);
        const text = (e.type === 'COMPLETE' ? `Completed: ${p.note ?? ''}` : (p.text ?? '')).trim();
        return { at: e.at, by: author(e), text };
      })
      .filter((n) => n.text),
    // The recalls in the viewer's part of the job, as the portal shows them (the contractor is told why).
    recalls: events
      .filter((e) => e.type === 'RECALL')
      .map((e) => ({ at: e.at, by: author(e), reason: (notePayload.parse(e.payload).reason ?? '').trim() })),
    photoCount: photos,
    generatedAt: now,
  };
}
