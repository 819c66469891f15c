// Who can take a job: the candidates for a postcode district and job type (who covers it, with the right
// trade and valid certifications, and how busy they are), ranked so the console can suggest the best match
// and say why; and the certificate check an offer makes. The contractors and jobs routers both ask here.
import { and, count, eq, gte, inArray } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { certifications, contractors, jobs, jobTypes } from '#db/schema/index.ts';
import { WORKLOAD_STATUSES } from '#workflows/model.ts';
import { addCalendarDays } from '#workflows/time.ts';
import { requiredCertificationLabel } from '#lib/labels.ts';

/** Certifications the job type requires that the contractor does not hold unexpired on `today` (a UK day). */
export async function missingCertifications(
  db: Database,
  contractorId: string,
  jobTypeId: string,
  today: string,
): Promise<string[]> {
  const [type] = await db
    .select({ required: jobTypes.requiredCertifications })
    .from(jobTypes)
    .where(eq(jobTypes.id, jobTypeId));
  if (!type?.required.length) return [];
  const held = await db
    .select({ name: certifications.name })
    .from(certifications)
    .where(and(eq(certifications.contractorId, contractorId), gte(certifications.expiresOn, today)));
  const valid = new Set(held.map((c) => c.name));
  return type.required.filter((name) => !valid.has(name));
}

/** A certificate as of `today` (an ISO date): valid until its expiry day, "expiring soon" within 30 days of it. */
export const certStatus = (expiresOn: string, today: string) => ({
  valid: expiresOn >= today,
  expiresSoon: expiresOn >= today && expiresOn <= addCalendarDays(today, 30),
});

/** How many unfinished jobs of the agency each contractor holds (contractors with none are absent). */
export async function openJobCounts(
  db: Database,
  agencyId: string,
  contractorIds: string[],
): Promise<Map<string | null, number>> {
  const workload = await db
    .select({ id: jobs.contractorId, open: count() })
    .from(jobs)
    .where(
      and(
        eq(jobs.agencyId, agencyId),
        inArray(jobs.contractorId, contractorIds),
        inArray(jobs.status, [...WORKLOAD_STATUSES]),
      ),
    )
    .groupBy(jobs.contractorId);
  return new Map(workload.map((w) => [w.id, w.open]));
}

export interface Candidate {
  id: string;
  name: string;
  company: string | null;
  trades: string[];
  covers: boolean;
  tradeMatch: boolean;
  certifications: { name: string; expiresOn: string; valid: boolean }[];
  /**
   * What the job type requires, each with the last day the contractor's latest valid certificate of that name
   * runs to (null: none valid). Empty when no job type was given or it requires none.
   */
  requiredCertifications: { name: string; validUntil: string | null }[];
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
        // Only what the job type requires is described: a job that needs no certificate says nothing of them.
        ...c.requiredCertifications.map(requiredCertificationLabel),
        `${c.openJobs} open job${c.openJobs === 1 ? '' : 's'}`,
      ];
      const score =
        (c.missingCertifications.length ? 0 : 1000) +
        (c.covers ? 100 : 0) +
        (c.tradeMatch ? 50 : 0) -
        Math.min(c.openJobs, 49);
      return { ...c, score, reasons };
    })
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
}

/**
 * The agency's active contractors as candidates, best first: for a postcode district (`outcode`) and a job
 * type (its trade and required certifications), certificates judged on `today` (a UK day); without a district
 * or a type, everyone matches on that count.
 */
export async function suggestCandidates(
  db: Database,
  agencyId: string,
  outcode: string | undefined,
  type: Pick<typeof jobTypes.$inferSelect, 'trade' | 'requiredCertifications'> | undefined,
  today: string,
): Promise<Candidate[]> {
  const rows = await db
    .select()
    .from(contractors)
    .where(and(eq(contractors.agencyId, agencyId), eq(contractors.active, true)));
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [certs, openBy] = await Promise.all([
    db.select().from(certifications).where(inArray(certifications.contractorId, ids)),
    openJobCounts(db, agencyId, ids),
  ]);
  return rank(
    rows.map((c) => {
      const held = certs
        .filter((x) => x.contractorId === c.id)
        .map((x) => ({ name: x.name, expiresOn: x.expiresOn, valid: x.expiresOn >= today }));
      const required = (type?.requiredCertifications ?? []).map((name) => ({
        name,
        validUntil:
          held
            .filter((h) => h.valid && h.name === name)
            .map((h) => h.expiresOn)
            .sort()
            .at(-1) ?? null,
      }));
      return {
        id: c.id,
        name: c.name,
        company: c.company,
        trades: c.trades,
        covers: outcode ? c.coverage.includes(outcode) : true,
        tradeMatch: type ? c.trades.includes(type.trade) : true,
        certifications: held,
        requiredCertifications: required,
        missingCertifications: required.filter((r) => !r.validUntil).map((r) => r.name),
        openJobs: openBy.get(c.id) ?? 0,
      };
    }),
  );
}
