// CSV import of properties (with landlords), tenants and contractors from the system an agency used before:
// `preview` says per row what an import would do, `run` does it for the valid rows in one transaction. Both
// plan afresh from the file (#lib/server/import), so re-uploading a file changes nothing it already did.
// Agency admins only: an import writes many records at once.
import { z } from 'zod';
import { applyImport, loadExisting, lockImports } from '#lib/server/import/apply.ts';
import { readCsv } from '#lib/server/import/csv.ts';
import { IMPORT_KINDS } from '#lib/server/import/kinds.ts';
import { planImport } from '#lib/server/import/plan.ts';
import { adminProcedure, router } from '../trpc.ts';

/** The largest file taken (about 20 000 rows of properties with landlords). */
export const IMPORT_MAX_BYTES = 8_000_000;

const importInput = z.object({
  kind: z.enum(IMPORT_KINDS, 'Choose what the file holds: properties, tenants or contractors'),
  csv: z
    .string()
    .min(1, 'Choose a CSV file to import')
    .max(IMPORT_MAX_BYTES, `The file is too large: import at most ${IMPORT_MAX_BYTES / 1_000_000} MB at a time`),
});

export const importsRouter = router({
  /** What importing the file would do, row by row; writes nothing. */
  preview: adminProcedure.input(importInput).mutation(async ({ ctx, input }) => {
    const { columns, rows } = readCsv(input.csv);
    const existing = await loadExisting(ctx.db, ctx.agencyId, input.kind, rows);
    const { writes: _writes, ...plan } = planImport(input.kind, columns, rows, existing);
    return plan;
  }),

  /** Imports the file's valid rows (refused rows are left out) in one transaction, audited; returns the counts. */
  run: adminProcedure.input(importInput).mutation(async ({ ctx, input }) => {
    const { columns, rows } = readCsv(input.csv);
    return ctx.db.transaction(async (tx) => {
      await lockImports(tx, ctx.agencyId);
      const existing = await loadExisting(tx, ctx.agencyId, input.kind, rows);
      const plan = planImport(input.kind, columns, rows, existing);
      return applyImport(tx, ctx.user, plan);
    });
  }),
});
