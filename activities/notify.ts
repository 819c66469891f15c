// Tells people what happened: an email to each recipient and, for staff, a console notification.
// Idempotent by the effect's key: a retry inserts nothing new.
import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { agencies, contractors, emails, jobEvents, jobs, notifications, properties, users } from '#db/schema/index.ts';
import type { NotifyEffect } from '#workflows/model.ts';
import { isActionTemplate, settlingEvents } from '#workflows/notifications.ts';
import { FINAL_STATUSES, type NotificationTemplate } from '#workflows/model.ts';
import { MAIL_CHANNEL } from './mailer.ts';
import { emailFor, renderMessage } from './messages.ts';

interface NotifyInput {
  jobId: string;
  /** The transition that raised it (unset for a notification from outside the machine, e.g. an approval). */
  seq?: number;
  /** `${jobId}:${seq}:${index}`: the effect's idempotency key. */
  key: string;
  params: NotifyEffect['params'];
}

/** `appUrl`: the app's address for the link in each email; without it emails carry none. */
export async function notify(db: Database, { jobId, seq, key, params }: NotifyInput, appUrl?: string): Promise<void> {
  const [job] = await db
    .select({
      agencyId: jobs.agencyId,
      agencyName: agencies.name,
      reference: jobs.reference,
      title: jobs.title,
      line1: properties.line1,
      postcode: properties.postcode,
    })
    .from(jobs)
    .innerJoin(agencies, eq(agencies.id, jobs.agencyId))
    .leftJoin(properties, eq(properties.id, jobs.propertyId))
    .where(eq(jobs.id, jobId));
  if (!job) throw new Error(`notify: job ${jobId} not found`);
  const address = job.line1 ? `${job.line1}, ${job.postcode}` : 'the property';
  const message = renderMessage(params.template, { reference: job.reference, title: job.title, address }, params.data);

  const context = { agencyId: job.agencyId, agencyName: job.agencyName, jobId, appUrl };
  // Who gets which email: an address gets one, as staff when it is both (a contractor record with a staff email).
  const recipients = new Map<string, { subject: string; body: string }>();
  if (params.contractors.length > 0) {
    const rows = await db
      .select({ email: contractors.email })
      .from(contractors)
      .where(inArray(contractors.id, params.contractors));
    const toContractor = emailFor('contractor', message, context);
    rows.forEach((r) => recipients.set(r.email, toContractor));
  }
  await db.transaction(async (tx) => {
    if (params.staff) {
      const staff = await tx
        .select({ email: users.email })
        .from(users)
        .where(and(eq(users.agencyId, job.agencyId), inArray(users.role, ['admin', 'staff'])));
      const toStaff = emailFor('staff', message, context);
      staff.forEach((s) => recipients.set(s.email, toStaff));
      await tx
        .insert(notifications)
        .values({
          key,
          agencyId: job.agencyId,
          jobId,
          template: params.template,
          message: message.body,
          resolvedAt: seq === undefined ? null : settledSince(jobId, seq, params.template),
        })
        .onConflictDoNothing();
    }
    if (recipients.size > 0) {
      const stored = await tx
        .insert(emails)
        .values([...recipients].map(([to, email]) => ({ key: `${key}:${to}`, jobId, to, ...email })))
        .onConflictDoNothing()
        .returning({ id: emails.id });
      // Wakes the mail deliverer in the app process at commit, whichever process (engine) ran this.
      if (stored.length > 0) await tx.execute(sql`select pg_notify(${MAIL_CHANNEL}, '')`);
    }
  });
}

/**
 * Effects run after their transition, so a job may already have moved past what a notification is about (an
 * escalation written after the contractor accepted): it is then written as resolved, at the settling event.
 */
function settledSince(jobId: string, seq: number, template: NotificationTemplate) {
  if (!isActionTemplate(template)) return null;
  const settles = or(
    inArray(jobEvents.type, settlingEvents(template)),
    inArray(jobEvents.toStatus, [...FINAL_STATUSES]),
  );
  return sql`(select min(${jobEvents.at}) from ${jobEvents} where ${jobEvents.jobId} = ${jobId}::uuid and ${jobEvents.seq} > ${seq}::int
    and ${settles})`;
}

/** Marks the job's unresolved `templates` notifications resolved at `at`: what they asked for is done. */
export function settleNotifications(
  db: Pick<Database, 'execute'>,
  jobId: string,
  templates: readonly string[],
  at: string,
) {
  return db.execute(settleNotificationsSql(jobId, templates, at));
}

/** The UPDATE `settleNotifications` runs, to put in a larger statement (recordTransition's CTEs). */
export function settleNotificationsSql(jobId: string, templates: readonly string[], at: string): SQL {
  return sql`
    update ${notifications} set resolved_at = ${at}::timestamptz
    where job_id = ${jobId}::uuid and resolved_at is null and ${inArray(notifications.template, [...templates])}`;
}
