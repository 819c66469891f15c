// Demo credentials: every DEMO_LOGINS user gets a verified email and a password hashed by better-auth's
// own hasher, so `npm start` prints logins that work. The contractor who works for two agencies gets
// one login linked to both contractor records (the Accounts page then offers both).
import { hashPassword } from 'better-auth/crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { authAccounts, contractors, users } from '#db/schema/index.ts';

export async function seedDemoLogins(
  db: Database,
  logins: readonly { email: string; role: string }[],
  password: string,
): Promise<void> {
  const hash = await hashPassword(password);
  for (const login of logins) {
    const email = login.email.toLowerCase();
    let [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (!user && login.role === 'contractor') {
      const [record] = await db
        .select({ name: contractors.name })
        .from(contractors)
        .where(sql`lower(${contractors.email}) = ${email}`)
        .limit(1);
      if (!record) continue;
      [user] = await db
        .insert(users)
        .values({ name: record.name, email, role: 'contractor', emailVerified: true })
        .returning({ id: users.id });
    }
    if (!user) continue;
    await db.update(users).set({ emailVerified: true }).where(eq(users.id, user.id));
    const [existing] = await db
      .select({ id: authAccounts.id })
      .from(authAccounts)
      .where(and(eq(authAccounts.userId, user.id), eq(authAccounts.providerId, 'credential')));
    if (!existing)
      await db
        .insert(authAccounts)
        .values({ userId: user.id, accountId: user.id, providerId: 'credential', password: hash });
    if (login.role === 'contractor') {
      await db
        .update(contractors)
        .set({ userId: user.id })
        .where(sql`lower(${contractors.email}) = ${email} and ${contractors.userId} is null`);
    }
  }
}
