// Writes what an accepted event did: the job's event history, the audit log, and the jobs read model.
// Idempotent by (jobId, seq): a retried call finds its history row and does nothing more.
// One statement (data-modifying CTEs), so it costs a transaction one round trip, not several; the embedded
// engine puts those CTEs in its own event statement (`transitionParts`), beside the snapshot's. Only a
// re-raised invoice's credit note adds statements of its own, run after it in the same transaction.
import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '#db/client.ts';
import { auditLog, jobEvents, jobs, users } from '#db/schema/index.ts';
import type { Transition } from '#workflows/activity-contract.ts';
import type { JobEvent } from '#workflows/model.ts';
import { settledBy } from '#workflows/notifications.ts';
import { financeStatements } from './finance/project.ts';
import { settleNotificationsSql } from './notify.ts';

export async function recordTransition(tx: Tx, t: Transition): Promise<void> {
  const { ctes, after } = transitionParts(t);
  // Issued at once and run in order: the CTEs' statement first.
  await Promise.all([tx.execute(sql`with ${ctes} select 1`), ...after.map((s) => tx.execute(s))]);
}

/**
 * Everything the transition writes. `ctes`: data-modifying CTEs to put in a `WITH` list: the history row, the
 * audit row and the read model's update (`recorded`, `audited`, `projected`; idempotent by (jobId, seq): when
 * the history row is there already, the other two write nothing), the finance ledger's row for an event that
 * moves money (`ledger`, idempotent on its own keys), and the staff notifications the event settles (an offer
 * answered, an invoice queried, …: `settled`, only unresolved ones change), which stop needing anyone. `after`:
 * the ledger's statements that cannot be CTEs (a re-raised invoice's credit note, and the new invoice after it),
 * to run in order after the statement that holds the CTEs, in the same transaction; empty for nearly every event.
 */
export function transitionParts(t: Transition): { ctes: SQL; after: SQL[] } {
  const { context, status } = t.state;
  const type = t.event?.type ?? 'CREATED';
  const actor = t.event?.actor ?? { id: 'system', role: 'system' };
  const { type: _type, actor: _actor, at: _at, ...payload } = (t.event ?? {}) as Partial<JobEvent>;
  const at = new Date(t.at).toISOString();
  const detail = { seq: t.seq, from: t.from, to: status, ...payload };
  // An event names its actor; the job's start is recorded against the person who created the job (its row's
  // created_by), or the system for jobs nobody created by hand.
  const creator = (column: 'id' | 'role') =>
    sql`coalesce((select u.${sql.raw(column)}::text from ${jobs} j join ${users} u on u.id = j.created_by where j.id = ${t.jobId}::uuid), 'system')`;
  const actorId = t.event ? sql`${actor.id}::text` : creator('id');
  const actorRole = t.event ? sql`${actor.role}::text` : creator('role');
  const main = sql`
    recorded as (
      insert into ${jobEvents} (job_id, seq, type, actor_id, actor_role, payload, from_status, to_status, at)
      values (${t.jobId}::uuid, ${t.seq}::int, ${type}::text, ${actorId}, ${actorRole}, ${JSON.stringify(payload)}::jsonb,
              ${t.from}::text, ${status}::text, ${at}::timestamptz)
      -- already recorded by an earlier attempt: nothing below runs
      on conflict do nothing
      returning job_id),
    audited as (
      insert into ${auditLog} (agency_id, job_id, actor_id, actor_role, action, detail, at)
      select ${context.agencyId}::uuid, job_id, ${actorId}, ${actorRole}, ${`job.${type.toLowerCase()}`}::text,
             ${JSON.stringify(detail)}::jsonb, ${at}::timestamptz
      from recorded),
    projected as (
    update ${jobs} set
      status = ${status}::text,
      contractor_id = ${context.contractorId}::uuid,
      offered_to_id = ${context.offeredTo}::uuid,
      assignment = ${context.assignment}::int,
      priority_code = ${context.priority.code}::text,
      sla_due_at = ${new Date(context.sla.dueAt).toISOString()}::timestamptz,
      sla_breached = ${context.sla.breached}::boolean,
      sla_warned_percent = ${context.sla.warnedPercent}::int,
      recall_count = ${context.recallCount}::int,
      note_count = ${context.noteCount}::int,
      engine_version = ${t.seq}::int,
      updated_at = ${at}::timestamptz,
      completed_at = case when ${status}::text = 'completed' then ${at}::timestamptz else completed_at end,
      closed_at = case when ${status}::text = 'closed' then ${at}::timestamptz else closed_at end
    -- Projections never go backwards, whatever order retries arrive in.
    where id = ${t.jobId}::uuid and engine_version < ${t.seq}::int and exists (select from recorded)
    returning 1)`;
  const ctes = [main];
  const settled = t.event ? settledBy(t.event.type, status) : [];
  if (settled.length) ctes.push(sql`settled as (${settleNotificationsSql(t.jobId, settled, at)})`);
  const ledger = financeStatements(t);
  const inline = ledger.every((s) => s.cte);
  if (inline) ledger.forEach((s, i) => ctes.push(sql`${sql.raw(`ledger_${i}`)} as (${s.sql})`));
  return { ctes: sql.join(ctes, sql`,`), after: inline ? [] : ledger.map((s) => s.sql) };
}
