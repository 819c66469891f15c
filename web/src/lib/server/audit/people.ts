// Who did something, as people read it: a staff member by name ("Sam Staff"), a contractor by name and company
// ("Pat Plumber (PlumbFast)"), the system as "Fettle (automatic)". An actor id as recorded (audit log, job
// history, an upload's `role:id`) is a user's id, a contractor record's id, or a system name; a query names it by
// left-joining `users` on `userIsActor` and `contractors` on `contractorIsActor`, selecting `actorNameColumns`,
// and passing the row to `whoIs`. The audit log and every job timeline name people through this one resolver.
import { and, eq, sql, type Column, type SQL } from 'drizzle-orm';
import { contractors, users } from '#db/schema/index.ts';

/** "Fettle (automatic)": timers, chasers and anything else the system did by itself. */
export const SYSTEM_NAME = 'Fettle (automatic)';

/** Actors that are not people. */
const SYSTEM_NAMES: Readonly<Record<string, string>> = { system: SYSTEM_NAME, operator: 'Operator' };

/** "Pat Plumber (PlumbFast)", or just the name for a sole trader. */
export const contractorLabel = (c: { name: string; company: string | null }): string =>
  c.company ? `${c.name} (${c.company})` : c.name;

/** The columns `whoIs` reads, for a query that joins `users` and `contractors` as this module says. */
export const actorNameColumns = {
  userName: users.name,
  contractorName: contractors.name,
  company: contractors.company,
};

/** Joins the staff user an actor id names (`actorId` is text: a column or an expression). */
export const userIsActor = (actorId: Column | SQL): SQL => sql`${users.id}::text = ${actorId}`;

/** Joins the contractor record an actor id names, within the agency (`agencyId`: a column or the id itself). */
export const contractorIsActor = (actorId: Column | SQL, agencyId: Column | string): SQL =>
  and(sql`${contractors.id}::text = ${actorId}`, eq(contractors.agencyId, agencyId))!;

/** The person, from a row joined as above; an id nobody matches shows as it is. */
export function whoIs(row: {
  actorId: string;
  userName: string | null;
  contractorName: string | null;
  company: string | null;
}): string {
  if (row.contractorName) return contractorLabel({ name: row.contractorName, company: row.company });
  return row.userName ?? SYSTEM_NAMES[row.actorId] ?? row.actorId;
}
