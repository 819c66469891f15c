// Opening an agency from outside the app: what is asked (from the sign-up form or the operator command),
// and the operator's path, which invites the first admin by email. The agency itself is opened by
// worker/agencies/open-agency.ts.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '#db/client.ts';
import { users } from '#db/schema/index.ts';
import { openAgency } from '#worker/agencies/open-agency.ts';
import type { Mailer } from '#activities/mailer.ts';
import { inviteStaff } from '../auth/invitations.ts';
import { emailAddress } from '../email-address.ts';

/** What opening an agency asks for, from a form or the command line alike. */
export const newAgencySchema = z.object({
  agencyName: z
    .string()
    .trim()
    .min(2, 'Enter the agency’s name (at least 2 characters)')
    .max(120, 'Keep the agency’s name to 120 characters'),
  adminName: z.string().trim().min(1, 'Enter your name').max(120, 'Keep the name to 120 characters'),
  adminEmail: emailAddress('Enter a valid email address'),
});
export type NewAgency = z.infer<typeof newAgencySchema>;

/** A refusal the operator can act on. */
export class OpenAgencyError extends Error {}

/**
 * For hosted installs (scripts/agency-create.ts): opens the agency and emails its first admin an
 * invitation to choose a password, as an admin's staff invitation does. Returns the link as well, for
 * the operator to pass on when mail is not set up.
 */
export async function openAgencyForAdmin(
  db: Database,
  mailer: Mailer | null,
  input: NewAgency & { origin: string; now: Date },
): Promise<{ agency: { id: string; name: string; slug: string }; inviteUrl: string }> {
  const [account] = await db
    .select({ id: users.id })
    .from(users)
    .where(sql`lower(${users.email}) = ${input.adminEmail}`);
  if (account)
    throw new OpenAgencyError(`${input.adminEmail} already has a Fettle account: choose another admin email.`);
  const agency = await db.transaction((tx) =>
    openAgency(tx, {
      name: input.agencyName,
      by: { id: 'operator', role: 'system', name: 'Operator' },
      now: input.now,
    }),
  );
  const { token } = await inviteStaff(db, mailer, {
    agencyId: agency.id,
    invitedBy: null,
    email: input.adminEmail,
    name: input.adminName,
    role: 'admin',
    origin: input.origin,
    now: input.now,
  });
  return { agency, inviteUrl: `${input.origin}/accept-invite?token=${token}` };
}
