// API: the built app (scripts/start.ts, embedded engine, as `npm start` runs it) on the bench database
// with its 100 000 jobs, signed in over HTTP as a staff user of the seeded agency, and loaded from a
// second process (bench/lib/http-load.ts) with 50 keep-alive connections: tRPC `jobs.list` as the
// console's jobs page asks for it (flat out, and paced at a fixed rate), a mix of filtered lists and later pages, and `jobs.get` (the job page)
// for random jobs. Each scenario reports requests/s, p50/p95/p99 and errors, and where the CPU went
// (app process, PostgreSQL, load generator); the app's RSS is sampled idle and under load.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { connect } from '#db/client.ts';
import { seedDemoLogins } from '#worker/seed/logins.ts';
import { signInOverHttp, spawnApp } from '../scripts/spawn-app.ts';
import type { LoadResult, LoadScenario } from './lib/http-load.ts';
import { BenchChild, cpuTicks, machineTicks, readRss, sampleRss, TICK_MS, treeTicks } from './lib/proc.ts';
import { sleep, type LatencySummary } from './lib/stats.ts';
import type { SeededAgency } from './seed.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const PASSWORD = 'bench-password-1';
const SECRET = 'bench-secret-bench-secret-bench-secret-01';

interface ApiEndpointResult {
  /** What the requests were. */
  what: string;
  connections: number;
  /** Paced scenarios: the rate offered; latency then counts from when each request was due. */
  ratePerSecond?: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: LatencySummary;
  errors: number;
  firstError: string | null;
  meanBytes: number;
  /** CPU per request: the app process, all PostgreSQL processes, the load generator. */
  cpuMsPerRequest: { app: number; postgres: number; generator: number };
  /** Machine CPU busy share during the measured window (1 = both cores busy). */
  machineBusy: number;
  /** Where PostgreSQL's time went (pg_stat_statements over the scenario): statements per request and the costliest. */
  statements: { perRequest: number; top: { query: string; calls: number; meanMs: number; totalMs: number }[] };
}
export type ApiBenchResult =
  | { skipped: string }
  | {
      connections: number;
      appPoolSize: number;
      endpoints: Record<string, ApiEndpointResult>;
      memory: { idleMiB: number; peakMiB: number; afterMiB: number };
    };

interface ApiBenchOptions {
  /** The bench database (already seeded). */
  url: string;
  postmasterPid: number;
  agency: SeededAgency;
  durationMs: number;
  warmupMs: number;
  connections: number;
  /** The total rate of the paced jobs.list scenario. */
  pacedRatePerSecond: number;
  log: (m: string) => void;
}

const trpcGet = (procedure: string, input: unknown) =>
  `/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;

export async function runApiBench(o: ApiBenchOptions): Promise<ApiBenchResult> {
  if (!existsSync(join(ROOT, 'build/handler.js'))) return { skipped: 'no build: run `npm run build` first' };

  // A password for one staff user of the bench agency (better-auth's own hasher), then the requests.
  const staff = o.agency.staff.find((s) => s.role === 'staff') ?? o.agency.staff[0];
  const { db, sql, close } = connect(o.url, { max: 2 });
  let scenarios: LoadScenario[];
  try {
    await seedDemoLogins(db, [{ email: staff!.email, role: 'staff' }], PASSWORD);
    scenarios = await buildScenarios(sql, o.agency, o.pacedRatePerSecond);
  } finally {
    await close();
  }

  const app = await startApp(o.url);
  const load = new BenchChild('load');
  try {
    await sleep(2000);
    const idle = readRss(app.pid).rssMiB;
    const cookie = await signInOverHttp(app.base, staff!.email, PASSWORD);
    // One request of each kind first: a wrong cookie or a broken route should fail loudly, not as 100 % errors.
    for (const s of scenarios) await probe(app.base, s.paths[0]!, cookie);
    await load.next('ready');

    const sampler = sampleRss(app.pid);
    const endpoints: Record<string, ApiEndpointResult> = {};
    const monitor = postgres(o.url, { max: 1, onnotice: () => {} });
    for (const scenario of scenarios) {
      await monitor`select pg_stat_statements_reset()`;
      const before = { app: cpuTicks(app.pid), pg: treeTicks(o.postmasterPid), machine: machineTicks() };
      const t0 = performance.now();
      const { result } = await load.request<{ type: string; result: LoadResult }>(
        {
          type: 'run',
          base: app.base,
          cookie,
          connections: scenario.connections ?? o.connections,
          scenario,
          warmupMs: o.warmupMs,
          durationMs: o.durationMs,
        },
        'run-done',
      );
      // CPU counters cover warm-up and measurement alike; scale them by the requests in both.
      const wallSeconds = (performance.now() - t0) / 1000;
      const approxRequests = result.requestsPerSecond * wallSeconds;
      const m = machineTicks();
      endpoints[scenario.name] = {
        what: describe(scenario.name),
        connections: scenario.connections ?? o.connections,
        ...(scenario.ratePerSecond ? { ratePerSecond: scenario.ratePerSecond } : {}),
        requests: result.requests,
        requestsPerSecond: result.requestsPerSecond,
        latencyMs: result.latencyMs,
        errors: result.errors,
        firstError: result.firstError,
        meanBytes: result.meanBytes,
        cpuMsPerRequest: {
          app: ((cpuTicks(app.pid) - before.app) * TICK_MS) / approxRequests,
          postgres: ((treeTicks(o.postmasterPid) - before.pg) * TICK_MS) / approxRequests,
          generator: result.generatorCpuMsPerRequest,
        },
        machineBusy: (m.busy - before.machine.busy) / Math.max(1, m.total - before.machine.total),
        statements: await statementsOf(monitor, approxRequests),
      };
      o.log(
        `  ${scenario.name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latencyMs.p50.toFixed(1)} ms, p95 ${result.latencyMs.p95.toFixed(1)} ms, p99 ${result.latencyMs.p99.toFixed(1)} ms, errors ${result.errors}`,
      );
      if (result.firstError) o.log(`  first error: ${result.firstError}`);
    }
    await monitor.end({ timeout: 5 });
    const peak = sampler.stop();
    await sleep(2000);
    const after = readRss(app.pid).rssMiB;
    return {
      connections: o.connections,
      appPoolSize: 20,
      endpoints,
      memory: { idleMiB: idle, peakMiB: peak.peakMiB, afterMiB: after },
    };
  } catch (e) {
    throw new Error(
      `API bench: ${e instanceof Error ? e.message : String(e)}\n--- app output ---\n${app.output().slice(-4000)}`,
      { cause: e },
    );
  } finally {
    await load.close();
    await app.stop();
  }
}

async function statementsOf(sql: postgres.Sql, requests: number): Promise<ApiEndpointResult['statements']> {
  const rows = await sql<{ query: string; calls: number; mean: number; total: number }[]>`
    select regexp_replace(query, '[[:space:]]+', ' ', 'g') as query, calls::int, mean_exec_time as mean, total_exec_time as total
    from pg_stat_statements
    where dbid = (select oid from pg_database where datname = current_database()) and query not like '%pg_stat_statements%'
    order by total_exec_time desc`;
  const calls = rows.reduce((a, r) => a + r.calls, 0);
  return {
    perRequest: calls / Math.max(1, requests),
    top: rows
      .slice(0, 6)
      .map((r) => ({ query: r.query.slice(0, 700), calls: r.calls, meanMs: r.mean, totalMs: r.total })),
  };
}

function describe(name: string): string {
  switch (name) {
    case 'jobs.list':
      return 'first page (25) of all jobs, newest first: the console jobs page as it opens';
    case 'jobs.list.paced':
      return 'the same first page from 50 connections sending at a fixed total rate, as people at their own pace: latency counted from when each request was due';
    case 'jobs.list.1client':
      return 'the same first page from one connection: the time one request takes when none waits behind another';
    case 'jobs.list.filtered':
      return 'filtered lists and later pages: by status, priority, contractor, SLA at risk, needs action, recalls, search text, cursor pages';
    case 'jobs.get':
      return 'the job page for random jobs: job, engine snapshot, property, tenant, type, timeline, attachments, allowed actions';
    default:
      return name;
  }
}

/** The requests each scenario rotates through, drawn from the seeded data. */
async function buildScenarios(
  sql: postgres.Sql,
  agency: SeededAgency,
  pacedRatePerSecond: number,
): Promise<LoadScenario[]> {
  const ids = await sql<
    { id: string }[]
  >`select id from jobs where agency_id = ${agency.id} order by random() limit 2000`;
  const statuses = await sql<{ status: string }[]>`select distinct status from jobs where agency_id = ${agency.id}`;
  const cursors = await sql<{ cursor: string }[]>`
    select encode(convert_to(to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '|' || id, 'UTF8'), 'base64') as cursor
    from jobs where agency_id = ${agency.id} order by random() limit 200`;
  const base64url = (b64: string) => b64.replace(/\n/g, '').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const filtered: unknown[] = [
    ...statuses.map((s) => ({ status: [s.status] })),
    { status: ['assigned', 'inProgress'] },
    { priority: ['P1'] },
    { priority: ['P1', 'P2'], status: ['new', 'assigned'] },
    ...agency.contractors.slice(0, 10).map((c) => ({ contractorId: c.id })),
    { sla: 'atRisk' },
    { sla: 'breached' },
    { view: 'needsAction' },
    { view: 'recalls' },
    { q: 'JOB-0123' },
    { q: 'boiler' },
    ...cursors.slice(0, 20).map((c) => ({ cursor: base64url(c.cursor) })),
  ];
  return [
    { name: 'jobs.list', paths: [trpcGet('jobs.list', {})] },
    { name: 'jobs.list.paced', paths: [trpcGet('jobs.list', {})], ratePerSecond: pacedRatePerSecond },
    { name: 'jobs.list.1client', paths: [trpcGet('jobs.list', {})], connections: 1 },
    { name: 'jobs.list.filtered', paths: filtered.map((input) => trpcGet('jobs.list', input)) },
    { name: 'jobs.get', paths: ids.map((r) => trpcGet('jobs.get', { id: r.id })) },
  ];
}

interface App {
  base: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** The real start script, on the bench database, no demo seed; resolves when it serves. */
async function startApp(databaseUrl: string): Promise<App> {
  // BENCH_APP_CPU_PROF=<dir>: a V8 CPU profile of the app, written when it stops.
  const prof = process.env.BENCH_APP_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_APP_CPU_PROF}`] : [];
  const app = await spawnApp({
    dataDirPrefix: 'fettle-bench-app-',
    nodeArgs: prof,
    env: {
      DATABASE_URL: databaseUrl,
      JOB_ENGINE: 'embedded',
      SEED_DEMO: 'false',
      NODE_ENV: 'production',
      BETTER_AUTH_SECRET: SECRET,
      TEMPORAL_ADDRESS: '',
    },
  });
  return { base: app.url, pid: app.pid, output: app.output, stop: app.stop };
}

async function probe(base: string, path: string, cookie: string): Promise<void> {
  const res = await fetch(base + path, { headers: { cookie } });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${path.slice(0, 80)}: HTTP ${res.status} ${body.slice(0, 300)}`);
}
