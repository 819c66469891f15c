// Which jobs a signed-in user may see: staff see their agency's; a contractor sees only jobs they hold
// or are offered at the agency they picked. Every job read and write goes through here.
import { TRPCError } from '@trpc/server';
import { and, eq, or } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { jobs } from '#db/schema/index.ts';
import type { SessionUser } from '../auth/user.ts';

export interface JobScope {
  agencyId: string;
  /** Set for contractors: only jobs they hold or are offered. */
  contractorId: string | null;
}

export function scopeOf(user: SessionUser | null): JobScope {
  if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
  if (user.kind === 'staff') return { agencyId: user.agencyId, contractorId: null };
  if (!user.agencyId || !user.contractorId) throw new TRPCError({ code: 'FORBIDDEN', message: 'Pick an agency first' });
  return { agencyId: user.agencyId, contractorId: user.contractorId };
}

export const contractorScope = (contractorId: string) =>
  or(eq(jobs.contractorId, contractorId), eq(jobs.offeredToId, contractorId))!;

export const jobScopeCondition = (scope: JobScope) =>
  and(eq(jobs.agencyId, scope.agencyId), scope.contractorId ? contractorScope(scope.contractorId) : undefined);

/** The job if the scope may see it. "Not yours" and "not there" get the same answer, so nothing leaks. */
export async function findJobInScope(db: Database, id: string, scope: JobScope) {
  const [job] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, id), jobScopeCondition(scope)));
  if (!job) throw new TRPCError({ code: 'NOT_FOUND', message: 'Job not found' });
  return job;
}
