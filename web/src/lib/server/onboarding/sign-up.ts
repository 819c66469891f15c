// Self-serve agency sign-up: the agency's name and its first admin's name and email, proved by a code
// emailed to that address. Nothing is created until the code is entered: then the agency (with the UK
// defaults), the admin's login and password, all in one transaction.
//
// Every request is answered alike whether or not the email already has an account (no account discovery):
// the owner of an existing account is emailed why no code came, and the sign-up can never complete.
import { randomUUID } from 'node:crypto';
import { hashPassword } from 'better-auth/crypto';
import { and, count, eq, gt, sql } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { agencySignUps, authAccounts, users } from '#db/schema/index.ts';
import { sendEmail, type Mailer } from '#activities/mailer.ts';
import { PASSWORD_MAX, PASSWORD_MIN } from '../auth/invitations.ts';
import { codeHash, codeMatches, newCode } from '../auth/codes.ts';
import { agencySignUpCodeEmail, existingAccountEmail } from '../auth/messages.ts';
import { openAgency } from '#worker/agencies/open-agency.ts';
import type { NewAgency } from './agency.ts';

export const SIGN_UP_CODE_MINUTES = 30;
/** Wrong codes a sign-up survives; the next one voids it. */
export const SIGN_UP_CODE_TRIES = 5;
/** Sign-ups one email address may start per hour. */
export const SIGN_UPS_PER_HOUR = 5;

/** A refusal a person can act on; anything else is a bug. */
export class SignUpError extends Error {}

export async function startAgencySignUp(
  db: Database,
  mailer: Mailer | null,
  input: NewAgency & { origin: string; now: Date },
): Promise<{ id: string }> {
  const email = input.adminEmail;
  const hourAgo = new Date(input.now.getTime() - 3_600_000);
  const [recent] = await db
    .select({ n: count() })
    .from(agencySignUps)
    .where(and(eq(agencySignUps.email, email), gt(agencySignUps.createdAt, hourAgo)));
  if ((recent?.n ?? 0) >= SIGN_UPS_PER_HOUR)
    throw new SignUpError('Too many sign-ups for this email in the last hour. Try again later.');

  const [account] = await db
    .select({ verified: users.emailVerified })
    .from(users)
    .where(sql`lower(${users.email}) = ${email}`);
  const id = randomUUID();
  const code = newCode();
  await db.insert(agencySignUps).values({
    id,
    agencyName: input.agencyName,
    adminName: input.adminName,
    email,
    // An address with an account gets no code: this hash matches no code anyone was sent.
    codeHash: account ? codeHash(id, randomUUID()) : codeHash(id, code),
    createdAt: input.now,
    expiresAt: new Date(input.now.getTime() + SIGN_UP_CODE_MINUTES * 60_000),
  });
  await sendEmail(db, mailer, {
    key: `agency-sign-up:${id}`,
    to: email,
    ...(account
      ? existingAccountEmail(input.origin, account.verified)
      : agencySignUpCodeEmail({ code, minutes: SIGN_UP_CODE_MINUTES, agencyName: input.agencyName })),
  });
  return { id };
}

/** The sign-up behind a verify link, while a code can still complete it (what the page shows). */
export async function findAgencySignUp(db: Database, id: string, now: Date) {
  const [row] = await db
    .select({ email: agencySignUps.email, agencyName: agencySignUps.agencyName })
    .from(agencySignUps)
    .where(
      and(
        eq(agencySignUps.id, id),
        sql`${agencySignUps.completedAt} is null`,
        gt(agencySignUps.expiresAt, now),
        sql`${agencySignUps.attempts} < ${SIGN_UP_CODE_TRIES}`,
      ),
    );
  return row ?? null;
}

/**
 * Checks the code and, if it is right, opens the agency with its first admin. A wrong code counts against
 * the sign-up (and is committed as such) before it is refused.
 */
export async function completeAgencySignUp(
  db: Database,
  input: { id: string; code: string; password: string; now: Date },
): Promise<{ email: string; agencyId: string }> {
  if (input.password.length < PASSWORD_MIN)
    throw new SignUpError(`Choose a password of at least ${PASSWORD_MIN} characters.`);
  if (input.password.length > PASSWORD_MAX)
    throw new SignUpError(`Passwords can be at most ${PASSWORD_MAX} characters.`);
  const code = input.code.replace(/\s+/g, '');
  const hash = await hashPassword(input.password);
  const outcome = await db.transaction(async (tx) => {
    const [row] = await tx.select().from(agencySignUps).where(eq(agencySignUps.id, input.id)).for('update');
    if (!row || row.completedAt || row.expiresAt <= input.now || row.attempts >= SIGN_UP_CODE_TRIES)
      return { refused: 'This sign-up has expired or its code was used up. Start again to get a new code.' };
    if (!codeMatches(row.id, code, row.codeHash)) {
      await tx
        .update(agencySignUps)
        .set({ attempts: sql`${agencySignUps.attempts} + 1` })
        .where(eq(agencySignUps.id, row.id));
      const left = SIGN_UP_CODE_TRIES - row.attempts - 1;
      return {
        refused:
          left > 0
            ? `That code is not right. Check the email and try again (${left} ${left === 1 ? 'try' : 'tries'} left).`
            : 'That code is not right, and this sign-up has had too many tries. Start again to get a new code.',
      };
    }
    const [taken] = await tx
      .select({ id: users.id })
      .from(users)
      .where(sql`lower(${users.email}) = ${row.email}`);
    if (taken) return { refused: 'An account with this email already exists. Sign in instead.' };

    const userId = randomUUID();
    const agency = await openAgency(tx, {
      name: row.agencyName,
      by: { id: userId, role: 'admin', name: row.adminName },
      now: input.now,
    });
    await tx.insert(users).values({
      id: userId,
      agencyId: agency.id,
      name: row.adminName,
      email: row.email,
      role: 'admin',
      emailVerified: true,
    });
    await tx.insert(authAccounts).values({ userId, accountId: userId, providerId: 'credential', password: hash });
    await tx
      .update(agencySignUps)
      .set({ completedAt: input.now, agencyId: agency.id })
      .where(eq(agencySignUps.id, row.id));
    return { email: row.email, agencyId: agency.id };
  });
  if ('refused' in outcome) throw new SignUpError(outcome.refused);
  return outcome;
}
