// Properties: the agency's managed addresses. Postcodes are normalised and their district derived,
// because coverage and the map match on the district.
import { and, asc, count, desc, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { branches, jobs, landlords, properties, tenants } from '#db/schema/index.ts';
import { UNRESOLVED_STATUSES } from '#workflows/model.ts';
import { outcodeOf } from '#lib/postcode.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { router, staffProcedure } from '../trpc.ts';
import { escapeLike, optionalText, ukPostcode } from '../text-input.ts';
import { found, inAgency, type Tx } from '../found.ts';
import { auditedRows } from '../audited-save.ts';
import { postcodesOf, type Context } from '../context.ts';
import { landlordFields, saveLandlord } from './landlords.ts';

/** A property's address and branch, as staff type them: the rules every way of adding a property shares (the
 * properties form, and a new job's "Add this property"). */
export const propertyAddress = z.object({
  line1: z.string().trim().min(3, 'Enter the first line of the address').max(120),
  line2: optionalText(120),
  town: z.string().trim().min(2, 'Enter the town').max(60),
  postcode: ukPostcode('Enter the postcode'),
  branchId: z
    .uuid()
    .optional()
    .or(z.literal('').transform(() => undefined)),
});

export const propertyInput = propertyAddress
  .extend({
    id: z.uuid().optional(),
    lat: z.number().min(49).max(61).optional(),
    lng: z.number().min(-9).max(2.5).optional(),
    accessNotes: optionalText(1000),
    /** The agency's landlord who owns it; '' for none; absent leaves it as it is. */
    landlordId: z.uuid().or(z.literal('')).optional(),
    /** A landlord added with the property (in place of `landlordId`). */
    newLandlord: landlordFields.optional(),
  })
  .refine((p) => (p.lat === undefined) === (p.lng === undefined), {
    path: ['lat'],
    message: 'Give both latitude and longitude, or neither',
  })
  .refine((p) => !(p.newLandlord && p.landlordId), {
    path: ['landlordId'],
    message: 'Choose a landlord or add a new one, not both',
  });

const propertyRows = auditedRows(properties, 'Property', { create: 'property.create', update: 'property.update' });

export const propertiesRouter = router({
  list: staffProcedure
    .input(
      z.object({
        q: z.string().trim().max(60).optional(),
        branchId: z.uuid().optional(),
        offset: z.number().int().min(0).max(100_000).default(0),
        limit: z.number().int().min(1).max(100).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const like = input.q ? `%${escapeLike(input.q)}%` : null;
      const where = and(
        eq(properties.agencyId, ctx.agencyId),
        input.branchId ? eq(properties.branchId, input.branchId) : undefined,
        like
          ? or(
              ilike(properties.postcode, like),
              ilike(properties.line1, like),
              ilike(properties.town, like),
              ilike(sql`replace(${properties.postcode}, ' ', '')`, like.replace(/\s+/g, '')),
            )
          : undefined,
      );
      const rows = await ctx.db
        .select({ property: properties, branchName: branches.name })
        .from(properties)
        .leftJoin(branches, eq(branches.id, properties.branchId))
        .where(where)
        .orderBy(asc(properties.postcode), asc(properties.line1))
        .limit(input.limit + 1)
        .offset(input.offset);
      const page = rows.slice(0, input.limit);
      const ids = page.map((r) => r.property.id);
      const [tenantRows, open] = ids.length
        ? await Promise.all([
            ctx.db
              .select({ id: tenants.id, name: tenants.name, propertyId: tenants.propertyId })
              .from(tenants)
              .where(inArray(tenants.propertyId, ids)),
            ctx.db
              .select({ propertyId: jobs.propertyId, n: count() })
              .from(jobs)
              .where(
                and(
                  eq(jobs.agencyId, ctx.agencyId),
                  inArray(jobs.propertyId, ids),
                  inArray(jobs.status, [...UNRESOLVED_STATUSES]),
                ),
              )
              .groupBy(jobs.propertyId),
          ])
        : [[], []];
      return {
        items: page.map((r) => ({
          ...r.property,
          branchName: r.branchName,
          tenants: tenantRows.filter((t) => t.propertyId === r.property.id),
          openJobs: open.find((o) => o.propertyId === r.property.id)?.n ?? 0,
        })),
        hasMore: rows.length > input.limit,
      };
    }),

  get: staffProcedure.input(z.object({ id: z.uuid() })).query(async ({ ctx, input }) => {
    const property = found(await inAgency(ctx.db, properties, ctx.agencyId, input.id), 'Property');
    const [people, recent, owner] = await Promise.all([
      ctx.db.select().from(tenants).where(eq(tenants.propertyId, property.id)).orderBy(asc(tenants.name)),
      ctx.db
        .select({
          id: jobs.id,
          reference: jobs.reference,
          title: jobs.title,
          status: jobs.status,
          createdAt: jobs.createdAt,
        })
        .from(jobs)
        .where(and(eq(jobs.agencyId, ctx.agencyId), eq(jobs.propertyId, property.id)))
        .orderBy(desc(jobs.createdAt))
        .limit(20),
      property.landlordId
        ? ctx.db
            .select()
            .from(landlords)
            .where(and(eq(landlords.id, property.landlordId), eq(landlords.agencyId, ctx.agencyId)))
        : [],
    ]);
    return { property, tenants: people, jobs: recent, landlord: owner[0] ?? null };
  }),

  save: staffProcedure.input(propertyInput).mutation(async ({ ctx, input }) => {
    const located = await locateProperty(ctx, input);
    return ctx.db.transaction((tx) => saveProperty(tx, ctx.user, { ...input, ...located }));
  }),
});

/**
 * Where a property is when staff did not say: its postcode's own position from the postcode lookup
 * (postcodes.io), asked before the transaction. Best effort: no answer (no service, unknown postcode, an
 * outage, a timeout) leaves it unplaced, and the save goes ahead. A district's centre is not used: the map
 * would then call the property's position exact.
 */
export async function locateProperty(
  ctx: Pick<Context, 'db' | 'postcodes'>,
  input: { postcode: string; lat?: number; lng?: number },
): Promise<{ lat?: number; lng?: number }> {
  if (input.lat !== undefined && input.lng !== undefined) return {};
  try {
    const place = await postcodesOf(ctx).postcode(input.postcode);
    return place ? { lat: place.lat, lng: place.lng } : {};
  } catch (e) {
    console.warn(`No position for ${input.postcode}: ${(e as Error).message}`);
    return {};
  }
}

type Staff = Extract<SessionUser, { kind: 'staff' }>;

/**
 * Adds (no id) or updates one of the staff member's agency's properties in `tx`, audited as `property.create` or
 * `property.update`: its branch must be the agency's, and its district is derived from the postcode.
 */
export async function saveProperty(
  tx: Tx,
  user: Staff,
  input: z.output<typeof propertyAddress> &
    Partial<Pick<z.output<typeof propertyInput>, 'id' | 'lat' | 'lng' | 'accessNotes' | 'landlordId' | 'newLandlord'>>,
) {
  const { id, landlordId: chosen, newLandlord, ...rest } = input;
  if (rest.branchId) found(await inAgency(tx, branches, user.agencyId, rest.branchId), 'Branch');
  if (chosen) found(await inAgency(tx, landlords, user.agencyId, chosen), 'Landlord');
  // A landlord added inline is saved (and audited) first, in the same transaction as the property.
  const landlordId = newLandlord ? (await saveLandlord(tx, user, newLandlord)).id : chosen;
  const values = {
    ...rest,
    ...(landlordId === undefined ? {} : { landlordId: landlordId || null }),
    branchId: rest.branchId ?? null,
    lat: rest.lat ?? null,
    lng: rest.lng ?? null,
    outcode: outcodeOf(rest.postcode)!,
  };
  return propertyRows.save(tx, user, { agencyId: user.agencyId }, { id, ...values });
}
