// Engine throughput: job events per second through the embedded engine (lock, step, persist snapshot,
// history, audit, read model, outbox and timer, in one transaction), beside the raw limit measured in
// the same process, on the same database, with the same pool and concurrency: single-row
// `UPDATE … RETURNING` transactions. The two alternate in short rounds (raw, engine, engine, raw, …)
// so that drift and other load on the machine fall on both alike; each figure pools its rounds.
// Besides rates and latencies, each side's cost is measured: CPU per operation (Node and PostgreSQL
// processes), WAL bytes and WAL fsyncs per operation — what says which resource sets the limit.
import postgres from 'postgres';
import { connect } from '#db/client.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import type { JobCommand } from '#workflows/model.ts';
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
  /** engine events/s ÷ raw transactions/s, both measured in this run. */
  ratio: number;
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
    for (let r = 0; r < options.rounds; r++) {
      // ABBA order: each side runs first in half the rounds.
      const order = r % 2 === 0 ? ['raw', 'engine'] : ['engine', 'raw'];
      for (const kind of order)
        await child.request(
          { type: 'phase', kind, warmupMs: r === 0 ? options.warmupMs : 500, durationMs: perRound },
          'phase-done',
        );
    }
    const peak = sampler.stop();
    const { raw, engine } = await child.request<{ type: string; raw: SideResult; engine: SideResult }>(
      { type: 'results' },
      'results',
    );
    await child.request({ type: 'gc' }, 'gc-done');
    const after = readRss(child.pid).rssMiB;
    return {
      clients: options.clients,
      poolSize: options.clients,
      rounds: options.rounds,
      raw,
      engine,
      ratio: engine.perSecond / raw.perSecond,
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

  const ops: Record<string, (client: number) => Promise<unknown>> = {
    raw: (c) => conn!.sql.begin((tx) => tx`update bench_counter set n = n + 1 where id = ${c} returning n`),
    engine: (c) => {
      const k = c * o.jobsPerClient + (cursor[c]!++ % o.jobsPerClient);
      return engine.send(
        o.jobIds[k]!,
        commandFor(nextStep[k]!++, o.contractorIds[k % o.contractorIds.length]!, o.staffId),
      );
    },
  };

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
      if (o.jobIds.length < o.jobsPerClient * o.clients) throw new Error('not enough jobs for the engine bench');
      nextStep = o.jobIds.map(() => 0);
      cursor = Array.from({ length: o.clients }, () => 0);
      await conn.sql`create table if not exists bench_counter (id int primary key, n bigint not null)`;
      await conn.sql`insert into bench_counter select g, 0 from generate_series(0, ${o.clients - 1}) g on conflict do nothing`;
      return { type: 'setup-done' };
    },
    async phase(m) {
      const kind = m.kind as 'raw' | 'engine';
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
    results() {
      const out: Record<string, SideResult> = {};
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
