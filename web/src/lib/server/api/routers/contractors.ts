// Contractors: the agency's directory of firms (profile, trades, certifications with expiry dates,
// coverage districts, base location, contacts), and the candidates for a job, ranked by the assignment
// module (#lib/server/assignment) so the console can suggest the best match and say why. Staff manage
// contractors (day-to-day work, not configuration).
import { TRPCError } from '@trpc/server';
import { and, asc, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '#db/client.ts';
import { certifications, contractorContacts, contractors, jobs, jobTypes, properties } from '#db/schema/index.ts';
import { outcodeOf } from '#lib/postcode.ts';
import { ukDay } from '#workflows/time.ts';
import { certStatus, openJobCounts, suggestCandidates } from '#lib/server/assignment/candidates.ts';
import { router, staffProcedure } from '../trpc.ts';
import { escapeLike, optionalEmail, optionalPhone, optionalText } from '../text-input.ts';
import { emailAddress } from '#lib/server/email-address.ts';
import { found, inAgency } from '../found.ts';
import { auditedRows, conflictOnDuplicate, type Tx } from '../audited-save.ts';
import { postcodesOf, type Context } from '../context.ts';

const district = z.string().transform((v, ctx) => {
  const d = outcodeOf(v);
  if (!d) {
    ctx.addIssue({ code: 'custom', message: `“${v}” is not a postcode district (e.g. BS1 or SW1A)` });
    return z.NEVER;
  }
  return d;
});

export const contractorInput = z
  .object({
    id: z.uuid().optional(),
    name: z.string().trim().min(2, "Enter the contractor's name").max(120),
    company: optionalText(120),
    email: emailAddress('Enter a valid email: offers and remittances go there'),
    phone: optionalPhone,
    trades: z
      .array(z.string().trim().toLowerCase().min(2, 'Trades are at least 2 letters').max(40))
      .min(1, 'Pick at least one trade')
      .max(12, 'At most 12 trades')
      .transform((xs) => [...new Set(xs)]),
    coverage: z
      .array(district)
      .max(80, 'At most 80 districts')
      .transform((xs) => [...new Set(xs)].sort()),
    /** Where they work from: a postcode or district; its location comes from the postcode lookup (its district's centre) unless lat/lng are given. */
    basePostcode: z
      .string()
      .max(10)
      .optional()
      .transform((v, ctx) => {
        if (!v?.trim()) return null;
        const d = outcodeOf(v);
        if (!d) ctx.addIssue({ code: 'custom', message: `“${v}” is not a postcode or district` });
        return d;
      }),
    baseLat: z
      .number()
      .min(49, 'Latitude must be in the UK (49–61)')
      .max(61, 'Latitude must be in the UK (49–61)')
      .optional(),
    baseLng: z
      .number()
      .min(-9, 'Longitude must be in the UK (-9 to 2.5)')
      .max(2.5, 'Longitude must be in the UK (-9 to 2.5)')
      .optional(),
    active: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    if ((c.baseLat === undefined) !== (c.baseLng === undefined))
      ctx.addIssue({ code: 'custom', path: ['baseLat'], message: 'Give both latitude and longitude, or neither' });
  })
  // Without typed coordinates the base is the district's centre, which needs the postcode lookup (a database
  // and perhaps a service): `placeBase` fills it in once the input is otherwise valid.
  .transform(({ basePostcode, baseLat, baseLng, ...rest }) => ({
    ...rest,
    baseOutcode: basePostcode,
    baseLat: baseLat ?? null,
    baseLng: baseLng ?? null,
  }));

/**
 * The base's coordinates when only a postcode or district was given: the district's centre from the postcode
 * lookup (postcodes.io, the imported ONS directory, the demo table). Unknown everywhere: refused beside the
 * field, as the form shows it, asking for coordinates.
 */
async function placeBase(
  ctx: Pick<Context, 'db' | 'postcodes'>,
  input: z.output<typeof contractorInput>,
): Promise<z.output<typeof contractorInput>> {
  if (!input.baseOutcode || (input.baseLat != null && input.baseLng != null)) return input;
  const centre = await postcodesOf(ctx).district(input.baseOutcode);
  if (centre) return { ...input, baseLat: centre.lat, baseLng: centre.lng };
  const message = `No offline location for ${input.baseOutcode}: enter latitude and longitude as well`;
  throw new TRPCError({
    code: 'BAD_REQUEST',
    message,
    cause: new z.ZodRealError([{ code: 'custom', path: ['basePostcode'], message, input: input.baseOutcode }]),
  });
}

export const certificationInput = z.object({
  contractorId: z.uuid(),
  id: z.uuid().optional(),
  name: z.string().trim().min(2, 'Name the certification, e.g. Gas Safe').max(60),
  reference: optionalText(60),
  expiresOn: z.iso
    .date('Enter the expiry date as a date')
    .refine((d) => d >= '2000-01-01' && d <= '2100-12-31', 'Enter a real expiry date'),
});

export const contactInput = z
  .object({
    contractorId: z.uuid(),
    id: z.uuid().optional(),
    name: z.string().trim().min(2, "Enter the contact's name").max(120),
    role: optionalText(60),
    phone: optionalPhone,
    email: optionalEmail,
  })
  .refine((c) => c.phone || c.email, { path: ['phone'], message: 'Give a phone number or an email' });

/** The contractor row, if it belongs to this agency; otherwise NOT_FOUND (never "forbidden": ids of other agencies do not exist here). */
async function contractorInScope(db: Database | Tx, agencyId: string, id: string) {
  return found(await inAgency(db, contractors, agencyId, id), 'Contractor');
}

const contractorRows = auditedRows(contractors, 'Contractor', {
  create: 'contractor.create',
  update: 'contractor.update',
});
const certificationRows = auditedRows(certifications, 'Certification', {
  create: 'contractor.certification.add',
  update: 'contractor.certification.update',
  remove: 'contractor.certification.remove',
});
const contactRows = auditedRows(contractorContacts, 'Contact', {
  create: 'contractor.contact.add',
  update: 'contractor.contact.update',
  remove: 'contractor.contact.remove',
});

export const contractorsRouter = router({
  /** Candidates for a postcode district and (optionally) a job type, best first. */
  candidates: staffProcedure
    .input(
      z.object({
        jobId: z.uuid().optional(),
        outcode: z.string().trim().toUpperCase().max(8).optional(),
        jobTypeId: z.uuid().optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      let { outcode, jobTypeId } = input;
      if (input.jobId) {
        const [job] = await ctx.db
          .select({ jobTypeId: jobs.jobTypeId, outcode: properties.outcode })
          .from(jobs)
          .leftJoin(properties, eq(properties.id, jobs.propertyId))
          .where(and(eq(jobs.id, input.jobId), eq(jobs.agencyId, ctx.agencyId)));
        if (!job) throw new TRPCError({ code: 'NOT_FOUND', message: 'Job not found' });
        outcode ??= job.outcode ?? undefined;
        jobTypeId ??= job.jobTypeId ?? undefined;
      }
      const [type] = jobTypeId ? await inAgency(ctx.db, jobTypes, ctx.agencyId, jobTypeId) : [];
      const candidates = await suggestCandidates(ctx.db, ctx.agencyId, outcode, type, ukDay(ctx.now()));
      return { outcode: outcode ?? null, jobType: type?.name ?? null, candidates };
    }),

  /** The directory: active first, then by name; each with certificates (valid or not) and open work. */
  list: staffProcedure
    .input(
      z.object({
        q: z.string().trim().max(60).optional(),
        trade: z.string().trim().toLowerCase().max(40).optional(),
        includeInactive: z.boolean().default(false),
      }),
    )
    .query(async ({ ctx, input }) => {
      const like = input.q ? `%${escapeLike(input.q)}%` : null;
      const rows = await ctx.db
        .select()
        .from(contractors)
        .where(
          and(
            eq(contractors.agencyId, ctx.agencyId),
            input.includeInactive ? undefined : eq(contractors.active, true),
            input.trade ? sql`${input.trade} = any(${contractors.trades})` : undefined,
            like
              ? or(
                  ilike(contractors.name, like),
                  ilike(contractors.company, like),
                  ilike(contractors.email, like),
                  sql`${input.q!.toUpperCase()} = any(${contractors.coverage})`,
                )
              : undefined,
          ),
        )
        .orderBy(sql`${contractors.active} desc`, asc(contractors.name));
      if (rows.length === 0) return { items: [] };
      const ids = rows.map((r) => r.id);
      const [certs, openBy] = await Promise.all([
        ctx.db
          .select()
          .from(certifications)
          .where(inArray(certifications.contractorId, ids))
          .orderBy(asc(certifications.expiresOn)),
        openJobCounts(ctx.db, ctx.agencyId, ids),
      ]);
      const now = ukDay(ctx.now());
      return {
        items: rows.map((c) => ({
          id: c.id,
          name: c.name,
          company: c.company,
          email: c.email,
          phone: c.phone,
          trades: c.trades,
          coverage: c.coverage,
          baseOutcode: c.baseOutcode,
          active: c.active,
          certifications: certs
            .filter((x) => x.contractorId === c.id)
            .map((x) => ({ id: x.id, name: x.name, expiresOn: x.expiresOn, ...certStatus(x.expiresOn, now) })),
          openJobs: openBy.get(c.id) ?? 0,
        })),
      };
    }),

  /** One contractor's profile: certifications (each valid or expired as of today), contacts, open work. */
  get: staffProcedure.input(z.object({ id: z.uuid() })).query(async ({ ctx, input }) => {
    const contractor = await contractorInScope(ctx.db, ctx.agencyId, input.id);
    const [certs, contacts, openBy] = await Promise.all([
      ctx.db
        .select()
        .from(certifications)
        .where(eq(certifications.contractorId, contractor.id))
        .orderBy(asc(certifications.name), asc(certifications.expiresOn)),
      ctx.db
        .select()
        .from(contractorContacts)
        .where(eq(contractorContacts.contractorId, contractor.id))
        .orderBy(asc(contractorContacts.name)),
      openJobCounts(ctx.db, ctx.agencyId, [contractor.id]),
    ]);
    const now = ukDay(ctx.now());
    return {
      contractor: { ...contractor, portalLinked: contractor.userId !== null, userId: undefined },
      certifications: certs.map((c) => ({ ...c, ...certStatus(c.expiresOn, now) })),
      contacts,
      openJobs: openBy.get(contractor.id) ?? 0,
    };
  }),

  /** Create (no id) or update a contractor's profile. */
  save: staffProcedure.input(contractorInput).mutation(async ({ ctx, input }) => {
    const placed = await placeBase(ctx, input);
    return ctx.db
      .transaction(async (tx) => {
        return contractorRows.save(tx, ctx.user, { agencyId: ctx.agencyId }, placed);
      })
      .catch((e) => conflictOnDuplicate(e, `Another contractor already uses ${input.email}`));
  }),

  /** Add (no id) or correct a certification; the expiry date decides whether it counts. */
  saveCertification: staffProcedure.input(certificationInput).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      const { contractorId, ...row } = input;
      await contractorInScope(tx, ctx.agencyId, contractorId);
      return certificationRows.save(tx, ctx.user, { contractorId }, row);
    }),
  ),

  removeCertification: staffProcedure
    .input(z.object({ contractorId: z.uuid(), id: z.uuid() }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        await contractorInScope(tx, ctx.agencyId, input.contractorId);
        await certificationRows.remove(tx, ctx.user, { contractorId: input.contractorId }, input.id);
        return { removed: true };
      }),
    ),

  /** Add (no id) or update someone to call at the contractor's firm. */
  saveContact: staffProcedure.input(contactInput).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      const { contractorId, ...row } = input;
      await contractorInScope(tx, ctx.agencyId, contractorId);
      return contactRows.save(tx, ctx.user, { contractorId }, row);
    }),
  ),

  removeContact: staffProcedure.input(z.object({ contractorId: z.uuid(), id: z.uuid() })).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      await contractorInScope(tx, ctx.agencyId, input.contractorId);
      await contactRows.remove(tx, ctx.user, { contractorId: input.contractorId }, input.id);
      return { removed: true };
    }),
  ),
});
