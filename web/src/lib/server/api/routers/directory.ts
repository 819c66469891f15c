// Reference data for forms: priorities, job types, branches, properties by postcode, tenants.
import { and, asc, eq, ilike, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { branches, jobTypes, priorities, properties, tenants } from '#db/schema/index.ts';
import { router, staffProcedure } from '../trpc.ts';
import { escapeLike } from '../text-input.ts';

/** The longest property search: a postcode or a first line of an address fits well within it. */
export const FIND_PROPERTIES_MAX = 60;

export const directoryRouter = router({
  options: staffProcedure.query(async ({ ctx }) => {
    const [p, t, b] = await Promise.all([
      ctx.db.select().from(priorities).where(eq(priorities.agencyId, ctx.agencyId)).orderBy(asc(priorities.sortOrder)),
      ctx.db.select().from(jobTypes).where(eq(jobTypes.agencyId, ctx.agencyId)).orderBy(asc(jobTypes.name)),
      ctx.db.select().from(branches).where(eq(branches.agencyId, ctx.agencyId)).orderBy(asc(branches.name)),
    ]);
    return { priorities: p, jobTypes: t, branches: b };
  }),

  /** Properties whose postcode or first line matches, e.g. "BS1", "bs15lj" or "park row". */
  findProperties: staffProcedure
    .input(z.object({ q: z.string().trim().min(2).max(FIND_PROPERTIES_MAX) }))
    .query(async ({ ctx, input }) => {
      const like = `%${escapeLike(input.q.replace(/\s+/g, ' '))}%`;
      // Postcodes compared without their spaces on both sides: "BS15LJ" and "BS1  5LJ" are "BS1 5LJ".
      const compact = `%${escapeLike(input.q.replace(/\s+/g, ''))}%`;
      const rows = await ctx.db
        .select()
        .from(properties)
        .where(
          and(
            eq(properties.agencyId, ctx.agencyId),
            or(ilike(sql`replace(${properties.postcode}, ' ', '')`, compact), ilike(properties.line1, like)),
          ),
        )
        .orderBy(asc(properties.postcode), asc(properties.line1))
        .limit(20);
      return rows;
    }),

  tenantsAt: staffProcedure.input(z.object({ propertyId: z.uuid() })).query(({ ctx, input }) =>
    ctx.db
      .select()
      .from(tenants)
      .where(and(eq(tenants.agencyId, ctx.agencyId), eq(tenants.propertyId, input.propertyId)))
      .orderBy(asc(tenants.name)),
  ),
});
