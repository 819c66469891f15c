// The engine contract: one suite, run against every JobEngine implementation available.
// It speaks only through the port plus the read model, so Temporal runs the very same checks.
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '#db/client.ts';
import { auditLog, emails, jobEvents, jobs } from '#db/schema/index.ts';
import type { Actor, JobInput } from '#workflows/model.ts';
import { EventRejected, type JobEngine } from '#worker/engines/port.ts';
import { createAgency, createJobRow, ROUTINE, URGENT } from '../support/fixtures.ts';

export interface EngineHarness {
  engine: JobEngine;
  db: Database;
  /** The engine's notion of now. */
  now(): Date;
  /** Moves time forward to `instant` and lets the engine do everything due by then. */
  advanceTo(instant: Date): Promise<void>;
  /** Lets pending effects (notifications) run. */
  settle(): Promise<void>;
  /** Replaces the engine with a fresh instance over the same durable state, as after a crash. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const HOUR = 3_600_000;

export function engineContract(name: string, makeHarness: () => Promise<EngineHarness>) {
  describe(`JobEngine contract: ${name}`, () => {
    let h: EngineHarness;
    let fx: Awaited<ReturnType<typeof createAgency>>;
    let staff: Actor;
    let admin: Actor;
    let pat: Actor;
    let eve: Actor;

    beforeAll(async () => {
      h = await makeHarness();
      fx = await createAgency(h.db);
      staff = { id: fx.staff.id, role: 'staff' };
      admin = { id: fx.staff.id, role: 'admin' };
      pat = { id: fx.contractors[0].id, role: 'contractor' };
      eve = { id: fx.contractors[1].id, role: 'contractor' };
    });
    afterAll(() => h?.close());

    const newJob = async (overrides: Partial<Parameters<typeof createJobRow>[2]> = {}): Promise<JobInput> =>
      createJobRow(h.db, fx.agency.id, { createdAt: h.now(), propertyId: fx.property.id, ...overrides });

    const readModel = async (jobId: string) => (await h.db.select().from(jobs).where(eq(jobs.id, jobId)))[0];
    const history = (jobId: string) =>
      h.db.select().from(jobEvents).where(eq(jobEvents.jobId, jobId)).orderBy(asc(jobEvents.seq));
    const audits = (jobId: string, action: string) =>
      h.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.jobId, jobId), eq(auditLog.action, action)));

    it('starts a job in New with its SLA deadline, and starting twice changes nothing', async () => {
      const input = await newJob();
      const view = await h.engine.start(input);
      expect(view.status).toBe('new');
      expect(view.version).toBe(1);
      expect(view.context.sla.dueAt).toBe(new Date(Date.parse(input.createdAt) + 24 * HOUR).toISOString());
      expect(view.nextTimer?.kind).toBe('slaWarning');
      const again = await h.engine.start(input);
      expect(again.version).toBe(1);
      expect((await readModel(input.jobId))!.slaDueAt?.toISOString()).toBe(view.context.sla.dueAt);
    });

    it('takes a job from New to Payment Complete, recording every step', async () => {
      const input = await newJob();
      await h.engine.start(input);
      const id = input.jobId;
      await h.engine.send(id, { type: 'OFFER', contractorId: pat.id, actor: staff });
      await h.engine.send(id, { type: 'ACCEPT', actor: pat });
      await h.engine.send(id, { type: 'START', actor: pat });
      await h.engine.send(id, { type: 'ADD_NOTE', text: 'Washer replaced', actor: pat });
      await h.engine.send(id, { type: 'COMPLETE', note: 'All fixed', actor: pat });
      await h.engine.send(id, {
        type: 'SUBMIT_INVOICE',
        number: 'PP-1',
        netPence: 10000,
        vatPence: 2000,
        totalPence: 12000,
        actor: pat,
      });
      await h.engine.send(id, { type: 'CLOSE', actor: staff });
      const raised = await h.engine.send(id, {
        type: 'RAISE_INVOICE',
        number: 'INV-1',
        agentNetPence: 15000,
        vatRateBp: 2000,
        contractorTotalPence: 12000,
        actor: staff,
      });
      expect(raised.context.invoice?.expected).toEqual({ client: 18000, contractor: 12000, commission: 5000 });
      await h.engine.send(id, {
        type: 'RECORD_PAYMENT',
        key: 'p1',
        leg: 'client',
        amountPence: 18000,
        reference: 'BACS 1',
        actor: staff,
      });
      await h.engine.send(id, {
        type: 'RECORD_PAYMENT',
        key: 'p2',
        leg: 'contractor',
        amountPence: 12000,
        reference: 'BACS 2',
        actor: staff,
      });
      const done = await h.engine.send(id, {
        type: 'RECORD_PAYMENT',
        key: 'p3',
        leg: 'commission',
        amountPence: 5000,
        reference: 'Ledger',
        actor: staff,
      });
      expect(done.status).toBe('paymentComplete');
      expect(done.version).toBe(12);
      expect(done.nextTimer).toBeNull();

      const events = await history(id);
      expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(events.at(-1)?.toStatus).toBe('paymentComplete');
      const row = await readModel(id);
      expect(row!.status).toBe('paymentComplete');
      expect(row!.contractorId).toBe(pat.id);
      expect(row!.engineVersion).toBe(12);
      expect(await audits(id, 'job.record_payment')).toHaveLength(3);
      expect((await h.engine.get(id)).status).toBe('paymentComplete');
    });

    it('rejects an event the machine does not allow, with a reason, changing nothing', async () => {
      const input = await newJob();
      await h.engine.start(input);
      await expect(h.engine.send(input.jobId, { type: 'ACCEPT', actor: pat })).rejects.toThrow(EventRejected);
      await expect(h.engine.send(input.jobId, { type: 'CLOSE', actor: staff })).rejects.toThrow(
        /Cannot close the job while the job is New/,
      );
      await expect(h.engine.send(input.jobId, { type: 'OFFER', contractorId: pat.id, actor: pat })).rejects.toThrow(
        /Only agency staff/,
      );
      expect((await h.engine.get(input.jobId)).version).toBe(1);
      expect(await history(input.jobId)).toHaveLength(1);
    });

    it('serializes concurrent events on one job', async () => {
      const input = await newJob();
      await h.engine.start(input);
      await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          h.engine.send(input.jobId, { type: 'ADD_NOTE', text: `note ${i}`, actor: staff }),
        ),
      );
      const view = await h.engine.get(input.jobId);
      expect(view.version).toBe(17);
      expect(view.context.noteCount).toBe(16);
      expect((await history(input.jobId)).map((e) => e.seq)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    });

    it('lets exactly one of two racing answers win', async () => {
      const input = await newJob();
      await h.engine.start(input);
      await h.engine.send(input.jobId, { type: 'OFFER', contractorId: pat.id, actor: staff });
      const results = await Promise.allSettled([
        h.engine.send(input.jobId, { type: 'ACCEPT', actor: pat }),
        h.engine.send(input.jobId, { type: 'DECLINE', reason: 'busy', actor: pat }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    });

    it('never applies both of a Close and a Recall decided on the same completed job: the second is refused', async () => {
      for (let round = 0; round < 8; round++) {
        const input = await newJob();
        await h.engine.start(input);
        const id = input.jobId;
        await h.engine.send(id, { type: 'OFFER', contractorId: pat.id, actor: staff });
        for (const type of ['ACCEPT', 'START'] as const) await h.engine.send(id, { type, actor: pat });
        await h.engine.send(id, { type: 'COMPLETE', note: 'Fixed', actor: pat });
        // Two colleagues on the same Completed page: one closes, one recalls, at once (in either order).
        const close = () => h.engine.send(id, { type: 'CLOSE', seenStatus: 'completed', actor: staff });
        const recall = () =>
          h.engine.send(id, { type: 'RECALL', reason: 'Leak is back', seenStatus: 'completed', actor: admin });
        const results = await Promise.allSettled(round % 2 ? [close(), recall()] : [recall(), close()]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const [refused] = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        const reason: unknown = refused!.reason;
        expect(reason).toBeInstanceOf(EventRejected);
        const status = (await h.engine.get(id)).status;
        expect(['closed', 'recalled']).toContain(status);
        // The machine's words: what it cannot do, in the status the job is in now.
        expect((reason as EventRejected).message).toBe(
          status === 'closed'
            ? 'Cannot recall the job while the job is Closed (it was Completed when you looked)'
            : 'Cannot close the job while the job is Recalled (it was Completed when you looked)',
        );
        const decided = (await history(id)).filter((e) => e.type === 'CLOSE' || e.type === 'RECALL');
        expect(decided).toHaveLength(1);
      }
    });

    it('sends SLA warnings at 75 % and 90 % and records the breach at the deadline', async () => {
      const input = await newJob();
      await h.engine.start(input);
      const created = Date.parse(input.createdAt);
      await h.advanceTo(new Date(created + 17.9 * HOUR));
      expect((await h.engine.get(input.jobId)).context.sla.warnedPercent).toBe(0);
      await h.advanceTo(new Date(created + 18 * HOUR + 1000));
      expect((await h.engine.get(input.jobId)).context.sla.warnedPercent).toBe(75);
      expect(await audits(input.jobId, 'job.sla_warning')).toHaveLength(1);
      await h.advanceTo(new Date(created + 21.6 * HOUR + 1000));
      expect((await h.engine.get(input.jobId)).context.sla.warnedPercent).toBe(90);
      expect(await audits(input.jobId, 'job.sla_breached')).toHaveLength(0);
      await h.advanceTo(new Date(created + 24 * HOUR + 1000));
      const view = await h.engine.get(input.jobId);
      expect(view.context.sla.breached).toBe(true);
      expect(await audits(input.jobId, 'job.sla_breached')).toHaveLength(1);
      expect((await readModel(input.jobId))!.slaBreached).toBe(true);
      // The timeline names each warning's percentage: the recorded events carry it.
      const warnings = (await history(input.jobId)).filter((e) => e.type === 'SLA_WARNING');
      expect(warnings.map((e) => (e.payload as { percent?: number }).percent)).toEqual([75, 90]);
      await h.settle();
      const sent = await h.db.select().from(emails).where(eq(emails.to, fx.staff.email));
      expect(
        sent.filter((m) => m.subject.includes(input.reference) && m.subject.includes('SLA breached')),
      ).toHaveLength(1);
    });

    it('an admin brings the next deadline forward: it fires at once, through the timer path, exactly once', async () => {
      const input = await newJob();
      const started = await h.engine.start(input);
      const created = Date.parse(input.createdAt);
      const warn75 = started.nextTimer!;
      expect(warn75).toMatchObject({ kind: 'slaWarning', percent: 75 });
      await expect(h.engine.send(input.jobId, { type: 'ADVANCE_DEADLINE', actor: staff })).rejects.toThrow(
        /Only agency admins can bring a deadline forward/,
      );

      const advanced = await h.engine.send(input.jobId, { type: 'ADVANCE_DEADLINE', key: warn75.key, actor: admin });
      expect(advanced.version).toBe(2);
      await h.settle(); // no clock movement: the deadline is due now
      const view = await h.engine.get(input.jobId);
      expect(view.version).toBe(3);
      expect(view.context.sla.warnedPercent).toBe(75);
      // The other deadlines keep their instants.
      expect(view.nextTimer).toMatchObject({
        kind: 'slaWarning',
        percent: 90,
        at: new Date(created + 21.6 * HOUR).toISOString(),
      });

      const events = await history(input.jobId);
      expect(events.slice(1).map((e) => [e.seq, e.type, e.actorRole])).toEqual([
        [2, 'ADVANCE_DEADLINE', 'admin'],
        [3, 'SLA_WARNING', 'system'],
      ]);
      expect(await audits(input.jobId, 'job.advance_deadline')).toHaveLength(1);
      expect(await audits(input.jobId, 'job.sla_warning')).toHaveLength(1);

      // When the warning's original instant comes, nothing fires twice; nor do retried effects repeat.
      await h.advanceTo(new Date(created + 18 * HOUR + 1000));
      await h.settle();
      expect((await h.engine.get(input.jobId)).version).toBe(3);
      expect(await audits(input.jobId, 'job.sla_warning')).toHaveLength(1);
      const sent = await h.db.select().from(emails).where(eq(emails.to, fx.staff.email));
      expect(sent.filter((m) => m.subject.includes(`SLA warning on ${input.reference}`))).toHaveLength(1);
    });

    it('refuses to bring a deadline forward when none is pending', async () => {
      const input = await newJob();
      await h.engine.start(input);
      await h.engine.send(input.jobId, { type: 'CANCEL', reason: 'Duplicate', actor: staff });
      await expect(h.engine.send(input.jobId, { type: 'ADVANCE_DEADLINE', actor: admin })).rejects.toThrow(
        EventRejected,
      );
    });

    it('stops the SLA clock at completion and recomputes it when the priority changes', async () => {
      const input = await newJob();
      await h.engine.start(input);
      const changed = await h.engine.send(input.jobId, { type: 'CHANGE_PRIORITY', priority: ROUTINE, actor: staff });
      expect(changed.context.sla.dueAt).toBe(new Date(Date.parse(input.createdAt) + 72 * HOUR).toISOString());
      expect((await readModel(input.jobId))!.priorityCode).toBe('P3');
      await h.engine.send(input.jobId, { type: 'OFFER', contractorId: eve.id, actor: staff });
      await h.engine.send(input.jobId, { type: 'ACCEPT', actor: eve });
      await h.engine.send(input.jobId, { type: 'START', actor: eve });
      const done = await h.engine.send(input.jobId, { type: 'COMPLETE', note: 'Rewired', actor: eve });
      expect(done.nextTimer?.kind).toBe('invoiceReminder');
      await h.advanceTo(new Date(Date.parse(input.createdAt) + 100 * HOUR));
      const later = await h.engine.get(input.jobId);
      expect(later.context.sla.breached).toBe(false);
      expect(await audits(input.jobId, 'job.sla_warning')).toHaveLength(0);
    });

    it('shortening the priority past the deadline sends only the breach, not the missed warnings', async () => {
      const input = await newJob({ priority: ROUTINE });
      await h.engine.start(input);
      const created = Date.parse(input.createdAt);
      await h.advanceTo(new Date(created + 30 * HOUR));
      // Urgent is 24 h from the start: the deadline and both its warnings (18 h, 21.6 h) have passed.
      await h.engine.send(input.jobId, { type: 'CHANGE_PRIORITY', priority: URGENT, actor: staff });
      await h.advanceTo(new Date(created + 30 * HOUR + 1000));
      await h.settle();
      const view = await h.engine.get(input.jobId);
      expect(view.context.sla).toMatchObject({ breached: true, warnedPercent: 0 });
      expect((await history(input.jobId)).slice(1).map((e) => e.type)).toEqual(['CHANGE_PRIORITY', 'SLA_BREACHED']);
      expect(await audits(input.jobId, 'job.sla_warning')).toHaveLength(0);
      expect(await audits(input.jobId, 'job.sla_breached')).toHaveLength(1);
      const sent = (await h.db.select().from(emails).where(eq(emails.to, fx.staff.email))).filter((m) =>
        m.subject.includes(input.reference),
      );
      expect(sent.map((m) => m.subject)).toEqual([expect.stringContaining('SLA breached')]);
    });

    it("chases a missing invoice on the agency's schedule, then alerts staff once", async () => {
      const row = await newJob();
      const input = {
        ...row,
        chase: { ...row.chase, invoiceReminderHours: 24, invoiceReminderRepeatHours: 12, invoiceReminderLimit: 2 },
      };
      await h.engine.start(input);
      await h.engine.send(input.jobId, { type: 'OFFER', contractorId: pat.id, actor: staff });
      await h.engine.send(input.jobId, { type: 'ACCEPT', actor: pat });
      await h.engine.send(input.jobId, { type: 'START', actor: pat });
      await h.engine.send(input.jobId, { type: 'COMPLETE', note: 'Done', actor: pat });
      const completed = h.now().getTime();
      await h.advanceTo(new Date(completed + 24 * HOUR + 1000));
      expect(await audits(input.jobId, 'job.invoice_reminder')).toHaveLength(1);
      await h.advanceTo(new Date(completed + 36 * HOUR + 2000));
      await h.advanceTo(new Date(completed + 200 * HOUR));
      await h.settle();
      expect(await audits(input.jobId, 'job.invoice_reminder')).toHaveLength(2);
      expect((await h.engine.get(input.jobId)).nextTimer).toBeNull();
      const toPat = (await h.db.select().from(emails).where(eq(emails.to, fx.contractors[0].email))).filter((m) =>
        m.subject.includes(`Reminder: invoice for ${input.reference}`),
      );
      expect(toPat).toHaveLength(2);
      const toStaff = (await h.db.select().from(emails).where(eq(emails.to, fx.staff.email))).filter((m) =>
        m.subject.includes(`Invoice overdue for ${input.reference}`),
      );
      expect(toStaff).toHaveLength(1);
    });

    it('chases an unanswered offer: reminds the contractor, then alerts staff', async () => {
      const input = await newJob();
      await h.engine.start(input);
      const offeredAt = h.now().getTime();
      await h.engine.send(input.jobId, { type: 'OFFER', contractorId: pat.id, actor: staff });
      await h.advanceTo(new Date(offeredAt + 4 * HOUR + 1000));
      expect(await audits(input.jobId, 'job.offer_reminder')).toHaveLength(1);
      expect(await audits(input.jobId, 'job.offer_escalation')).toHaveLength(0);
      await h.advanceTo(new Date(offeredAt + 24 * HOUR + 1000));
      expect(await audits(input.jobId, 'job.offer_escalation')).toHaveLength(1);
    });

    it('keeps pending timers across a restart', async () => {
      const input = await newJob();
      await h.engine.start(input);
      await h.restart();
      await h.advanceTo(new Date(Date.parse(input.createdAt) + 24 * HOUR + 1000));
      expect((await h.engine.get(input.jobId)).context.sla.breached).toBe(true);
    });

    it('notifies the offered contractor once, however often effects are retried', async () => {
      const input = await newJob();
      await h.engine.start(input);
      await h.engine.send(input.jobId, { type: 'OFFER', contractorId: eve.id, actor: staff });
      await h.settle();
      await h.settle();
      const mail = await h.db.select().from(emails).where(eq(emails.to, fx.contractors[1].email));
      expect(mail.filter((m) => m.body.includes(input.reference) && m.body.includes('offered'))).toHaveLength(1);
    });
  });
}
