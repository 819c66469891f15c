// Boots the whole back end in one process: database (embedded unless DATABASE_URL), migrations,
// the chosen engine, its dispatcher or worker, the mail deliverer (with SMTP_URL), and the demo seed on first run.
import { join } from 'node:path';
import { createActivities } from '#activities/index.ts';
import { createMailer, type Mailer } from '#activities/mailer.ts';
import { connect } from '#db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '#db/embedded.ts';
import { migrateDatabase } from '#db/migrate.ts';
import { isSeeded, seedDemo } from './seed/demo.ts';
import { createDispatcher, type Dispatcher } from './embedded/dispatcher.ts';
import { appUrl, readEnv, type Env } from './env.ts';
import { chooseEngine, createEngine } from './engines/select.ts';
import { startUnstartedJobs } from './jobs/reconcile.ts';
import { engineClock } from './engine-clock.ts';
import type { JobEngine } from './engines/port.ts';
import { createMailDeliverer } from './mail-deliverer.ts';

/** Messages the deliverer sends at once, each over its own pooled connection. */
const MAIL_CONCURRENCY = 4;

export interface Runtime {
  env: Env;
  db: ReturnType<typeof connect>['db'];
  sql: ReturnType<typeof connect>['sql'];
  engine: JobEngine;
  /** Where operators inspect workflows, when Temporal runs. */
  temporalUiUrl: string | null;
  databaseUrl: string;
  /** The SMTP transport, or null without SMTP_URL (mail stays in the dev mailbox). Identity emails send through it at once. */
  mailer: Mailer | null;
  seeded: boolean;
  close(): Promise<void>;
}

export async function bootRuntime(env: Env = readEnv(), log: (m: string) => void = console.log): Promise<Runtime> {
  let pg: EmbeddedServer | null = null;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    pg = await startEmbeddedPostgres({ dataDir: join(env.DATA_DIR, 'pg'), notice: log });
    databaseUrl = pg.url;
    // The port is kept per data directory (see db/embedded.ts), so this line stays true across restarts.
    log(`database: embedded PostgreSQL on port ${pg.port} (data in ${pg.dataDir}); psql ${pg.url}`);
  } else {
    log(`database: ${databaseUrl.replace(/\/\/[^@]*@/, '//***@')}`);
  }
  const { db, sql, close } = connect(databaseUrl, { max: 20 });
  await migrateDatabase(db);

  const choice = chooseEngine(env);
  const clock = engineClock(env, choice.kind, log);
  const engine = await createEngine(choice, { db, env, clock });
  const stops: (() => Promise<void>)[] = [];
  let temporalUiUrl: string | null = null;
  if (choice.kind === 'embedded') {
    const dispatcher: Dispatcher = createDispatcher({
      sql,
      engine: engine as never,
      activities: createActivities({ db, appUrl: appUrl(env) }),
      clock,
      log,
    });
    await dispatcher.start();
    stops.push(() => dispatcher.stop());
    log('engine: embedded (Postgres); timers and effects run in this process');
  } else {
    if (env.TEMPORAL_WORKER === 'on') {
      const { superviseTemporalWorker } = await import('./temporal-worker.ts');
      const worker = await superviseTemporalWorker({
        db,
        address: choice.address,
        namespace: env.TEMPORAL_NAMESPACE,
        taskQueue: env.TEMPORAL_TASK_QUEUE,
        appUrl: appUrl(env),
        log,
      });
      stops.push(() => worker.shutdown());
    } else {
      log('engine: no Temporal worker in this process (TEMPORAL_WORKER=off): run workers with `npm run worker`');
    }
    temporalUiUrl = env.TEMPORAL_UI_URL ?? 'http://localhost:8233';
    log(
      `engine: Temporal at ${choice.address} (namespace ${env.TEMPORAL_NAMESPACE}, task queue ${env.TEMPORAL_TASK_QUEUE}); UI ${temporalUiUrl}`,
    );
  }

  // Mail goes out from here whichever engine runs the jobs: both write their notifications as rows in
  // this database (a standalone Temporal worker too), so the app process is the one place that sends.
  // Identity mail has a transport of its own, so a code is never queued behind notifications in flight.
  const mailer = createMailer(env);
  const bulk = createMailer(env, { connections: MAIL_CONCURRENCY });
  if (mailer && bulk) {
    const deliverer = createMailDeliverer({ db, sql, mailer: bulk, concurrency: MAIL_CONCURRENCY, log });
    await deliverer.start();
    stops.push(async () => {
      await deliverer.stop();
      bulk.close();
      mailer.close();
    });
    log('mail: sending through SMTP_URL');
  }

  // After the dispatcher or worker runs: Temporal's start waits for the workflow's first projection.
  await startUnstartedJobs(db, engine, log);

  let seeded = false;
  if (env.SEED_DEMO && !(await isSeeded(db))) {
    await seedDemo(db, engine);
    seeded = true;
    log('demo data seeded');
  }

  return {
    env,
    db,
    sql,
    engine,
    temporalUiUrl,
    databaseUrl,
    mailer,
    seeded,
    // Every step runs even when one before it fails, so a failure to stop the dispatcher (say) still closes
    // the pool and stops the embedded PostgreSQL rather than leaving it running; then the failure surfaces.
    async close() {
      const failures: unknown[] = [];
      const steps = [...stops.toReversed(), () => engine.close(), close, async () => pg?.stop()];
      for (const step of steps) await step().catch((e: unknown) => void failures.push(e));
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) throw new AggregateError(failures, `${failures.length} parts failed to stop`);
    },
  };
}
