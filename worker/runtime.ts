// Boots the whole back end in one process: database (embedded unless DATABASE_URL), migrations,
// the chosen engine, its dispatcher or worker, and the demo seed on first run.
import { join } from 'node:path';
import { createActivities } from '../activities/index.ts';
import { connect } from '../db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '../db/embedded.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { isSeeded, seedDemo } from '../db/seed.ts';
import { createDispatcher, type Dispatcher } from './embedded/dispatcher.ts';
import { readEnv, type Env } from './env.ts';
import { chooseEngine, createEngine } from './engines/select.ts';
import { startUnstartedJobs } from './jobs/reconcile.ts';
import type { JobEngine } from './engines/port.ts';

export interface Runtime {
  env: Env;
  db: ReturnType<typeof connect>['db'];
  sql: ReturnType<typeof connect>['sql'];
  engine: JobEngine;
  /** Where operators inspect workflows, when Temporal runs. */
  temporalUiUrl: string | null;
  databaseUrl: string;
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
  const engine = await createEngine(choice, { db, env });
  const stops: (() => Promise<void>)[] = [];
  let temporalUiUrl: string | null = null;
  if (choice.kind === 'embedded') {
    const dispatcher: Dispatcher = createDispatcher({ sql, engine: engine as never, activities: createActivities({ db }), log });
    await dispatcher.start();
    stops.push(() => dispatcher.stop());
    log('engine: embedded (Postgres); timers and effects run in this process');
  } else {
    const { runTemporalWorker } = await import('./temporal-worker.ts');
    const worker = await runTemporalWorker({ db, address: choice.address, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE });
    stops.push(() => worker.shutdown());
    temporalUiUrl = env.TEMPORAL_UI_URL ?? 'http://localhost:8233';
    log(`engine: Temporal at ${choice.address} (namespace ${env.TEMPORAL_NAMESPACE}, task queue ${env.TEMPORAL_TASK_QUEUE}); UI ${temporalUiUrl}`);
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
    seeded,
    async close() {
      for (const stop of stops.reverse()) await stop();
      await engine.close();
      await close();
      await pg?.stop();
    },
  };
}
