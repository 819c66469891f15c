// Loads every UK postcode district into the app's database from a file the operator downloads:
//   npm run postcodes:import -- ~/Downloads/ONSPD_MAY_2025.zip      (or the CSV inside it, or a districts CSV)
// The ONS Postcode Directory is on the ONS Open Geography portal (docs/operations.md, "Postcodes"). The
// database is DATABASE_URL, or the embedded one in DATA_DIR (whether or not the app is running). Running it
// again, or with a newer file, updates the districts in place.
import { stat } from 'node:fs/promises';

const usage =
  'Usage: npm run postcodes:import -- <ONSPD .zip or .csv, or a postcode districts .csv>\n' +
  '  env: DATABASE_URL (or DATA_DIR for the embedded database)';

const [path, ...extra] = process.argv.slice(2).filter((a) => a !== '--');
if (!path || extra.length > 0 || path.startsWith('-')) {
  console.error(usage);
  process.exit(2);
}
try {
  if (!(await stat(path)).isFile()) throw new Error('not a file');
} catch {
  console.error(`${path}: no such file\n${usage}`);
  process.exit(2);
}

// Loaded only once the arguments are right, so a mistyped command answers at once.
const { importPostcodeFile, PostcodeFileError } = await import('#lib/server/map/postcode-import.ts');
const { readEnv } = await import('#worker/env.ts');
const { openAppDatabase } = await import('./lib/app-database.ts');

const env = readEnv();
const { db, close } = await openAppDatabase(env);
const started = Date.now();
try {
  const c = await importPostcodeFile(db, path, {
    progress: (rows) => console.log(`  … ${rows.toLocaleString('en-GB')} rows read`),
  });
  const n = (x: number) => x.toLocaleString('en-GB');
  console.log(
    c.format === 'postcodes'
      ? `Read ${n(c.rows)} postcodes from ${c.source}: ${n(c.live)} live, ${n(c.terminated)} terminated, ` +
          `${n(c.unplaced)} without a location, ${n(c.invalid)} not UK postcodes.`
      : `Read ${n(c.rows)} districts from ${c.source}: ${n(c.live)} with a location, ${n(c.unplaced)} without, ` +
          `${n(c.invalid)} not UK districts.`,
  );
  console.log(
    `Postcode districts: ${n(c.districts)} (${n(c.inserted)} new, ${n(c.updated)} updated, ${n(c.unchanged)} unchanged) ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
  if (c.districts === 0) {
    console.error('No districts were found: is this the ONS Postcode Directory?');
    process.exitCode = 1;
  }
} catch (e) {
  if (!(e instanceof PostcodeFileError)) throw e;
  console.error(e.message);
  process.exitCode = 1;
} finally {
  await close();
}
