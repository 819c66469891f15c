// Timers: many jobs whose next SLA deadline falls due within a few seconds of real time, fired by the
// real dispatcher (system clock) running in its own process. Lateness is the engine's stamp on the
// SLA_WARNING event minus the deadline; memory is the dispatcher process's RSS with no timers, with
// every timer pending, while firing, and after.
import { one } from '#db/rows.ts';
import postgres from 'postgres';
import { createActivities } from '#activities/index.ts';
import { connect } from '#db/client.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import { createDispatcher, type Dispatcher } from '#worker/embedded/dispatcher.ts';
import { BenchChild, readRss, sampleRss, type ChildHandlers } from './lib/proc.ts';
import { sleep, type LatencySummary } from './lib/stats.ts';
import { seedAgency, seedJobs, URGENT } from './seed.ts';

interface TimerBenchOptions {
  url: string;
  jobs: number;
  /** Deadlines are spread evenly over this window. */
  spreadMs: number;
  /** Gives up waiting this long after the last deadline. */
  timeoutMs: number;
}

export interface TimerBenchResult {
  jobs: number;
  spreadMs: number;
  fired: number;
  effectsRun: number;
  /** Event time minus deadline. */
  latenessMs: LatencySummary;
  firedWithin1s: number;
  /** Timers fired per second from the first deadline to the last firing. */
  firingRate: number;
  /** From the first deadline until the last notification effect ran. */
  drainSeconds: number;
  insertSeconds: number;
  memory: { idleMiB: number; pendingMiB: number; peakMiB: number; afterMiB: number; perPendingJobBytes: number };
}

const WARN_OFFSET_MS = (URGENT.targetHours * 3_600_000 * URGENT.warnAtPercent[0]!) / 100;

export async function runTimerBench(options: TimerBenchOptions): Promise<TimerBenchResult> {
  const sql = postgres(options.url, { max: 5, onnotice: () => {}, connection: { TimeZone: 'UTC' } });
  const agency = await seedAgency(sql, 'Timer Lettings', { staff: 4, contractors: 10, properties: 200 });
  const child = new BenchChild('dispatcher');
  try {
    await child.next('ready');
    await child.request({ type: 'setup', url: options.url }, 'setup-done');
    await sleep(1500);
    await child.request({ type: 'gc' }, 'gc-done');
    const idle = readRss(child.pid).rssMiB;

    // Deadlines from T0 to T0 + spread; warning at 75 % of a 24 h SLA, so each job was created 18 h before.
    // Far enough ahead that seeding ends first on a busy machine (about 1 ms a job there).
    const t0 = Date.now() + 6000 + options.jobs * 2.5;
    const dueOf = (i: number) => t0 + Math.floor((i * options.spreadMs) / options.jobs);
    const insertStart = performance.now();
    await seedJobs(sql, agency, {
      count: options.jobs,
      startNumber: 1,
      mode: 'fresh',
      priority: () => URGENT,
      createdAt: (i) => new Date(dueOf(i) - WARN_OFFSET_MS),
    });
    const insertSeconds = (performance.now() - insertStart) / 1000;
    const { pending } = one(
      await sql<{ pending: number }[]>`select count(*)::int as pending from engine.timers where due_at > now()`,
    );
    if (Date.now() > t0 - 1000) throw new Error(`timers bench: seeding took too long (${insertSeconds.toFixed(1)} s)`);
    await child.request({ type: 'gc' }, 'gc-done');
    const pendingRss = readRss(child.pid).rssMiB;

    const sampler = sampleRss(child.pid);
    const deadline = t0 + options.spreadMs + options.timeoutMs;
    let fired = 0;
    let effects = 0;
    while (Date.now() < deadline) {
      await sleep(250);
      ({ fired, effects } = one(
        await sql<{ fired: number; effects: number }[]>`
        select (select count(*)::int from job_events where type = 'SLA_WARNING') as fired,
               (select count(*)::int from engine.outbox where done_at is not null and effect->'params'->>'template' = 'slaWarning') as effects`,
      ));
      if (fired >= options.jobs && effects >= options.jobs) break;
    }
    const peak = sampler.stop();
    await child.request({ type: 'gc' }, 'gc-done');
    const after = readRss(child.pid).rssMiB;

    const [stats] = await sql<
      {
        n: number;
        p50: number;
        p95: number;
        p99: number;
        max: number;
        mean: number;
        within: number;
        last_fire: string;
        last_done: string;
      }[]
    >`
      with l as (
        select extract(epoch from (e.at - (j.created_at + ${`${WARN_OFFSET_MS} milliseconds`}::interval))) * 1000 as ms, e.at
        from job_events e join jobs j on j.id = e.job_id where e.type = 'SLA_WARNING')
      select count(*)::int as n,
             percentile_disc(0.5) within group (order by ms)::float8 as p50,
             percentile_disc(0.95) within group (order by ms)::float8 as p95,
             percentile_disc(0.99) within group (order by ms)::float8 as p99,
             max(ms)::float8 as max, avg(ms)::float8 as mean,
             count(*) filter (where ms <= 1000)::int as within,
             max(at)::text as last_fire,
             (select max(done_at)::text from engine.outbox) as last_done
      from l`;
    const lastFire = Date.parse(stats!.last_fire);
    return {
      jobs: options.jobs,
      spreadMs: options.spreadMs,
      fired,
      effectsRun: effects,
      latenessMs: {
        count: stats!.n,
        p50: stats!.p50,
        p95: stats!.p95,
        p99: stats!.p99,
        max: stats!.max,
        mean: stats!.mean,
      },
      firedWithin1s: stats!.within,
      firingRate: stats!.n / Math.max(0.001, (lastFire - t0) / 1000),
      drainSeconds: (Date.parse(stats!.last_done) - t0) / 1000,
      insertSeconds,
      memory: {
        idleMiB: idle,
        pendingMiB: pendingRss,
        peakMiB: peak.peakMiB,
        afterMiB: after,
        perPendingJobBytes: ((pendingRss - idle) * 1024 * 1024) / Math.max(1, pending),
      },
    };
  } finally {
    await child.close();
    await sql.end({ timeout: 5 });
  }
}

// ------------------------------------------------------------------------------------------------
// In the child process: the dispatcher as the worker runs it (same pool size as worker/runtime.ts).

export function childHandlers(): ChildHandlers {
  let conn: ReturnType<typeof connect> | null = null;
  let dispatcher: Dispatcher | null = null;
  return {
    async setup(m) {
      conn = connect(m.url as string, { max: 20 });
      const engine = createEmbeddedEngine({ db: conn.db });
      dispatcher = createDispatcher({
        sql: conn.sql,
        engine,
        activities: createActivities({ db: conn.db }),
        log: (line) => console.error(`[dispatcher] ${line}`),
      });
      await dispatcher.start();
      return { type: 'setup-done' };
    },
    async close() {
      await dispatcher?.stop();
      await conn?.close();
    },
  };
}
