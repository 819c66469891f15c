// Engine throughput: job events per second through the embedded engine (step, then snapshot, history,
// audit, read model, outbox and timer in one transaction), beside a ladder measured in the same process, on
// the same database, with the same pool and concurrency:
//   (a) raw: single-row `UPDATE … RETURNING` transactions (BEGIN, UPDATE, COMMIT): PostgreSQL's floor;
//   (b) steps: the engine's statements for one event, sent one by one, each awaited (BEGIN, the row lock
//       and read, the event statement, COMMIT), from a prepared event: no machine step;
//   (c) one: the same writes as one statement (the engine's event statement alone), from a prepared event.
// Beside the engine, `locked` is the same engine keeping no snapshots, so every event takes the row lock first
// (two round trips, as before ADR 0067): what the one round trip is worth, in the same run.
// engine ÷ (c) is what Node (the machine step, building the statement) costs beside the database's work;
// (c) ÷ (a) is what the event's writes cost PostgreSQL beside a bare update; (b) ÷ (c), round trips.
// The sides alternate in short rounds (raw, engine, steps, one, then reversed, …) so that drift and other
// load on the machine fall on all alike; each figure pools its rounds. The ladder's jobs are not the
// engine's, so it never moves a job past the snapshot the engine keeps.
// Besides rates and latencies, each side's cost is measured: CPU per operation (Node and PostgreSQL
// processes), WAL bytes and WAL fsyncs per operation — what says which resource sets the limit.
import postgres from 'postgres';
import { connect } from '#db/client.ts';
import { PgDialect } from 'drizzle-orm/pg-core';
import { createEmbeddedEngine, eventWrites } from '#worker/engines/embedded.ts';
import type { JobState } from '#workflows/job-host.ts';
import type { Effect, JobCommand, JobEvent } from '#workflows/model.ts';
import { BenchChild, machineTicks, readRss, sampleRss, TICK_MS, treeTicks, type ChildHandlers } from './lib/proc.ts';
import { closedLoop, summarize, type LoadResult } from './lib/stats.ts';

interface EngineBenchOptions {
  url: string;
  /** PID of the PostgreSQL postmaster, whose processes' CPU time is counted. */
  postmasterPid: number;
  clients: number;
  /** Jobs each client rotates over (consecutive events hit different rows, as in real use). */
  jobsPerClient: number;
  jobIds: string[];
  /** The ladder's own jobs (as many as `jobIds`). */
  ladderJobIds: string[];
  /** Jobs of the engine run without kept snapshots (as many as `jobIds`). */
  lockedJobIds: string[];
  contractorIds: string[];
  staffId: string;
  rounds: number;
  warmupMs: number;
  /** Measured time per side, split over the rounds. */
  durationMs: number;
}

/** A closed-loop load result (`closedLoop`) plus what each operation cost the machine. */
interface SideResult extends LoadResult {
  /** CPU time per operation: the bench child (Node) and all PostgreSQL processes. */
  cpuMsPerOp: { node: number; postgres: number; total: number };
  walBytesPerOp: number;
  walFsyncsPerOp: number;
  /** Machine CPU busy share during this side's rounds (2 cores = 100 % when both are busy). */
  machineBusy: number;
}

export interface EngineBenchResult {
  clients: number;
  poolSize: number;
  rounds: number;
  raw: SideResult;
  engine: SideResult;
  /** The engine keeping no snapshots: every event locks and reads first, two round trips. */
  locked: SideResult;
  /** The engine's statements one by one, each awaited (ladder step b). */
  steps: SideResult;
  /** The engine's writes as its one statement (ladder step c). */
  one: SideResult;
  /** engine events/s ÷ raw transactions/s, both measured in this run. */
  ratio: number;
  /** engine ÷ (a), engine ÷ (c), (c) ÷ (a) and (b) ÷ (c), from this run's rates. */
  ladder: { engineOverRaw: number; engineOverOne: number; oneOverRaw: number; stepsOverOne: number };
  /** Updates of the two tables every event updates, and how many were HOT (no index touched). */
  hot: Record<'jobs' | 'engineJobs', { updates: number; hot: number; share: number }>;
  /** The engine's snapshot (engine.jobs.state) as stored, and whether any is out of line (TOAST). */
  snapshot: { avgBytes: number; maxBytes: number; toastBytes: number };
  eventMix: string;
  memory: { idleMiB: number; peakMiB: number; afterMiB: number };
}

/**
 * A job's events: offered, accepted, started, then a loop of notes, completion, recall and restart.
 * The loop keeps the job open forever with a bounded state, so a fixed set of jobs serves any duration.
 */
function commandFor(s: number, contractorId: string, staffId: string): JobCommand {
  const staff = { id: staffId, role: 'staff' as const };
  const contractor = { id: contractorId, role: 'contractor' as const };
  const intro: JobCommand[] = [
    { type: 'OFFER', contractorId, actor: staff },
    { type: 'ACCEPT', actor: contractor },
    { type: 'START', actor: contractor },
  ];
  if (s < intro.length) return intro[s]!;
  const loop: JobCommand[] = [
    { type: 'ADD_NOTE', text: 'Parts on order, back Thursday.', actor: contractor },
    { type: 'ADD_NOTE', text: 'Tenant confirmed access for Thursday.', actor: staff },
    { type: 'COMPLETE', note: 'Replaced the washer and tested the tap.', actor: contractor },
    { type: 'RECALL', reason: 'Still dripping after a day.', actor: staff },
    { type: 'START', actor: contractor },
  ];
  return loop[(s - intro.length) % loop.length]!;
}
const EVENT_MIX =
  'OFFER, ACCEPT, START once per job, then repeating ADD_NOTE ×2, COMPLETE, RECALL, START (each with a notify effect)';

export async function runEngineBench(options: EngineBenchOptions): Promise<EngineBenchResult> {
  const child = new BenchChild('engine');
  try {
    await child.next('ready');
    await child.request({ type: 'setup', ...options }, 'setup-done');
    await child.request({ type: 'gc' }, 'gc-done');
    const idle = readRss(child.pid).rssMiB;
    const sampler = sampleRss(child.pid);
    const perRound = Math.round(options.durationMs / options.rounds);
    const sides = ['raw', 'engine', 'locked', 'steps', 'one'];
    for (let r = 0; r < options.rounds; r++) {
      // ABBA order: each side runs first in half the rounds.
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      for (const kind of order)
        await child.request(
          { type: 'phase', kind, warmupMs: r === 0 ? options.warmupMs : 500, durationMs: perRound },
          'phase-done',
        );
    }
    const peak = sampler.stop();
    const { raw, engine, locked, steps, one, hot, snapshot } = await child.request<
      {
        type: string;
        [side: string]: unknown;
      } & Pick<EngineBenchResult, 'raw' | 'engine' | 'locked' | 'steps' | 'one' | 'hot' | 'snapshot'>
    >({ type: 'results' }, 'results');
    await child.request({ type: 'gc' }, 'gc-done');
    const after = readRss(child.pid).rssMiB;
    return {
      clients: options.clients,
      poolSize: options.clients,
      rounds: options.rounds,
      raw,
      engine,
      locked,
      steps,
      one,
      ratio: engine.perSecond / raw.perSecond,
      ladder: {
        engineOverRaw: engine.perSecond / raw.perSecond,
        engineOverOne: engine.perSecond / one.perSecond,
        oneOverRaw: one.perSecond / raw.perSecond,
        stepsOverOne: steps.perSecond / one.perSecond,
      },
      hot,
      snapshot,
      eventMix: EVENT_MIX,
      memory: { idleMiB: idle, peakMiB: peak.peakMiB, afterMiB: after },
    };
  } finally {
    await child.close();
  }
}

// ------------------------------------------------------------------------------------------------
// In the child process

interface Side {
  latencies: number[];
  ops: number;
  seconds: number;
  errors: number;
  firstError: string | null;
  nodeMs: number;
  pgMs: number;
  walBytes: number;
  walFsyncs: number;
  busy: number;
  total: number;
}

export function childHandlers(): ChildHandlers {
  let conn: ReturnType<typeof connect> | null = null;
  let monitor: postgres.Sql | null = null;
  let o: EngineBenchOptions;
  let engine: ReturnType<typeof createEmbeddedEngine>;
  const sides: Record<string, Side> = {};
  // Per-job progress through its event sequence, and per-client position in its jobs: kept across rounds.
  let nextStep: number[] = [];
  let cursor: number[] = [];
  let lockedEngine: ReturnType<typeof createEmbeddedEngine>;
  let lockedStep: number[] = [];
  let lockedCursor: number[] = [];
  // The ladder's prepared event per job: its snapshot as JSON and version (bumped by each event it sends).
  let ladder: { jobId: string; json: string; state: JobState; version: number }[] = [];
  let ladderCursor: number[] = [];
  const ladderEffect = (jobId: string): Effect[] => [
    {
      type: 'notify',
      params: {
        template: 'noteAdded',
        contractors: [],
        staff: true,
        data: { jobId, text: 'Parts on order.' },
      },
    },
  ];
  /** The next ladder job for client `c`, and its event statement (an ADD_NOTE with one notify effect). */
  const ladderEvent = (c: number) => {
    const job = ladder[c * o.jobsPerClient + (ladderCursor[c]!++ % o.jobsPerClient)]!;
    const seq = job.version + 1;
    const at = new Date().toISOString();
    const event: JobEvent = { type: 'ADD_NOTE', text: 'Parts on order, back Thursday.', actor: staffActor, at };
    const { sql: text, params } = dialect.sqlToQuery(
      eventWrites(
        { jobId: job.jobId, seq, event, from: job.state.status, state: job.state, at },
        job.json,
        ladderEffect(job.jobId),
      ).statement,
    );
    return { job, seq, text, params: params as never[] };
  };
  const dialect = new PgDialect({ casing: 'snake_case' });
  let staffActor: { id: string; role: 'staff' } = { id: '', role: 'staff' };

  const ops: Record<string, (client: number) => Promise<unknown>> = {
    raw: (c) => conn!.sql.begin((tx) => tx`update bench_counter set n = n + 1 where id = ${c} returning n`),
    engine: (c) => {
      const k = c * o.jobsPerClient + (cursor[c]!++ % o.jobsPerClient);
      return engine.send(
        o.jobIds[k]!,
        commandFor(nextStep[k]!++, o.contractorIds[k % o.contractorIds.length]!, o.staffId),
      );
    },
    locked: (c) => {
      const k = c * o.jobsPerClient + (lockedCursor[c]!++ % o.jobsPerClient);
      return lockedEngine.send(
        o.lockedJobIds[k]!,
        commandFor(lockedStep[k]!++, o.contractorIds[k % o.contractorIds.length]!, o.staffId),
      );
    },
    // (b) One event's statements one by one, each awaited: BEGIN, lock and read, the event statement, COMMIT.
    steps: async (c) => {
      const e = ladderEvent(c);
      const conn = await conn_().sql.reserve();
      try {
        await conn`begin`;
        await conn`select state, version from engine.jobs where job_id = ${e.job.jobId} for update`;
        await conn.unsafe(e.text, e.params, { prepare: true });
        await conn`commit`;
        e.job.version = e.seq;
      } catch (err) {
        await conn`rollback`.catch(() => {});
        throw err;
      } finally {
        conn.release();
      }
    },
    // (c) The same writes as the engine's one statement: its own transaction.
    one: async (c) => {
      const e = ladderEvent(c);
      await conn_().sql.unsafe(e.text, e.params, { prepare: true });
      e.job.version = e.seq;
    },
  };
  const conn_ = () => conn!;

  const walStats = async () => {
    const [w] = await monitor!<{ lsn: string; fsyncs: number }[]>`
      select pg_current_wal_lsn()::text as lsn,
             coalesce((select sum(fsyncs) from pg_stat_io where object = 'wal'), 0)::float8 as fsyncs`;
    const [hi, lo] = w!.lsn.split('/').map((x) => parseInt(x, 16));
    return { bytes: hi! * 2 ** 32 + lo!, fsyncs: w!.fsyncs };
  };

  return {
    async setup(m) {
      o = m as unknown as EngineBenchOptions;
      conn = connect(o.url, { max: o.clients });
      monitor = postgres(o.url, { max: 1, onnotice: () => {} });
      engine = createEmbeddedEngine({ db: conn.db });
      lockedEngine = createEmbeddedEngine({ db: conn.db, snapshotCacheSize: 0 });
      lockedStep = o.lockedJobIds.map(() => 0);
      lockedCursor = Array.from({ length: o.clients }, () => 0);
      if (o.jobIds.length < o.jobsPerClient * o.clients) throw new Error('not enough jobs for the engine bench');
      nextStep = o.jobIds.map(() => 0);
      cursor = Array.from({ length: o.clients }, () => 0);
      ladderCursor = Array.from({ length: o.clients }, () => 0);
      staffActor = { id: o.staffId, role: 'staff' };
      const rows = await conn.sql<{ job_id: string; state: JobState; version: number }[]>`
        select job_id, state, version from engine.jobs where job_id = any(${o.ladderJobIds}::uuid[])`;
      const byId = new Map(rows.map((r) => [r.job_id, r]));
      ladder = o.ladderJobIds.map((jobId) => {
        const row = byId.get(jobId);
        if (!row) throw new Error(`ladder job ${jobId} has no engine state`);
        return { jobId, json: JSON.stringify(row.state), state: row.state, version: row.version };
      });
      if (ladder.length < o.jobsPerClient * o.clients) throw new Error('not enough jobs for the ladder');
      await conn.sql`create table if not exists bench_counter (id int primary key, n bigint not null)`;
      await conn.sql`insert into bench_counter select g, 0 from generate_series(0, ${o.clients - 1}) g on conflict do nothing`;
      return { type: 'setup-done' };
    },
    async phase(m) {
      const kind = m.kind as 'raw' | 'engine' | 'locked' | 'steps' | 'one';
      const side = (sides[kind] ??= {
        latencies: [],
        ops: 0,
        seconds: 0,
        errors: 0,
        firstError: null,
        nodeMs: 0,
        pgMs: 0,
        walBytes: 0,
        walFsyncs: 0,
        busy: 0,
        total: 0,
      });
      let before: {
        cpu: NodeJS.CpuUsage;
        pg: number;
        wal: { bytes: number; fsyncs: number };
        machine: ReturnType<typeof machineTicks>;
      } | null = null;
      const result = await closedLoop(o.clients, (c) => ops[kind]!(c), {
        warmupMs: m.warmupMs as number,
        durationMs: m.durationMs as number,
        keepLatencies: side.latencies,
        onRecordStart: async () => {
          before = {
            cpu: process.cpuUsage(),
            pg: treeTicks(o.postmasterPid),
            wal: await walStats(),
            machine: machineTicks(),
          };
        },
        onRecordEnd: async () => {
          const cpu = process.cpuUsage(before!.cpu);
          const wal = await walStats();
          const mt = machineTicks();
          side.nodeMs += (cpu.user + cpu.system) / 1000;
          side.pgMs += (treeTicks(o.postmasterPid) - before!.pg) * TICK_MS;
          side.walBytes += wal.bytes - before!.wal.bytes;
          side.walFsyncs += wal.fsyncs - before!.wal.fsyncs;
          side.busy += mt.busy - before!.machine.busy;
          side.total += mt.total - before!.machine.total;
        },
      });
      side.ops += result.ops;
      side.seconds += result.seconds;
      side.errors += result.errors;
      side.firstError ??= result.firstError;
      return { type: 'phase-done' };
    },
    async results() {
      // Table statistics reach the shared counters within a second of each transaction.
      await new Promise((r) => setTimeout(r, 1500));
      const hotRows = await monitor!<{ name: string; updates: number; hot: number }[]>`
        select schemaname || '.' || relname as name, n_tup_upd::float8 as updates, n_tup_hot_upd::float8 as hot
        from pg_stat_user_tables where (schemaname, relname) in (('public', 'jobs'), ('engine', 'jobs'))`;
      const hotOf = (name: string) => {
        const r = hotRows.find((x) => x.name === name);
        return { updates: r?.updates ?? 0, hot: r?.hot ?? 0, share: r && r.updates > 0 ? r.hot / r.updates : 0 };
      };
      const [size] = await monitor!<{ avg: number; max: number; toast: number }[]>`
        select avg(pg_column_size(state))::float8 as avg, max(pg_column_size(state))::float8 as max,
               coalesce(pg_relation_size(nullif((select reltoastrelid from pg_class where oid = 'engine.jobs'::regclass), 0)), 0)::float8 as toast
        from engine.jobs where job_id = any(${[...o.jobIds, ...o.ladderJobIds, ...o.lockedJobIds]}::uuid[])`;
      const out: Record<string, unknown> = {
        hot: { jobs: hotOf('public.jobs'), engineJobs: hotOf('engine.jobs') },
        snapshot: { avgBytes: size?.avg ?? 0, maxBytes: size?.max ?? 0, toastBytes: size?.toast ?? 0 },
      };
      for (const [kind, s] of Object.entries(sides)) {
        out[kind] = {
          ops: s.ops,
          seconds: s.seconds,
          perSecond: s.ops / s.seconds,
          latencyMs: summarize(s.latencies),
          errors: s.errors,
          firstError: s.firstError,
          cpuMsPerOp: { node: s.nodeMs / s.ops, postgres: s.pgMs / s.ops, total: (s.nodeMs + s.pgMs) / s.ops },
          walBytesPerOp: s.walBytes / s.ops,
          walFsyncsPerOp: s.walFsyncs / s.ops,
          machineBusy: s.busy / Math.max(1, s.total),
        };
      }
      return { type: 'results', ...out };
    },
    async close() {
      await monitor?.end({ timeout: 5 });
      await conn?.close();
    },
  };
}
