// The Temporal engine against a real server in real time (TEMPORAL_ADDRESS, or a dev server the SDK
// can fetch): what the time-skipping contract cannot show — completion, continue-as-new on a real
// history, search attributes and memo, real timers. Skipped, with the reason printed, without one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { agencyInvoices, creditNotes, jobEvents, jobs } from '#db/schema/index.ts';
import { reprojectJob } from '#worker/jobs/reproject.ts';
import { startUnstartedJobs } from '#worker/jobs/reconcile.ts';
import { EngineUnavailable, EventRejected } from '#worker/engines/port.ts';
import { createTemporalEngine, ensureSearchAttributes } from '#worker/engines/temporal.ts';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { msToTs } from '@temporalio/common/lib/time.js';
import { superviseTemporalWorker } from '#worker/temporal-worker.ts';
import { workflowBundle } from './harness.ts';
import { JobStatusKey, JobReferenceKey, SlaBreachedKey } from '#workflows/temporal/search-attributes.ts';
import type { Actor } from '#workflows/model.ts';
import { createAgency, createJobRow } from '../support/fixtures.ts';
import { liveEnvironment, withoutServer } from './environment.ts';
import { temporalHarness, type TemporalHarness } from './harness.ts';

const found = await liveEnvironment();
if (!found.ok) withoutServer('Temporal engine on a live server', found.reason);

const until = async (check: () => boolean | Promise<boolean>, what: string, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

if (found.ok)
  describe(`Temporal engine on a live server (${found.via})`, () => {
    let h: TemporalHarness;
    let fx: Awaited<ReturnType<typeof createAgency>>;
    let staff: Actor;
    let pat: Actor;

    beforeAll(async () => {
      if (!found.ok) return;
      h = await temporalHarness(found.value, { maxHistoryEvents: 60 });
      fx = await createAgency(h.db);
      staff = { id: fx.staff.id, role: 'staff' };
      pat = { id: fx.contractors[0].id, role: 'contractor' };
    });
    afterAll(() => h?.close());

    const newJob = (targetHours = 24) =>
      createJobRow(h.db, fx.agency.id, {
        createdAt: h.now(),
        propertyId: fx.property.id,
        priority: { code: 'PX', name: 'Test', targetHours, warnAtPercent: [75, 90] },
      });

    it('names the workflow by the job, shows title and address in its memo, and its state in search attributes', async () => {
      const input = await newJob();
      await h.engine.start(input);
      const handle = h.temporal.client.workflow.getHandle(await h.temporal.workflowId(input.jobId));
      expect(handle.workflowId).toBe(`job-${input.reference}-${input.agencyId}`);
      await h.engine.send(input.jobId, { type: 'OFFER', contractorId: pat.id, actor: staff });
      await h.engine.send(input.jobId, { type: 'ACCEPT', actor: pat });
      const description = await handle.describe();
      expect(description.memo).toMatchObject({
        // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers as any
        title: expect.stringContaining('Leaking tap'),
        address: '1 Test Street, London, SW1A 1AA',
      });
      // Registered at server start, they are usable at once (never the runtime-registration race).
      expect(h.temporal.searchAttributes).toBe(true);
      expect(description.typedSearchAttributes.get(JobStatusKey)).toBe('assigned');
      expect(description.typedSearchAttributes.get(JobReferenceKey)).toBe(input.reference);
      expect(description.typedSearchAttributes.get(SlaBreachedKey)).toBe(false);
    });

    it('completes the workflow at Payment Complete; the job stays readable and refuses events with the machine’s reason', async () => {
      const input = await newJob();
      await h.engine.start(input);
      const id = input.jobId;
      await h.engine.send(id, { type: 'OFFER', contractorId: pat.id, actor: staff });
      await h.engine.send(id, { type: 'ACCEPT', actor: pat });
      await h.engine.send(id, { type: 'START', actor: pat });
      await h.engine.send(id, { type: 'COMPLETE', note: 'Fixed', actor: pat });
      await h.engine.send(id, { type: 'CLOSE', actor: staff });
      await h.engine.send(id, {
        type: 'RAISE_INVOICE',
        number: 'INV-9',
        agentNetPence: 10000,
        vatRateBp: 2000,
        contractorTotalPence: 6000,
        actor: staff,
      });
      // Re-raised under Temporal: the projection credits INV-9 (its credit note, the row marked) and issues INV-9A.
      await h.engine.send(id, {
        type: 'RAISE_INVOICE',
        number: 'INV-9A',
        agentNetPence: 10000,
        vatRateBp: 2000,
        contractorTotalPence: 6000,
        creditNoteNumber: 'CN-LIVE-1',
        creditReason: 'Client name corrected',
        actor: staff,
      });
      expect(
        (await h.db.select().from(agencyInvoices).where(eq(agencyInvoices.jobId, id)))
          .map((r) => [r.number, r.creditNoteNumber])
          .sort(),
      ).toEqual([
        ['INV-9', 'CN-LIVE-1'],
        ['INV-9A', null],
      ]);
      expect(await h.db.select().from(creditNotes).where(eq(creditNotes.jobId, id))).toMatchObject([
        { number: 'CN-LIVE-1', invoiceNumber: 'INV-9', grossPence: 12000, reason: 'Client name corrected' },
      ]);
      await h.engine.send(id, {
        type: 'RECORD_PAYMENT',
        key: 'a',
        leg: 'client',
        amountPence: 12000,
        reference: 'c',
        actor: staff,
      });
      await h.engine.send(id, {
        type: 'RECORD_PAYMENT',
        key: 'b',
        leg: 'contractor',
        amountPence: 6000,
        reference: 'k',
        actor: staff,
      });
      const done = await h.engine.send(id, {
        type: 'RECORD_PAYMENT',
        key: 'c',
        leg: 'commission',
        amountPence: 4000,
        reference: 'm',
        actor: staff,
      });
      expect(done.status).toBe('paymentComplete');
      const handle = h.temporal.client.workflow.getHandle(await h.temporal.workflowId(id));
      await until(async () => (await handle.describe()).status.name === 'COMPLETED', 'the workflow to complete');
      expect((await h.engine.get(id)).status).toBe('paymentComplete');
      await expect(h.engine.send(id, { type: 'ADD_NOTE', text: 'late', actor: staff })).rejects.toThrow(EventRejected);
      expect((await h.engine.start(input)).version).toBe(done.version);
    });

    it('continues as new before the history grows large, carrying the snapshot and the sequence', async () => {
      const input = await newJob();
      const started = await h.engine.start(input);
      const handle = h.temporal.client.workflow.getHandle(await h.temporal.workflowId(input.jobId));
      const firstRun = (await handle.describe()).runId;
      for (let i = 0; i < 15; i++)
        await h.engine.send(input.jobId, { type: 'ADD_NOTE', text: `note ${i}`, actor: staff });
      await until(async () => (await handle.describe()).runId !== firstRun, 'continue-as-new');
      const view = await h.engine.send(input.jobId, { type: 'ADD_NOTE', text: 'after', actor: staff });
      expect(view.version).toBe(started.version + 16);
      expect(view.context.noteCount).toBe(16);
      const seqs = (
        await h.db.select({ seq: jobEvents.seq }).from(jobEvents).where(eq(jobEvents.jobId, input.jobId))
      ).map((r) => r.seq);
      expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    });

    it('continues as new with updates in flight across it: every one applied once, the sequence contiguous', async () => {
      const input = await newJob();
      const started = await h.engine.start(input);
      const handle = h.temporal.client.workflow.getHandle(await h.temporal.workflowId(input.jobId));
      const firstRun = (await handle.describe()).runId;
      // Thirty notes at once against a 60-event history limit: the run hands over while some are queued.
      const views = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          h.engine.send(input.jobId, { type: 'ADD_NOTE', text: `burst ${i}`, actor: staff }),
        ),
      );
      expect((await handle.describe()).runId).not.toBe(firstRun);
      // A note asked for again after the hand-over answers with the job as it then is (never applied twice).
      expect(views.every((v) => v.version >= 2 && v.version <= 31)).toBe(true);
      const last = await h.engine.get(input.jobId);
      expect(last.version).toBe(started.version + 30);
      expect(last.context.noteCount).toBe(30);
      const history = await h.db
        .select({ seq: jobEvents.seq, payload: jobEvents.payload })
        .from(jobEvents)
        .where(eq(jobEvents.jobId, input.jobId));
      expect(history.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
      const texts = history.flatMap((r) =>
        (r.payload as { text?: string }).text ? [(r.payload as { text: string }).text] : [],
      );
      expect(texts.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `burst ${i}`).sort());
    });

    it('fires real SLA timers and keeps them across a worker restart', async () => {
      const input = await newJob(0.002); // a 7.2 s SLA: warnings at 5.4 s and 6.5 s
      await h.engine.start(input);
      await h.restart();
      await until(async () => (await h.engine.get(input.jobId)).context.sla.breached, 'the breach', 40_000);
      await until(
        async () => (await h.db.select().from(jobs).where(eq(jobs.id, input.jobId)))[0]!.slaBreached,
        'the read model',
      );
      expect((await h.engine.get(input.jobId)).context.sla.warnedPercent).toBe(90);
    });

    it('reads a job from its Postgres snapshot, so it stays readable with no worker running', async () => {
      const input = await newJob();
      await h.engine.start(input);
      await h.engine.send(input.jobId, { type: 'OFFER', contractorId: pat.id, actor: staff });
      const accepted = await h.engine.send(input.jobId, { type: 'ACCEPT', actor: pat });
      const view = await h.withoutWorker(() => h.engine.get(input.jobId));
      expect(view).toMatchObject({ status: 'assigned', version: accepted.version, context: { contractorId: pat.id } });
      expect(view.nextTimer).toEqual(accepted.nextTimer);
    });

    it('answers "not answering" within its deadline when no worker polls, instead of hanging', async () => {
      const input = await newJob();
      await h.engine.start(input);
      const stranded = await createTemporalEngine({
        db: h.db,
        address: found.value.address,
        namespace: found.value.namespace ?? 'default',
        taskQueue: h.taskQueue,
        callTimeoutMs: 1500,
        log: () => {},
      });
      try {
        await h.withoutWorker(async () => {
          const refused = stranded.send(input.jobId, { type: 'ADD_NOTE', text: 'nobody home', actor: staff });
          await expect(refused).rejects.toThrow(EngineUnavailable);
          await expect(refused).rejects.toThrow(/not answering/);
        });
      } finally {
        await stranded.close();
      }
    });

    it('applies a retried payment once: the update id is the payment’s idempotency key', async () => {
      // Its own engine with the default history threshold: a continue-as-new between the two sends would
      // start a run that has not seen the first update, and the machine would refuse the repeat instead.
      const roomy = await createTemporalEngine({
        db: h.db,
        address: found.value.address,
        namespace: found.value.namespace ?? 'default',
        taskQueue: h.taskQueue,
        log: () => {},
      });
      try {
        const input = await newJob();
        await roomy.start(input);
        const id = input.jobId;
        await roomy.send(id, { type: 'OFFER', contractorId: pat.id, actor: staff });
        await roomy.send(id, { type: 'ACCEPT', actor: pat });
        await roomy.send(id, { type: 'START', actor: pat });
        await roomy.send(id, { type: 'COMPLETE', note: 'Fixed', actor: pat });
        await roomy.send(id, { type: 'CLOSE', actor: staff });
        await roomy.send(id, {
          type: 'RAISE_INVOICE',
          number: 'INV-R',
          agentNetPence: 10000,
          vatRateBp: 2000,
          contractorTotalPence: 6000,
          actor: staff,
        });
        const payment = {
          type: 'RECORD_PAYMENT',
          key: 'retry-1',
          leg: 'client',
          amountPence: 5000,
          reference: 'part',
          actor: staff,
        } as const;
        const first = await roomy.send(id, payment);
        // The retry gets the first outcome back (a random update id would be refused: "already recorded").
        const retried = await roomy.send(id, payment);
        expect(retried.version).toBe(first.version);
        expect(retried.context.payments.filter((p) => p.key === 'retry-1')).toHaveLength(1);
      } finally {
        await roomy.close();
      }
    });

    it('resumes a terminated job from its Postgres snapshot: same state, version and deadlines', async () => {
      const input = await newJob();
      await h.engine.start(input);
      await h.engine.send(input.jobId, { type: 'OFFER', contractorId: pat.id, actor: staff });
      const before = await h.engine.send(input.jobId, { type: 'ACCEPT', actor: pat });
      const handle = h.temporal.client.workflow.getHandle(await h.temporal.workflowId(input.jobId));
      await handle.terminate('operator test');
      await expect(h.temporal.resume(input.jobId)).resolves.toMatchObject({
        status: 'assigned',
        version: before.version,
        nextTimer: before.nextTimer,
      });
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await expect(h.temporal.resume(input.jobId)).rejects.toThrow(/running: nothing to resume/);
      const next = await h.engine.send(input.jobId, { type: 'START', actor: pat });
      expect(next.version).toBe(before.version + 1);
      const seqs = (
        await h.db.select({ seq: jobEvents.seq }).from(jobEvents).where(eq(jobEvents.jobId, input.jobId))
      ).map((r) => r.seq);
      expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: next.version }, (_, i) => i + 1));
    });

    it('flags a job whose transition cannot be recorded, keeps it moving, and repairs it from the workflow history', async () => {
      // Two jobs' agency invoices with one number: the second's projection breaks the agency's unique
      // number (a constraint error no retry cures), as a hand edit or a bug could.
      const closed = async () => {
        const input = await newJob();
        await h.engine.start(input);
        await h.engine.send(input.jobId, { type: 'OFFER', contractorId: pat.id, actor: staff });
        await h.engine.send(input.jobId, { type: 'ACCEPT', actor: pat });
        await h.engine.send(input.jobId, { type: 'START', actor: pat });
        await h.engine.send(input.jobId, { type: 'COMPLETE', note: 'Fixed', actor: pat });
        await h.engine.send(input.jobId, { type: 'CLOSE', actor: staff });
        return input.jobId;
      };
      const [first, second] = [await closed(), await closed()];
      const invoice = {
        type: 'RAISE_INVOICE',
        number: 'INV-CLASH',
        agentNetPence: 10000,
        vatRateBp: 2000,
        contractorTotalPence: 6000,
        actor: staff,
      } as const;
      await h.engine.send(first, invoice);
      const raised = await h.engine.send(second, invoice);
      const row = async () => (await h.db.select().from(jobs).where(eq(jobs.id, second)))[0]!;
      await until(async () => (await row()).projectionError !== null, 'the job to be flagged');
      expect((await row()).projectionError).toMatchObject({
        seq: raised.version,
        // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest types its asymmetric matchers as any
        error: expect.stringMatching(/SQLSTATE 23505/),
      });
      // The job carried on: the next event is taken and recorded.
      const noted = await h.engine.send(second, { type: 'ADD_NOTE', text: 'after the failure', actor: staff });
      const seqs = async () =>
        (await h.db.select({ seq: jobEvents.seq }).from(jobEvents).where(eq(jobEvents.jobId, second)))
          .map((r) => r.seq)
          .sort((a, b) => a - b);
      expect(await seqs()).not.toContain(raised.version);

      // The operator fixes the cause, then replays what the workflow did into the record.
      await h.db.update(agencyInvoices).set({ number: 'INV-CLASH-A' }).where(eq(agencyInvoices.jobId, first));
      const repaired = await reprojectJob(h.temporal, h.db, second);
      expect(repaired).toMatchObject({ recorded: [raised.version], complete: true });
      expect(await seqs()).toEqual(Array.from({ length: noted.version }, (_, i) => i + 1));
      expect((await row()).projectionError).toBeNull();
      expect((await h.db.select().from(agencyInvoices).where(eq(agencyInvoices.jobId, second)))[0]?.number).toBe(
        'INV-CLASH',
      );
    });

    it('starts at boot a job whose row was written but whose workflow never started (a crash between the two)', async () => {
      // The row only, as job creation leaves it when the start is lost; the agency's own priority, as created jobs have.
      const input = await createJobRow(h.db, fx.agency.id, { createdAt: h.now(), propertyId: fx.property.id });
      const logs: string[] = [];
      expect(await startUnstartedJobs(h.db, h.engine, (m) => logs.push(m))).toBeGreaterThanOrEqual(1);
      expect(logs.join('\n')).toContain(input.reference);
      const view = await h.engine.get(input.jobId);
      expect(view).toMatchObject({ status: 'new', version: 1 });
      expect((await h.db.select().from(jobs).where(eq(jobs.id, input.jobId)))[0]?.engineVersion).toBe(1);
      // A second boot finds nothing to do for it.
      const again: string[] = [];
      await startUnstartedJobs(h.db, h.engine, (m) => again.push(m));
      expect(again.join('\n')).not.toContain(input.reference);
    });

    it('starts an in-process worker again when it stops underneath the app, and its jobs go on', async () => {
      const env = found.value;
      const logs: string[] = [];
      await h.withoutWorker(async () => {
        // Only this worker polls the queue (the SDK allows one per queue and connection in a process).
        const supervised = await superviseTemporalWorker({
          db: h.db,
          address: env.address,
          namespace: env.namespace ?? 'default',
          taskQueue: h.taskQueue,
          connection: env.nativeConnection,
          workflowBundle: await workflowBundle(),
          restartDelayMs: () => 50,
          log: (m) => logs.push(m),
        });
        try {
          const input = await newJob();
          await h.engine.start(input);
          supervised.current.worker.shutdown();
          await until(() => supervised.restarts === 1, 'the worker to be started again');
          expect(logs.some((m) => m.includes('starting it again'))).toBe(true);
          expect(
            (await h.engine.send(input.jobId, { type: 'ADD_NOTE', text: 'still here', actor: staff })).context
              .noteCount,
          ).toBe(1);
        } finally {
          await supervised.shutdown();
        }
      });
    });

    describe('search attributes registered at run time', () => {
      /** A fresh namespace, once the server serves it. */
      async function freshNamespace() {
        if (!found.ok) throw new Error('unreachable');
        const connection = found.value.connection;
        const namespace = `sa-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
        await connection.workflowService.registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: msToTs('1 day'),
        });
        await until(
          () =>
            connection.operatorService.listSearchAttributes({ namespace }).then(
              () => true,
              () => false,
            ),
          'the namespace',
        );
        return { connection, namespace };
      }

      it('registers missing ones and returns only once queries can use every one of them', async () => {
        const { connection, namespace } = await freshNamespace();
        const logs: string[] = [];
        expect(await ensureSearchAttributes(connection, namespace, (m) => logs.push(m))).toBe(true);
        expect(logs.join('\n')).toContain('registered search attributes JobStatus');
        const query =
          'JobStatus = "new" AND JobReference = "JOB-1" AND AgencyId = "a" AND ContractorId = "c" AND Priority = "P1" AND SlaDueAt < "2030-01-01T00:00:00Z" AND SlaBreached = false';
        await expect(connection.workflowService.countWorkflowExecutions({ namespace, query })).resolves.toBeDefined();
        // A second process finds them in place and says nothing.
        expect(await ensureSearchAttributes(connection, namespace, (m) => logs.push(`again: ${m}`))).toBe(true);
        expect(logs.filter((m) => m.startsWith('again'))).toEqual([]);
      });

      it('refuses an attribute of the wrong type, naming it, instead of failing every job’s workflow task', async () => {
        const { connection, namespace } = await freshNamespace();
        await connection.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: { JobStatus: encodeSearchAttributeIndexedValueType('TEXT')! },
        });
        await until(
          async () =>
            'JobStatus' in
            ((await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {}),
          'the attribute',
        );
        const logs: string[] = [];
        expect(await ensureSearchAttributes(connection, namespace, (m) => logs.push(m))).toBe(false);
        expect(logs.join('\n')).toMatch(/JobStatus is TEXT, jobs need KEYWORD/);
      });
    });
  });
