// Demo finance for a first run: Harbour's washing-machine-hose job (closed, invoiced by Pat) is taken
// through approval, the agency invoice, the client's payment, a contractor payment run and the
// commission to Payment Complete, so the console's Financial tab, the finance desk and Pat's account
// (balance, remittance, statement) all have something to show. Everything goes through the engine.
import { and, eq } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { one } from '#db/rows.ts';
import { agencies, contractorInvoices, jobs, paymentRuns, users } from '#db/schema/index.ts';
import type { Actor } from '#workflows/model.ts';
import { ukDay } from '#workflows/time.ts';
import type { JobEngine } from '../engines/port.ts';

export async function seedFinance(db: Database, engine: JobEngine, now = new Date()): Promise<void> {
  const [harbour] = await db.select().from(agencies).where(eq(agencies.slug, 'harbour'));
  if (!harbour) return;
  const [job] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.agencyId, harbour.id), eq(jobs.title, 'Replace washing machine hose')));
  const [invoice] = job ? await db.select().from(contractorInvoices).where(eq(contractorInvoices.jobId, job.id)) : [];
  const [admin] = await db
    .select()
    .from(users)
    .where(and(eq(users.agencyId, harbour.id), eq(users.role, 'admin')));
  if (!job || !invoice || !admin || job.status !== 'closed') return;
  const actor: Actor = { id: admin.id, role: 'admin' };
  const today = ukDay(now);

  await db
    .update(contractorInvoices)
    .set({ status: 'approved', decidedBy: admin.id, decidedAt: now })
    .where(eq(contractorInvoices.id, invoice.id));
  // £95.00 to the landlord ex VAT; Pat's £78.00 (inc. VAT) is passed through; commission £30.00 (95 − 65 net).
  const raised = await engine.send(job.id, {
    type: 'RAISE_INVOICE',
    number: `INV-${job.reference.replace(/^JOB-/, '')}`,
    agentNetPence: 9500,
    vatRateBp: harbour.vatRateBp,
    contractorTotalPence: invoice.totalPence,
    budgetPence: 15000,
    clientName: 'Dee Okafor',
    clientAddress: '4 Park Row, Bristol BS1 5LJ',
    actor,
  });
  const expected = raised.context.invoice!.expected;
  await engine.send(job.id, {
    type: 'RECORD_PAYMENT',
    key: 'seed-client-1',
    leg: 'client',
    amountPence: expected.client,
    reference: 'Landlord BACS 20417',
    paidOn: today,
    actor,
  });
  const run = one(
    await db
      .insert(paymentRuns)
      .values({
        agencyId: harbour.id,
        contractorId: invoice.contractorId,
        reference: `RUN-${today}-PF`,
        paidOn: today,
        totalPence: expected.contractor,
        key: 'seed-run-1',
        createdBy: admin.id,
      })
      .returning(),
  );
  await engine.send(job.id, {
    type: 'RECORD_PAYMENT',
    key: `run:${run.id}`,
    leg: 'contractor',
    amountPence: expected.contractor,
    reference: run.reference,
    paidOn: today,
    runId: run.id,
    actor,
  });
  await engine.send(job.id, {
    type: 'RECORD_PAYMENT',
    key: 'seed-commission-1',
    leg: 'commission',
    amountPence: expected.commission,
    reference: 'Commission transfer',
    paidOn: today,
    actor,
  });
}
