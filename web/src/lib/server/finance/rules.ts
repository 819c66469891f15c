// The checks every way money enters the books makes: dated no later than today and no earlier than the job,
// and the audit row for a finance change that is not an engine event (those are audited by the engine).
import { TRPCError } from '@trpc/server';
import type { Database } from '#db/client.ts';
import { auditLog } from '#db/schema/index.ts';
import type { Actor } from '#workflows/model.ts';
import { formatUkDay, ukDay } from '#workflows/time.ts';

/** Writes one audit row for a finance change that is not an engine event (those are audited by the engine). */
export function audit(
  db: Database,
  row: { agencyId: string; jobId: string | null; actor: Actor; action: string; detail: Record<string, unknown> },
) {
  return db.insert(auditLog).values({
    agencyId: row.agencyId,
    jobId: row.jobId,
    actorId: row.actor.id,
    actorRole: row.actor.role,
    action: row.action,
    detail: row.detail,
  });
}

/** Money that has left the bank has a date that has come: refuses dates after today (in the UK). */
export function notInFuture(isoDay: string, now: Date, what: string): void {
  if (isoDay > ukDay(now))
    throw new TRPCError({ code: 'BAD_REQUEST', message: `${what} cannot be dated in the future` });
}

/** Nor is money paid, or work invoiced, before the job existed: refuses UK days before the day `job` was raised
 * (a mistyped year, 2062 for 2026 the other way round), naming the earliest day allowed. */
export function notBeforeJob(isoDay: string, job: { createdAt: Date; reference: string }, what: string): void {
  const earliest = ukDay(job.createdAt);
  if (isoDay < earliest)
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `${what} cannot be dated before ${formatUkDay(earliest)}, the day job ${job.reference} was raised`,
    });
}
