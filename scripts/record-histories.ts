// Records the histories of scripted job lifecycles from a running Temporal server into
// tests/fixtures/histories/, for the replay test (tests/temporal/replay.test.ts).
//
//   temporal server start-dev &            # or any reachable server
//   npm run record-histories               # TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE
//   npm run record-histories -- --only=reassign-and-advance     # just these scenarios (comma-separated)
//
// Recorded files stay as they are when the code changes: they prove that histories recorded by older code
// still replay. Record again only to add scenarios (--only), never to make a failing replay pass.
//
// Activities need a database: DATABASE_URL, or a throwaway embedded PostgreSQL when unset. The worker
// runs here on a task queue of its own, so it never takes another worker's tasks. Takes about a minute
// (the timer scenario waits for real, seconds-long deadlines).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import proto from '@temporalio/proto';
import { connect } from '#db/client.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from '#db/embedded.ts';
import { migrateDatabase } from '#db/migrate.ts';
import { createAgency, createJobRow } from '../tests/support/fixtures.ts';
import { EventRejected } from '#worker/engines/port.ts';
import { createTemporalEngine, type TemporalEngine } from '#worker/engines/temporal.ts';
import { runTemporalWorker } from '#worker/temporal-worker.ts';
import type { Actor, JobInput } from '#workflows/model.ts';

const OUT = fileURLToPath(new URL('../tests/fixtures/histories', import.meta.url));
const address = process.env.TEMPORAL_ADDRESS || 'localhost:7233';
const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
const taskQueue = `fettle-record-${Date.now()}`;
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const want = (scenario: string) => !only || only.includes(scenario);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => Promise<boolean>, what: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function main() {
  let pg: EmbeddedServer | null = null;
  let scratch: string | null = null;
  let url = process.env.DATABASE_URL;
  if (!url) {
    scratch = mkdtempSync(join(tmpdir(), 'fettle-record-'));
    pg = await startEmbeddedPostgres({ dataDir: join(scratch, 'pg') });
    url = pg.url;
  }
  const { db, close } = connect(url, { max: 10 });
  const stops: (() => Promise<void>)[] = [];
  try {
    await migrateDatabase(db);
    const worker = await runTemporalWorker({ db, address, namespace, taskQueue });
    stops.push(() => worker.shutdown());
    const engine = await createTemporalEngine({ db, address, namespace, taskQueue });
    stops.push(() => engine.close());
    const small = await createTemporalEngine({
      db,
      address,
      namespace,
      taskQueue,
      maxHistoryEvents: 40,
      log: () => {},
    });
    stops.push(() => small.close());
    mkdirSync(OUT, { recursive: true });

    const fx = await createAgency(db, `Replay Lettings ${Date.now()}`);
    const staff: Actor = { id: fx.staff.id, role: 'staff' };
    const pat: Actor = { id: fx.contractors[0].id, role: 'contractor' };
    const eve: Actor = { id: fx.contractors[1].id, role: 'contractor' };
    const newJob = (overrides: Partial<JobInput> = {}) =>
      createJobRow(db, fx.agency.id, { propertyId: fx.property.id }).then((input) => ({ ...input, ...overrides }));

    /** The job's current run: taken right after start, it is the first run of its chain. */
    const runOf = async (e: TemporalEngine, jobId: string) =>
      (await e.client.workflow.getHandle(await e.workflowId(jobId)).describe()).runId;

    /** Saves every run of the job's workflow from `firstRunId`, following continue-as-new, as `<scenario>[-runN].json`. */
    async function save(e: TemporalEngine, scenario: string, jobId: string, firstRunId: string) {
      const workflowId = await e.workflowId(jobId);
      const runs: {
        runId: string;
        history: Awaited<ReturnType<ReturnType<typeof e.client.workflow.getHandle>['fetchHistory']>>;
      }[] = [];
      for (let runId: string | null | undefined = firstRunId; runId;) {
        const history = await e.client.workflow.getHandle(workflowId, runId).fetchHistory();
        runs.push({ runId, history });
        runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      }
      for (const [i, { runId, history }] of runs.entries()) {
        const name = runs.length > 1 ? `${scenario}-run${i + 1}` : scenario;
        // Binary protobuf (base64): historyFromJSON trips over the two protobufjs copies npm installs here.
        const encoded = Buffer.from(proto.temporal.api.history.v1.History.encode(history).finish()).toString('base64');
        const body = {
          workflowId,
          runId,
          scenario,
          recordedAt: new Date().toISOString(),
          events: history.events?.length ?? 0,
          historyProtoBase64: encoded,
        };
        writeFileSync(join(OUT, `${name}.json`), JSON.stringify(body, null, 1) + '\n');
        console.log(`recorded ${name} (${history.events?.length ?? 0} events)`);
      }
    }
    const status = async (e: TemporalEngine, jobId: string) =>
      (await e.client.workflow.getHandle(await e.workflowId(jobId)).describe()).status.name;

    // 1. The whole happy path, to Payment Complete: the workflow completes.
    if (want('lifecycle-payment-complete')) {
      const job = await newJob();
      await engine.start(job);
      const id = job.jobId;
      const first = await runOf(engine, id);
      await engine.send(id, { type: 'OFFER', contractorId: pat.id, actor: staff });
      await engine.send(id, { type: 'ACCEPT', actor: pat });
      await engine.send(id, { type: 'START', actor: pat });
      await engine.send(id, { type: 'ADD_NOTE', text: 'Washer replaced', actor: pat });
      await engine.send(id, { type: 'COMPLETE', note: 'All fixed', actor: pat });
      await engine.send(id, {
        type: 'SUBMIT_INVOICE',
        number: 'PP-1',
        netPence: 10000,
        vatPence: 2000,
        totalPence: 12000,
        actor: pat,
      });
      await engine.send(id, { type: 'CLOSE', actor: staff });
      await engine.send(id, {
        type: 'RAISE_INVOICE',
        number: 'INV-1',
        agentNetPence: 15000,
        vatRateBp: 2000,
        contractorTotalPence: 12000,
        actor: staff,
      });
      await engine.send(id, {
        type: 'RECORD_PAYMENT',
        key: 'p1',
        leg: 'client',
        amountPence: 18000,
        reference: 'BACS 1',
        actor: staff,
      });
      await engine.send(id, {
        type: 'RECORD_PAYMENT',
        key: 'p2',
        leg: 'contractor',
        amountPence: 12000,
        reference: 'BACS 2',
        actor: staff,
      });
      await engine.send(id, {
        type: 'RECORD_PAYMENT',
        key: 'p3',
        leg: 'commission',
        amountPence: 5000,
        reference: 'Ledger',
        actor: staff,
      });
      await until(async () => (await status(engine, id)) === 'COMPLETED', 'completion');
      await save(engine, 'lifecycle-payment-complete', id, first);
    }

    // 2. Declines, re-offers, a priority change, a recall, refused events (validator and handler).
    if (want('recall-and-refusals')) {
      const job = await newJob();
      await engine.start(job);
      const id = job.jobId;
      const first = await runOf(engine, id);
      await engine.send(id, { type: 'OFFER', contractorId: pat.id, actor: staff });
      await engine.send(id, { type: 'DECLINE', reason: 'Too far', actor: pat });
      await engine.send(id, { type: 'OFFER', contractorId: eve.id, actor: staff });
      await engine.send(id, {
        type: 'CHANGE_PRIORITY',
        priority: { code: 'P3', name: 'Routine', targetHours: 72, warnAtPercent: [75, 90] },
        actor: staff,
      });
      const closed = await engine.send(id, { type: 'CLOSE', actor: staff }).then(
        () => 'taken',
        (e: unknown) => {
          if (e instanceof EventRejected) return 'refused';
          throw e;
        },
      );
      if (closed !== 'refused') throw new Error('CLOSE in New should have been refused');
      const race = await Promise.allSettled([
        engine.send(id, { type: 'ACCEPT', actor: eve }),
        engine.send(id, { type: 'DECLINE', reason: 'busy', actor: eve }),
      ]);
      if (race.filter((r) => r.status === 'fulfilled').length !== 1)
        throw new Error('expected exactly one racing answer to win');
      const now = await engine.get(id);
      if (now.status === 'new') {
        await engine.send(id, { type: 'OFFER', contractorId: eve.id, actor: staff });
        await engine.send(id, { type: 'ACCEPT', actor: eve });
      }
      await engine.send(id, { type: 'START', actor: eve });
      await engine.send(id, { type: 'COMPLETE', note: 'Rewired', actor: eve });
      await engine.send(id, { type: 'RECALL', reason: 'Socket still dead', actor: staff });
      await engine.send(id, { type: 'START', actor: eve });
      await engine.send(id, { type: 'COMPLETE', note: 'Replaced the socket', actor: eve });
      await engine.send(id, { type: 'CLOSE', actor: staff });
      await save(engine, 'recall-and-refusals', id, first);
    }

    // 3. Real deadlines: offer chasers and SLA warnings/breach on a seconds-long policy, then a cancel.
    if (want('deadlines-and-cancel')) {
      const job = await newJob({
        priority: { code: 'PX', name: 'Seconds', targetHours: 0.002, warnAtPercent: [75, 90] }, // 7.2 s
        chase: { offerReminderHours: 0.0008, offerEscalationHours: 0.0016, invoiceReminderHours: 1 }, // 2.9 s, 5.8 s
      });
      await engine.start(job);
      const id = job.jobId;
      const first = await runOf(engine, id);
      await engine.send(id, { type: 'OFFER', contractorId: pat.id, actor: staff });
      await until(async () => (await engine.get(id)).context.sla.breached, 'the SLA breach');
      await engine.send(id, { type: 'CANCEL', reason: 'Tenant fixed it', actor: staff });
      await until(async () => (await status(engine, id)) === 'COMPLETED', 'completion');
      await save(engine, 'deadlines-and-cancel', id, first);
    }

    // 4. Continue-as-new: a small history limit, crossed by a run of notes.
    if (want('continue-as-new')) {
      const job = await newJob();
      await small.start(job);
      const first = await runOf(small, job.jobId);
      for (let i = 0; i < 12; i++) await small.send(job.jobId, { type: 'ADD_NOTE', text: `note ${i}`, actor: staff });
      const runs = await (async () => {
        let n = 0;
        for (let runId: string | null | undefined = first; runId; n++) {
          const h = await small.client.workflow.getHandle(await small.workflowId(job.jobId), runId).fetchHistory();
          runId = h.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
        }
        return n;
      })();
      if (runs < 2) throw new Error('expected the notes to cross the history limit and continue as new');
      await save(small, 'continue-as-new', job.jobId, first);
    }

    // 5. A recall re-assigned to another contractor who invoices their own part (a new assignment), and
    //    an admin bringing the next deadline forward (it fires at once), then cancelled.
    if (want('reassign-and-advance')) {
      const job = await newJob();
      await engine.start(job);
      const id = job.jobId;
      const first = await runOf(engine, id);
      const admin: Actor = { id: fx.staff.id, role: 'admin' };
      await engine.send(id, { type: 'ADVANCE_DEADLINE', actor: admin });
      await until(async () => (await engine.get(id)).context.sla.warnedPercent === 75, 'the advanced SLA warning');
      await engine.send(id, { type: 'OFFER', contractorId: pat.id, actor: staff });
      await engine.send(id, { type: 'ACCEPT', actor: pat });
      await engine.send(id, { type: 'START', actor: pat });
      await engine.send(id, { type: 'COMPLETE', note: 'Patched', actor: pat });
      await engine.send(id, {
        type: 'SUBMIT_INVOICE',
        number: 'PP-7',
        netPence: 5000,
        vatPence: 1000,
        totalPence: 6000,
        actor: pat,
      });
      await engine.send(id, { type: 'RECALL', reason: 'Still leaking', actor: staff });
      await engine.send(id, { type: 'OFFER', contractorId: eve.id, actor: staff });
      await engine.send(id, { type: 'ACCEPT', actor: eve });
      await engine.send(id, { type: 'START', actor: eve });
      await engine.send(id, { type: 'COMPLETE', note: 'Replaced the trap', actor: eve });
      await engine.send(id, {
        type: 'SUBMIT_INVOICE',
        number: 'EV-1',
        netPence: 7000,
        vatPence: 1400,
        totalPence: 8400,
        actor: eve,
      });
      await engine.send(id, { type: 'CANCEL', reason: 'Landlord sold the flat', actor: staff }).catch((e: unknown) => {
        if (!(e instanceof EventRejected)) throw e;
        return engine.send(id, { type: 'CLOSE', actor: staff });
      });
      await save(engine, 'reassign-and-advance', id, first);
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch((e) => console.error(e));
    await close();
    await pg?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
