// Contractors for a job: who covers the property, with the right trade and valid certifications,
// and how busy they are; ranked so the console can suggest the best match and say why.
import { and, count, eq, gte, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../../../../../db/client.ts';
import { certifications, contractors, jobs, jobTypes, properties } from '../../../../../../db/schema/index.ts';
import { router, staffProcedure } from '../trpc.ts';
import { TRPCError } from '@trpc/server';

const OPEN_WORK = ['new', 'assigned', 'inProgress', 'recalled'];
const today = () => new Date().toISOString().slice(0, 10);

/** Certifications the job type requires that the contractor does not hold unexpired. */
export async function missingCertifications(db: Database, contractorId: string, jobTypeId: string): Promise<string[]> {
  const [type] = await db.select({ required: jobTypes.requiredCertifications }).from(jobTypes).where(eq(jobTypes.id, jobTypeId));
  if (!type?.required.length) return [];
  const held = await db
    .select({ name: certifications.name })
    .from(certifications)
    .where(and(eq(certifications.contractorId, contractorId), gte(certifications.expiresOn, today())));
  const valid = new Set(held.map((c) => c.name));
  return type.required.filter((name) => !valid.has(name));
}

export interface Candidate {
  id: string;
  name: string;
  company: string | null;
  trades: string[];
  covers: boolean;
  tradeMatch: boolean;
  certifications: { name: string; expiresOn: string; valid: boolean }[];
  missingCertifications: string[];
  openJobs: number;
  score: number;
  reasons: string[];
}

/** Ranks contractors: eligibility (valid certs) first, then coverage, trade and lightest workload. */
export function rank(candidates: Omit<Candidate, 'score' | 'reasons'>[]): Candidate[] {
  return candidates
    .map((c) => {
      const reasons = [
        c.covers ? 'covers this postcode district' : 'outside their coverage',
        c.tradeMatch ? 'does this trade' : 'different trade',
        c.missingCertifications.length ? `no valid ${c.missingCertifications.join(', ')}` : 'certifications valid',
        `${c.openJobs} open job${c.openJobs === 1 ? '' : 's'}`,
      ];
      const score = (c.missingCertifications.length ? 0 : 1000) + (c.covers ? 100 : 0) + (c.tradeMatch ? 50 : 0) - Math.min(c.openJobs, 49);
      return { ...c, score, reasons };
    })
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
}

export const contractorsRouter = router({
  /** Candidates for a postcode district and (optionally) a job type, best first. */
  candidates: staffProcedure
    .input(z.object({ jobId: z.uuid().optional(), outcode: z.string().trim().toUpperCase().max(8).optional(), jobTypeId: z.uuid().optional() }))
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
      const [type] = jobTypeId ? await ctx.db.select().from(jobTypes).where(and(eq(jobTypes.id, jobTypeId), eq(jobTypes.agencyId, ctx.agencyId))) : [];
      const rows = await ctx.db.select().from(contractors).where(and(eq(contractors.agencyId, ctx.agencyId), eq(contractors.active, true)));
      if (rows.length === 0) return { outcode: outcode ?? null, jobType: type?.name ?? null, candidates: [] };
      const ids = rows.map((r) => r.id);
      const [certs, workload] = await Promise.all([
        ctx.db.select().from(certifications).where(inArray(certifications.contractorId, ids)),
        ctx.db
          .select({ id: jobs.contractorId, open: count() })
          .from(jobs)
          .where(and(eq(jobs.agencyId, ctx.agencyId), inArray(jobs.contractorId, ids), sql`${jobs.status} in ${OPEN_WORK}`))
          .groupBy(jobs.contractorId),
      ]);
      const now = today();
      const openBy = new Map(workload.map((w) => [w.id, w.open]));
      const candidates = rank(
        rows.map((c) => {
          const held = certs.filter((x) => x.contractorId === c.id).map((x) => ({ name: x.name, expiresOn: x.expiresOn, valid: x.expiresOn >= now }));
          const valid = new Set(held.filter((h) => h.valid).map((h) => h.name));
          return {
            id: c.id,
            name: c.name,
            company: c.company,
            trades: c.trades,
            covers: outcode ? c.coverage.includes(outcode) : true,
            tradeMatch: type ? c.trades.includes(type.trade) : true,
            certifications: held,
            missingCertifications: (type?.requiredCertifications ?? []).filter((n) => !valid.has(n)),
            openJobs: openBy.get(c.id) ?? 0,
          };
        }),
      );
      return { outcode: outcode ?? null, jobType: type?.name ?? null, candidates };
    }),
});
