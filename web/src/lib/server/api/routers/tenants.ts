// Tenants: who lives at a property and how to reach them. Created here or inline from Create Job.
import { TRPCError } from '@trpc/server';
import { and, asc, eq, ilike, or } from 'drizzle-orm';
import { z } from 'zod';
import { properties, tenants } from '#db/schema/index.ts';
import { router, staffProcedure } from '../trpc.ts';
import { escapeLike, optionalEmail, optionalPhone } from '../text-input.ts';
import { found, inAgency } from '../found.ts';
import { auditedRows } from '../audited-save.ts';

export const tenantInput = z
  .object({
    id: z.uuid().optional(),
    name: z.string().trim().min(2, "Enter the tenant's name").max(120),
    email: optionalEmail,
    phone: optionalPhone,
    propertyId: z
      .uuid()
      .optional()
      .or(z.literal('').transform(() => undefined)),
  })
  .refine((t) => t.email || t.phone, {
    path: ['phone'],
    message: 'Give a phone number or an email so the contractor can arrange access',
  });

const tenantRows = auditedRows(tenants, 'Tenant', { create: 'tenant.create', update: 'tenant.update' });

export const tenantsRouter = router({
  list: staffProcedure
    .input(
      z.object({
        q: z.string().trim().max(60).optional(),
        offset: z.number().int().min(0).max(100_000).default(0),
        limit: z.number().int().min(1).max(100).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const like = input.q ? `%${escapeLike(input.q)}%` : null;
      const rows = await ctx.db
        .select({ tenant: tenants, line1: properties.line1, postcode: properties.postcode })
        .from(tenants)
        .leftJoin(properties, eq(properties.id, tenants.propertyId))
        .where(
          and(
            eq(tenants.agencyId, ctx.agencyId),
            like
              ? or(
                  ilike(tenants.name, like),
                  ilike(tenants.email, like),
                  ilike(tenants.phone, like),
                  ilike(properties.postcode, like),
                  ilike(properties.line1, like),
                )
              : undefined,
          ),
        )
        .orderBy(asc(tenants.name))
        .limit(input.limit + 1)
        .offset(input.offset);
      return {
        items: rows.slice(0, input.limit).map((r) => ({ ...r.tenant, line1: r.line1, postcode: r.postcode })),
        hasMore: rows.length > input.limit,
      };
    }),

  get: staffProcedure.input(z.object({ id: z.uuid() })).query(async ({ ctx, input }) => {
    const [row] = await ctx.db
      .select({
        tenant: tenants,
        property: { id: properties.id, line1: properties.line1, town: properties.town, postcode: properties.postcode },
      })
      .from(tenants)
      .leftJoin(properties, eq(properties.id, tenants.propertyId))
      .where(and(eq(tenants.id, input.id), eq(tenants.agencyId, ctx.agencyId)));
    if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'Tenant not found' });
    return { ...row.tenant, property: row.property };
  }),

  save: staffProcedure.input(tenantInput).mutation(({ ctx, input }) =>
    ctx.db.transaction(async (tx) => {
      const { id, ...rest } = input;
      if (rest.propertyId) found(await inAgency(tx, properties, ctx.agencyId, rest.propertyId), 'Property');
      const values = { ...rest, propertyId: rest.propertyId ?? null };
      return tenantRows.save(tx, ctx.user, { agencyId: ctx.agencyId }, { id, ...values });
    }),
  ),
});
