// Landlords: who owns the agency's properties. The agency invoices them for work on their properties, so the
// agency invoice's "Bill to" starts from the property's landlord. Staff add them from a property's form (pick one
// or add one inline) or by CSV import (#lib/server/import).
import { and, asc, eq, ilike, or } from 'drizzle-orm';
import { z } from 'zod';
import { landlords } from '#db/schema/index.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { router, staffProcedure } from '../trpc.ts';
import { escapeLike, optionalEmail, optionalPhone, optionalText } from '../text-input.ts';
import { auditedRows, type Tx } from '../audited-save.ts';

/** A landlord as staff type them: every way of adding one (the property form, the import) shares these rules. */
export const landlordFields = z.object({
  name: z.string().trim().min(2, "Enter the landlord's name").max(120),
  email: optionalEmail,
  phone: optionalPhone,
  /** Where their invoices go, on one line as the invoice prints it. */
  billingAddress: optionalText(300),
});

export const landlordInput = landlordFields.extend({ id: z.uuid().optional() });

export const landlordRows = auditedRows(landlords, 'Landlord', {
  create: 'landlord.create',
  update: 'landlord.update',
});

type Staff = Extract<SessionUser, { kind: 'staff' }>;

/** Adds (no id) or updates one of the agency's landlords in `tx`, audited `landlord.create` / `landlord.update`. */
export function saveLandlord(tx: Tx, user: Staff, input: z.output<typeof landlordInput>) {
  return landlordRows.save(tx, user, { agencyId: user.agencyId }, input);
}

export const landlordsRouter = router({
  /** The agency's landlords by name (for the property form's picker), optionally matching a search. */
  list: staffProcedure
    .input(z.object({ q: z.string().trim().max(60).optional() }).default({}))
    .query(({ ctx, input }) => {
      const like = input.q ? `%${escapeLike(input.q)}%` : null;
      return ctx.db
        .select()
        .from(landlords)
        .where(
          and(
            eq(landlords.agencyId, ctx.agencyId),
            like ? or(ilike(landlords.name, like), ilike(landlords.email, like)) : undefined,
          ),
        )
        .orderBy(asc(landlords.name))
        .limit(500);
    }),

  save: staffProcedure
    .input(landlordInput)
    .mutation(({ ctx, input }) => ctx.db.transaction((tx) => saveLandlord(tx, ctx.user, input))),
});
