// Opens an agency on a hosted install and invites its first admin by email:
//   npm run agency:create -- --name "Oak Lettings" --admin-name "Olu Adeyemi" --admin-email olu@oak.example
// The database is DATABASE_URL, or the embedded one in DATA_DIR (whether or not the app is running). The
// invitation link is printed too, for when mail is not set up yet; it works once, for 7 days.
import { parseArgs } from 'node:util';
import { newAgencySchema, OpenAgencyError, openAgencyForAdmin } from '#lib/server/onboarding/agency.ts';
import { readEnv } from '#worker/env.ts';
import { openAppDatabase } from './lib/app-database.ts';

const usage =
  'Usage: npm run agency:create -- --name "<agency name>" --admin-name "<first admin>" --admin-email <email>\n' +
  '  env: DATABASE_URL (or DATA_DIR for the embedded database), ORIGIN (the app’s public URL, for the link)';

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: { name: { type: 'string' }, 'admin-name': { type: 'string' }, 'admin-email': { type: 'string' } },
    });
  } catch (e) {
    return fail(`${(e as Error).message}\n${usage}`);
  }
})();
const parsed = newAgencySchema.safeParse({
  agencyName: values.name ?? '',
  adminName: values['admin-name'] ?? '',
  adminEmail: values['admin-email'] ?? '',
});
if (!parsed.success)
  fail(`${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')}\n${usage}`);

const env = readEnv();
const origin = env.ORIGIN ?? `http://localhost:${env.PORT}`;
const { db, close } = await openAppDatabase(env);
try {
  // The invitation goes into the app's mail outbox; the app's deliverer sends it (now, if the app is
  // running; at its next start otherwise).
  const { agency, inviteUrl } = await openAgencyForAdmin(db, null, { ...parsed.data, origin, now: new Date() });
  console.log(`Opened ${agency.name} (${agency.slug}) with the UK default priorities and job types.`);
  console.log(`Invited ${parsed.data.adminName} <${parsed.data.adminEmail}> as its first admin; the invitation link:`);
  console.log(`  ${inviteUrl}`);
  console.log('The app emails it (with SMTP_URL set; otherwise it shows in the dev mailbox).');
} catch (e) {
  if (!(e instanceof OpenAgencyError)) throw e;
  console.error(e.message);
  process.exitCode = 1;
} finally {
  await close();
}
