// The same job lifecycle on both engines, in one run: what Temporal costs beside the embedded engine,
// measured rather than guessed. For each engine, N fresh jobs on one database are started and driven
// New → OFFER → ACCEPT → START → ADD_NOTE → COMPLETE → SUBMIT_INVOICE → CLOSE → RAISE_INVOICE →
// RECORD_PAYMENT ×3 (Payment Complete) by C concurrent clients, each with its own jobs; a job's events
// are sequential, a client's consecutive events go to different jobs. The engine runs in a bench child
// as the app hosts it: the embedded engine with its dispatcher, or the Temporal engine client with a
// worker in the same process, against a `temporal server start-dev` the bench starts itself.
//
// Per engine: events/s, send() round trip per event (p50/p95/p99), the time from an event's
// acknowledgement until the read model (jobs.engine_version) shows it, sampled, and the CPU of the app
// process, PostgreSQL and the Temporal server, with their memory, over the event phase. Then
// embedded ÷ Temporal for events/s and p95.
import { one } from '#db/rows.ts';
import postgres from 'postgres';
import { connect } from '#db/client.ts';
import type { Dispatcher } from '#worker/embedded/dispatcher.ts';
import type { JobEngine } from '#worker/engines/port.ts';
import type { RunningTemporalWorker } from '#worker/temporal-worker.ts';
import type { JobCommand, JobInput } from '#workflows/model.ts';
import {
  BenchChild,
  cpuTicks,
  machineTicks,
  readRss,
  sampleRss,
  TICK_MS,
  treeTicks,
  type ChildHandlers,
  type ChildMessage,
} from './lib/proc.ts';
import { sleep, summarize, type LatencySummary } from './lib/stats.ts';
import { findTemporalCli, startDevServer, type DevServer } from './lib/temporal-server.ts';
import type { Figure } from './report.ts';
import { CHASE, seedAgency, URGENT, type SeededAgency } from './seed.ts';

type EngineKind = 'embedded' | 'temporal';

interface LifecycleOptions {
  url: string;
  /** PID of the PostgreSQL postmaster, whose processes' CPU time is counted. */
  postmasterPid: number;
  jobs: number;
  clients: number;
  /** Every this many-th acknowledged event, the read model is polled until it shows the event. */
  sampleEvery: number;
  log: (message: string) => void;
}

interface EngineLifecycle {
  engine: EngineKind;
  jobs: number;
  /** Events acknowledged (the starts not included). */
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** send() round trip, every event. */
  latencyMs: LatencySummary;
  byType: Record<string, { count: number; p50: number; p95: number }>;
  /** start() round trip, measured before the event phase (not in its figures). */
  startLatencyMs: LatencySummary;
  /**
   * Acknowledgement until jobs.engine_version shows the event, for every `sampleEvery`-th event. It
   * includes the probe's own query round trip: when the first read already shows the event, this is
   * that round trip, not a lag.
   */
  visibleMs: LatencySummary;
  /** Samples whose first read already showed the event (the read model was not behind the ack). */
  visibleAtFirstRead: number;
  visibleTimeouts: number;
  errors: number;
  firstError: string | null;
  /** Jobs whose read model says Payment Complete at version 12 afterwards. */
  completedJobs: number;
  cpuSeconds: { app: number; postgres: number; temporalServer: number | null };
  cpuMsPerEvent: { app: number; postgres: number; temporalServer: number | null; total: number };
  memory: { appPeakMiB: number; temporalServerPeakMiB: number | null; temporalServerHwmMiB: number | null };
  /** Machine CPU busy share during the event phase (2 cores = 100 % when both are busy). */
  machineBusy: number;
}

type LifecycleHalf = EngineLifecycle | { engine: EngineKind; skipped: string } | { engine: EngineKind; error: string };

interface LifecycleBenchResult {
  jobs: number;
  clients: number;
  eventsPerJob: number;
  sequence: string;
  sampleEvery: number;
  temporalServer: { cli: string; version: string; storage: string } | null;
  embedded: LifecycleHalf;
  temporal: LifecycleHalf;
  /** embedded ÷ Temporal, from this run; null when either half has no figures. */
  ratios: { eventsPerSecond: number; p95: number } | null;
}

const measured = (h: LifecycleHalf): h is EngineLifecycle => 'events' in h;

/** A job's whole life after its start, as tests/engine/contract.ts drives it (version 12 at the end). */
function lifecycleCommand(step: number, contractorId: string, staffId: string, key: string): JobCommand {
  const staff = { id: staffId, role: 'staff' as const };
  const contractor = { id: contractorId, role: 'contractor' as const };
  const steps: JobCommand[] = [
    { type: 'OFFER', contractorId, actor: staff },
    { type: 'ACCEPT', actor: contractor },
    { type: 'START', actor: contractor },
    { type: 'ADD_NOTE', text: 'Washer replaced, tap tested.', actor: contractor },
    { type: 'COMPLETE', note: 'All fixed', actor: contractor },
    // Without the contractor's invoice the three payments leave the job Closed, not Payment Complete.
    {
      type: 'SUBMIT_INVOICE',
      number: `C-${key}`,
      netPence: 10000,
      vatPence: 2000,
      totalPence: 12000,
      actor: contractor,
    },
    { type: 'CLOSE', actor: staff },
    {
      type: 'RAISE_INVOICE',
      number: `A-${key}`,
      agentNetPence: 15000,
      vatRateBp: 2000,
      contractorTotalPence: 12000,
      actor: staff,
    },
    {
      type: 'RECORD_PAYMENT',
      key: `${key}-client`,
      leg: 'client',
      amountPence: 18000,
      reference: 'BACS client',
      actor: staff,
    },
    {
      type: 'RECORD_PAYMENT',
      key: `${key}-contractor`,
      leg: 'contractor',
      amountPence: 12000,
      reference: 'BACS contractor',
      actor: staff,
    },
    {
      type: 'RECORD_PAYMENT',
      key: `${key}-commission`,
      leg: 'commission',
      amountPence: 5000,
      reference: 'Ledger',
      actor: staff,
    },
  ];
  const command = steps[step];
  if (!command) throw new Error(`the lifecycle has ${steps.length} steps, not ${step + 1}`);
  return command;
}
const EVENTS_PER_JOB = 11;
const SEQUENCE =
  'OFFER, ACCEPT, START, ADD_NOTE, COMPLETE, SUBMIT_INVOICE, CLOSE, RAISE_INVOICE, RECORD_PAYMENT ×3 (client, contractor, commission)';

/**
 * The comparison's rows in the report's table. A half without figures (no CLI, or it failed) still
 * shows, with the reason, so a run without Temporal cannot be mistaken for one with it.
 */
export function lifecycleFigures(r: LifecycleBenchResult): Figure[] {
  const figures: Figure[] = [];
  const label = (h: LifecycleHalf) => `Lifecycle ${h.engine === 'embedded' ? 'embedded' : 'Temporal'}`;
  for (const h of [r.embedded, r.temporal]) {
    const key = `lifecycle.${h.engine}`;
    if (!measured(h)) {
      const why = 'skipped' in h ? h.skipped : `failed: ${h.error.split('\n')[0]}`;
      figures.push({
        key: `${key}.eps`,
        label: `${label(h)}: events/s (${r.clients} clients)`,
        value: null,
        unit: '/s',
        skipped: why.slice(0, 160),
      });
      continue;
    }
    figures.push(
      {
        key: `${key}.eps`,
        label: `${label(h)}: events/s (${r.clients} clients, ${h.jobs} jobs × ${r.eventsPerJob})`,
        value: h.eventsPerSecond,
        unit: '/s',
      },
      { key: `${key}.p50`, label: `${label(h)}: p50 event latency`, value: h.latencyMs.p50, unit: 'ms' },
      { key: `${key}.p95`, label: `${label(h)}: p95 event latency`, value: h.latencyMs.p95, unit: 'ms' },
      { key: `${key}.p99`, label: `${label(h)}: p99 event latency`, value: h.latencyMs.p99, unit: 'ms' },
      {
        key: `${key}.visible.p95`,
        label: `${label(h)}: ack → read model p95 (every ${r.sampleEvery}th event)`,
        value: h.visibleMs.p95,
        unit: 'ms',
      },
      { key: `${key}.visible.max`, label: `${label(h)}: ack → read model max`, value: h.visibleMs.max, unit: 'ms' },
      {
        key: `${key}.visible.first`,
        label: `${label(h)}: read model already current at first read`,
        value: h.visibleMs.count ? (h.visibleAtFirstRead / h.visibleMs.count) * 100 : null,
        unit: '%',
      },
      {
        key: `${key}.paid`,
        label: `${label(h)}: jobs at Payment Complete of ${h.jobs}`,
        value: h.completedJobs,
        unit: '',
        target: { op: '>=', value: h.jobs },
      },
      {
        key: `${key}.errors`,
        label: `${label(h)}: refused or failed events`,
        value: h.errors,
        unit: '',
        target: { op: '<=', value: 0 },
      },
      {
        key: `${key}.cpu.app`,
        label: `${label(h)}: app process CPU (${h.engine === 'embedded' ? 'engine + dispatcher' : 'engine client + worker'})`,
        value: h.cpuSeconds.app,
        unit: 's',
      },
      { key: `${key}.cpu.pg`, label: `${label(h)}: PostgreSQL CPU`, value: h.cpuSeconds.postgres, unit: 's' },
      ...(h.cpuSeconds.temporalServer !== null
        ? [
            {
              key: `${key}.cpu.server`,
              label: `${label(h)}: dev server CPU`,
              value: h.cpuSeconds.temporalServer,
              unit: 's',
            },
            {
              key: `${key}.rss.server`,
              label: `${label(h)}: dev server peak RSS during the run`,
              value: h.memory.temporalServerPeakMiB,
              unit: 'MiB',
            },
          ]
        : []),
      {
        key: `${key}.cpu.perEvent`,
        label: `${label(h)}: CPU per event, all processes`,
        value: h.cpuMsPerEvent.total,
        unit: 'ms',
      },
      { key: `${key}.rss.app`, label: `${label(h)}: app process peak RSS`, value: h.memory.appPeakMiB, unit: 'MiB' },
    );
  }
  const why = [r.embedded, r.temporal]
    .map((h) => ('skipped' in h ? `${h.engine} skipped` : 'error' in h ? `${h.engine} failed` : ''))
    .filter(Boolean)
    .join(', ');
  figures.push(
    {
      key: 'lifecycle.ratio.eps',
      label: 'Lifecycle: events/s, embedded ÷ Temporal',
      value: r.ratios?.eventsPerSecond ?? null,
      unit: '×',
      ...(r.ratios ? {} : { skipped: why }),
    },
    {
      key: 'lifecycle.ratio.p95',
      label: 'Lifecycle: p95 latency, embedded ÷ Temporal',
      value: r.ratios?.p95 ?? null,
      unit: '×',
      ...(r.ratios ? {} : { skipped: why }),
    },
  );
  return figures;
}

/** Read-model rows for `count` new jobs (no engine state: each engine's start() makes its own). */
async function insertJobs(
  sql: postgres.Sql,
  agency: SeededAgency,
  count: number,
  startNumber: number,
  prefix: string,
): Promise<JobInput[]> {
  const createdAt = new Date().toISOString();
  const rows = await sql<{ id: string; reference: string }[]>`
    insert into jobs (agency_id, number, reference, title, priority_code, property_id, tenant_id, created_at, updated_at)
    select ${agency.id}, n, ${prefix} || '-' || lpad(n::text, 6, '0'), 'Leaking kitchen tap', ${URGENT.code},
           (${agency.properties.map((p) => p.id)}::uuid[])[1 + n % ${agency.properties.length}],
           (${agency.properties.map((p) => p.tenantId)}::uuid[])[1 + n % ${agency.properties.length}],
           ${createdAt}::timestamptz, ${createdAt}::timestamptz
    from generate_series(${startNumber}::int, ${startNumber + count - 1}::int) n
    order by n
    returning id, reference`;
  await sql`update agencies set next_job_number = greatest(next_job_number, ${startNumber + count}) where id = ${agency.id}`;
  return rows.map((r) => ({
    jobId: r.id,
    reference: r.reference,
    agencyId: agency.id,
    createdAt,
    priority: URGENT,
    chase: CHASE,
  }));
}

export async function runLifecycleBench(o: LifecycleOptions): Promise<LifecycleBenchResult> {
  const sql = postgres(o.url, { max: 2, onnotice: () => {}, connection: { TimeZone: 'UTC' } });
  try {
    const agency = await seedAgency(sql, 'Lifecycle Lettings', { staff: 3, contractors: 16, properties: 200 });
    const result: LifecycleBenchResult = {
      jobs: o.jobs,
      clients: o.clients,
      eventsPerJob: EVENTS_PER_JOB,
      sequence: SEQUENCE,
      sampleEvery: o.sampleEvery,
      temporalServer: null,
      embedded: { engine: 'embedded', skipped: 'not run' },
      temporal: { engine: 'temporal', skipped: 'not run' },
      ratios: null,
    };

    o.log(`lifecycle: embedded engine, ${o.jobs} jobs × ${EVENTS_PER_JOB} events, ${o.clients} clients`);
    const embeddedJobs = await insertJobs(sql, agency, o.jobs, 1, 'EMB');
    result.embedded = await measure('embedded', embeddedJobs, agency, sql, o, null);

    const cli = findTemporalCli();
    if ('missing' in cli) {
      result.temporal = { engine: 'temporal', skipped: cli.missing };
      o.log(`lifecycle: Temporal skipped: ${cli.missing}`);
    } else {
      let server: DevServer | null = null;
      try {
        o.log(`lifecycle: starting temporal server start-dev (${cli.path})`);
        server = await startDevServer(cli.path);
        result.temporalServer = {
          cli: cli.path,
          version: server.version,
          storage: 'SQLite file in a temporary directory',
        };
        o.log(
          `lifecycle: Temporal (${server.version}) on ${server.address}, pid ${server.pid}; ${o.jobs} jobs × ${EVENTS_PER_JOB} events, ${o.clients} clients`,
        );
        const temporalJobs = await insertJobs(sql, agency, o.jobs, o.jobs + 1, 'TMP');
        result.temporal = await measure('temporal', temporalJobs, agency, sql, o, server);
      } catch (e) {
        result.temporal = { engine: 'temporal', error: e instanceof Error ? e.message : String(e) };
        o.log(`lifecycle: Temporal failed: ${result.temporal.error}`);
      } finally {
        await server?.stop();
      }
    }
    const [a, b] = [result.embedded, result.temporal];
    if (measured(a) && measured(b))
      result.ratios = {
        eventsPerSecond: a.eventsPerSecond / b.eventsPerSecond,
        p95: a.latencyMs.p95 / b.latencyMs.p95,
      };
    return result;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function measure(
  engine: EngineKind,
  inputs: JobInput[],
  agency: SeededAgency,
  sql: postgres.Sql,
  o: LifecycleOptions,
  server: DevServer | null,
): Promise<EngineLifecycle> {
  const child = new BenchChild('lifecycle');
  let samplers: ReturnType<typeof sampleRss>[] = [];
  try {
    await child.next('ready');
    await child.request(
      { type: 'setup', engine, url: o.url, address: server?.address ?? null, poolSize: o.clients + 4 },
      'setup-done',
    );
    const { startLatencyMs } = await child.request<{ type: string; startLatencyMs: LatencySummary }>(
      { type: 'start', jobs: inputs, clients: o.clients },
      'start-done',
    );
    // Let the starts' own work (projections, notifications) finish outside the measured window.
    await sleep(1500);

    const before = {
      app: cpuTicks(child.pid),
      pg: treeTicks(o.postmasterPid),
      server: server ? cpuTicks(server.pid) : 0,
      machine: machineTicks(),
    };
    const appRss = sampleRss(child.pid);
    const serverRss = server ? sampleRss(server.pid) : null;
    samplers = serverRss ? [appRss, serverRss] : [appRss];
    const r = await child.request<ChildMessage & RunResult>(
      {
        type: 'run',
        jobs: inputs,
        clients: o.clients,
        sampleEvery: o.sampleEvery,
        contractorIds: agency.contractors.map((c) => c.id),
        staffId: agency.staff[agency.staff.length - 1]!.id,
      },
      'run-done',
    );
    const ticks = {
      app: cpuTicks(child.pid) - before.app,
      pg: treeTicks(o.postmasterPid) - before.pg,
      server: server ? cpuTicks(server.pid) - before.server : 0,
    };
    const mt = machineTicks();
    const appPeak = appRss.stop();
    const serverPeak = serverRss?.stop() ?? null;
    const serverHwm = server ? readRss(server.pid).hwmMiB : null;

    const { completed } = one(
      await sql<{ completed: number }[]>`
      select count(*)::int as completed from jobs
      where id = any(${inputs.map((j) => j.jobId)}::uuid[]) and status = 'paymentComplete' and engine_version = ${EVENTS_PER_JOB + 1}`,
    );
    const seconds = (ticks: number) => (ticks * TICK_MS) / 1000;
    const perEvent = (ticks: number) => (r.events ? (ticks * TICK_MS) / r.events : NaN);
    return {
      engine,
      jobs: inputs.length,
      events: r.events,
      seconds: r.seconds,
      eventsPerSecond: r.events / r.seconds,
      latencyMs: r.latencyMs,
      byType: r.byType,
      startLatencyMs,
      visibleMs: r.visibleMs,
      visibleAtFirstRead: r.visibleAtFirstRead,
      visibleTimeouts: r.visibleTimeouts,
      errors: r.errors,
      firstError: r.firstError,
      completedJobs: completed,
      cpuSeconds: {
        app: seconds(ticks.app),
        postgres: seconds(ticks.pg),
        temporalServer: server ? seconds(ticks.server) : null,
      },
      cpuMsPerEvent: {
        app: perEvent(ticks.app),
        postgres: perEvent(ticks.pg),
        temporalServer: server ? perEvent(ticks.server) : null,
        total: perEvent(ticks.app + ticks.pg + ticks.server),
      },
      memory: {
        appPeakMiB: appPeak.peakMiB,
        temporalServerPeakMiB: serverPeak?.peakMiB ?? null,
        temporalServerHwmMiB: serverHwm,
      },
      machineBusy: (mt.busy - before.machine.busy) / Math.max(1, mt.total - before.machine.total),
    };
  } finally {
    for (const sampler of samplers) sampler.stop();
    await child.close();
  }
}

// ------------------------------------------------------------------------------------------------
// In the child process

interface RunResult {
  events: number;
  seconds: number;
  latencyMs: LatencySummary;
  byType: Record<string, { count: number; p50: number; p95: number }>;
  visibleMs: LatencySummary;
  visibleAtFirstRead: number;
  visibleTimeouts: number;
  errors: number;
  firstError: string | null;
}

/** Polling the read model: every 2 ms, so the figure's resolution is a few milliseconds. */
const POLL_MS = 2;
const VISIBLE_TIMEOUT_MS = 30_000;

export function childHandlers(): ChildHandlers {
  let conn: ReturnType<typeof connect> | null = null;
  let probe: postgres.Sql | null = null;
  let engine: JobEngine | null = null;
  let dispatcher: Dispatcher | null = null;
  let worker: RunningTemporalWorker | null = null;
  const quiet = () => {};

  /** Runs `clients` loops over their own jobs (job k belongs to client k mod clients). */
  const byClient = <T>(jobs: T[], clients: number) =>
    Array.from({ length: clients }, (_, c) => jobs.filter((_, k) => k % clients === c));

  return {
    async setup(m) {
      conn = connect(m.url as string, { max: m.poolSize as number });
      // The read-model probe has its own connections, so it never waits behind the clients' events.
      probe = postgres(m.url as string, { max: 2, onnotice: () => {} });
      // Each child loads only its engine's code, so the other's libraries (the Temporal SDK's native
      // runtime above all) do not count in its memory.
      if (m.engine === 'embedded') {
        const { createEmbeddedEngine } = await import('#worker/engines/embedded.ts');
        const { createDispatcher } = await import('#worker/embedded/dispatcher.ts');
        const { createActivities } = await import('#activities/index.ts');
        const embedded = createEmbeddedEngine({ db: conn.db });
        // The app runs the outbox's notifications beside the engine; the Temporal worker runs them as activities.
        dispatcher = createDispatcher({
          sql: conn.sql,
          engine: embedded,
          activities: createActivities({ db: conn.db }),
          log: (line) => console.error(`[dispatcher] ${line}`),
        });
        await dispatcher.start();
        engine = embedded;
      } else {
        const { DefaultLogger, Runtime } = await import('@temporalio/worker');
        const { createTemporalEngine } = await import('#worker/engines/temporal.ts');
        const { runTemporalWorker } = await import('#worker/temporal-worker.ts');
        // The SDK logs every worker state change and the bundler's output at INFO: keep the bench's output readable.
        Runtime.install({ logger: new DefaultLogger('WARN') });
        const address = m.address as string;
        worker = await runTemporalWorker({ db: conn.db, address, log: quiet });
        engine = await createTemporalEngine({ db: conn.db, address, log: quiet });
      }
      return { type: 'setup-done' };
    },

    async start(m) {
      const latencies: number[] = [];
      await Promise.all(
        byClient(m.jobs as JobInput[], m.clients as number).map(async (mine) => {
          for (const input of mine) {
            const t0 = performance.now();
            await engine!.start(input);
            latencies.push(performance.now() - t0);
          }
        }),
      );
      return { type: 'start-done', startLatencyMs: summarize(latencies) };
    },

    async run(m) {
      const jobs = m.jobs as JobInput[];
      const contractorIds = m.contractorIds as string[];
      const staffId = m.staffId as string;
      const sampleEvery = m.sampleEvery as number;
      const latencies: number[] = [];
      const byType = new Map<string, number[]>();
      const visible: number[] = [];
      const probes: Promise<void>[] = [];
      let visibleTimeouts = 0;
      let visibleAtFirstRead = 0;
      let acknowledged = 0;
      let errors = 0;
      let firstError: string | null = null;

      // Polls until the read model shows `version`; the time counts from the acknowledgement.
      const watch = async (jobId: string, version: number, ackedAt: number) => {
        for (let read = 0; ; read++) {
          const [row] = await probe!<{ v: number }[]>`select engine_version as v from jobs where id = ${jobId}`;
          if (row && row.v >= version) {
            if (read === 0) visibleAtFirstRead++;
            return void visible.push(performance.now() - ackedAt);
          }
          if (performance.now() - ackedAt > VISIBLE_TIMEOUT_MS) return void visibleTimeouts++;
          await sleep(POLL_MS);
        }
      };

      const t0 = performance.now();
      await Promise.all(
        byClient(
          jobs.map((input, k) => ({ input, k })),
          m.clients as number,
        ).map(async (mine) => {
          const failed = new Set<number>();
          for (let step = 0; step < EVENTS_PER_JOB; step++) {
            for (const { input, k } of mine) {
              if (failed.has(k)) continue;
              const command = lifecycleCommand(
                step,
                contractorIds[k % contractorIds.length]!,
                staffId,
                input.reference,
              );
              const sent = performance.now();
              try {
                const view = await engine!.send(input.jobId, command);
                const acked = performance.now();
                latencies.push(acked - sent);
                let typed = byType.get(command.type);
                if (!typed) byType.set(command.type, (typed = []));
                typed.push(acked - sent);
                if (++acknowledged % sampleEvery === 0) probes.push(watch(input.jobId, view.version, acked));
              } catch (e) {
                // The job's later events would only be refused: it drops out of the run.
                failed.add(k);
                errors++;
                firstError ??= `${command.type}: ${e instanceof Error ? e.message : String(e)}`;
              }
            }
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      await Promise.all(probes);
      const result: RunResult = {
        events: latencies.length,
        seconds,
        latencyMs: summarize(latencies),
        byType: Object.fromEntries(
          [...byType].map(([type, xs]) => {
            const s = summarize(xs);
            return [type, { count: s.count, p50: s.p50, p95: s.p95 }];
          }),
        ),
        visibleMs: summarize(visible),
        visibleAtFirstRead,
        visibleTimeouts,
        errors,
        firstError,
      };
      return { type: 'run-done', ...result };
    },

    async close() {
      await dispatcher?.stop();
      await worker?.shutdown();
      await engine?.close();
      await probe?.end({ timeout: 5 });
      await conn?.close();
    },
  };
}
