// Model-based paths: traverse jobMachine with a small set of concrete events (xstate/graph),
// then replay every path found through the host's stepJob to confirm where it ends.
import { describe, expect, test } from 'vitest';
import { getShortestPaths, getSimplePaths, type StatePath } from 'xstate/graph';
import { jobMachine } from '#workflows/job-machine.ts';
import { pendingTimer, startJob, stepJob, timerEvent, type JobState } from '#workflows/job-host.ts';
import { JOB_STATUSES, PAYMENT_LEGS, type JobEvent, type JobStatus } from '#workflows/model.ts';
import { ADMIN, EVE, EXPECTED, PAT, STAFF, ev, hoursIn, jobInput, plusMs } from './support.ts';

type Snapshot = ReturnType<typeof jobMachine.transition>;
type Path = StatePath<Snapshot, JobEvent>;

// The finite event alphabet: staff Sam, contractors Pat and Eve, one fixed instant per kind of step.
const EVENTS: JobEvent[] = [
  ev.offer(hoursIn(1), PAT.id),
  ev.offer(hoursIn(1), EVE.id),
  ...[PAT, EVE].flatMap((who) => [
    ev.accept(hoursIn(2), who),
    ev.decline(hoursIn(2), who),
    ev.start(hoursIn(3), who),
    ev.complete(hoursIn(4), who),
    ev.submitInvoice(hoursIn(5), who),
  ]),
  ev.note(hoursIn(3), STAFF),
  { type: 'QUERY_INVOICE', reason: 'Wrong VAT rate', actor: STAFF, at: hoursIn(5.5) },
  ev.close(hoursIn(6)),
  ev.recall(hoursIn(6)),
  ev.cancel(hoursIn(6)),
  {
    type: 'RAISE_INVOICE',
    number: 'INV-1',
    agentNetPence: 20000,
    vatRateBp: 2000,
    contractorTotalPence: 18000,
    commissionPence: 5000,
    actor: STAFF,
    at: hoursIn(7),
  },
  // The invoice re-raised: INV-1 credited by CN-000001 and INV-2 issued on the same terms.
  {
    type: 'RAISE_INVOICE',
    number: 'INV-2',
    agentNetPence: 20000,
    vatRateBp: 2000,
    contractorTotalPence: 18000,
    commissionPence: 5000,
    creditNoteNumber: 'CN-000001',
    creditReason: 'Billed to the wrong landlord',
    actor: STAFF,
    at: hoursIn(7.5),
  },
  ...PAYMENT_LEGS.map((leg) => ev.payment(hoursIn(8), leg, EXPECTED[leg], leg)),
];

/**
 * Histories grow without bound (declines, recalls, notes), so vertices are identified by what
 * decides the job's future: its status, who is offered or holds it, the money so far, and
 * whether it has ever been declined or recalled (so that such detours are not cycles).
 */
function serializeState(snapshot: Snapshot): string {
  const c = snapshot.context;
  const facts = [
    c.offeredTo,
    c.contractorId,
    !!c.contractorInvoice,
    c.invoice?.number ?? null,
    c.creditedInvoices.length,
    c.payments.map((p) => p.key).sort(),
  ];
  return JSON.stringify([snapshot.value, ...facts, c.declines.length > 0, c.recallCount > 0]);
}

/**
 * Simple paths are enumerated to every vertex, so that traversal gets a narrower story: Pat is
 * offered the job first and may decline once; Eve is offered it after a decline or a recall;
 * one recall at most, before the agency invoices; the contractor invoices once the job is closed;
 * the legs are paid in a fixed order. (Other orders are covered by the shortest paths and rules tests.)
 */
function storyline(snapshot: Snapshot, event: JobEvent): boolean {
  const c = snapshot.context;
  switch (event.type) {
    case 'OFFER': {
      if (c.offeredTo) return false;
      const firstOffer = !c.contractorId && c.declines.length === 0;
      const secondChoice = c.contractorId !== EVE.id && (c.declines.length > 0 || c.recallCount > 0);
      return event.contractorId === PAT.id ? firstOffer : secondChoice;
    }
    case 'DECLINE':
      return c.declines.length === 0;
    case 'RECALL':
      return c.recallCount === 0 && !c.invoice;
    case 'SUBMIT_INVOICE':
      return snapshot.value === 'closed';
    case 'RECORD_PAYMENT':
      return event.leg === PAYMENT_LEGS[c.payments.length];
    case 'ADD_NOTE':
    case 'QUERY_INVOICE': // a detour back to an earlier vertex: covered by the shortest paths and its own tests
      return false;
    default:
      return true;
  }
}

/**
 * Events the machine refuses leave the job as it was (a self-loop no path uses), so they are pruned
 * with the machine's own `can` before the traversal spends time on them. Each traversal runs once,
 * to every vertex; the tests pick the paths that end in the status they are about.
 */
const traverse = (
  generate: typeof getShortestPaths,
  narrow: (snapshot: Snapshot, event: JobEvent) => boolean = () => true,
) => {
  let paths: Path[] | undefined;
  return (status: JobStatus) => {
    paths ??= generate(jobMachine, {
      input: jobInput(),
      events: EVENTS,
      filterEvents: (snapshot, event) => narrow(snapshot, event) && snapshot.can(event),
      serializeState,
      limit: 20_000,
    });
    return paths.filter((path) => path.state.value === status);
  };
};
const shortestPaths = traverse(getShortestPaths);
const simplePaths = traverse(getSimplePaths, storyline);

/** The events along a path (its first step is always the machine's own xstate.init). */
const eventsOf = (path: Path): JobEvent[] => path.steps.slice(1).map((s) => s.event);

/** Replays the path through the host, checking each intermediate status against the model's. */
function replay(path: Path): JobState {
  const expectedStatuses = path.steps.slice(1).map((s) => s.state.value);
  let state = startJob(jobInput()).state;
  eventsOf(path).forEach((event, i) => {
    const result = stepJob(state, event);
    if (!result.ok) throw new Error(`step ${i + 1} ${event.type} by ${event.actor.id} refused: ${result.reason}`);
    state = result.state;
    expect(state.status).toBe(expectedStatuses[i]);
  });
  return state;
}

const describePath = (path: Path) =>
  eventsOf(path)
    .map((e) => `${e.type}(${e.actor.id})`)
    .join(' → ');
const typesOf = (path: Path) => eventsOf(path).map((e) => e.type);

describe('shortest paths over the whole alphabet', () => {
  test.each([
    [
      'paymentComplete',
      [
        'OFFER',
        'ACCEPT',
        'START',
        'COMPLETE',
        'CLOSE',
        'RAISE_INVOICE',
        'RECORD_PAYMENT',
        'RECORD_PAYMENT',
        'RECORD_PAYMENT',
      ],
    ],
    ['cancelled', ['CANCEL']],
  ] as const)('to %s exist, and each replays through stepJob to that state', (status, shortest) => {
    const paths = shortestPaths(status);
    expect(paths.length).toBeGreaterThan(1);
    for (const path of paths) expect(replay(path).status, describePath(path)).toBe(status);
    const best = paths.reduce((a, b) => (eventsOf(b).length < eventsOf(a).length ? b : a));
    expect(typesOf(best)).toEqual(shortest);
  });

  test('every status is reachable', () => {
    for (const status of JOB_STATUSES) expect(shortestPaths(status).length, status).toBeGreaterThan(0);
  });
});

describe('simple paths along the storyline', () => {
  test.each(['paymentComplete', 'cancelled'] as const)('to %s each replay through stepJob to that state', (status) => {
    const paths = simplePaths(status);
    expect(paths.length).toBeGreaterThan(10);
    for (const path of paths) expect(replay(path).status, describePath(path)).toBe(status);
  });

  test('to Payment Complete include the long way round: declined, recalled, re-assigned to Eve, then paid', () => {
    const longWay = simplePaths('paymentComplete').filter((path) => {
      const types = typesOf(path);
      return (
        types.includes('DECLINE') &&
        types.lastIndexOf('ACCEPT') > types.indexOf('RECALL') &&
        types.indexOf('RECALL') >= 0
      );
    });
    expect(longWay.length).toBeGreaterThan(0);
    for (const path of longWay) {
      const { context } = replay(path);
      expect(context).toMatchObject({ recallCount: 1, contractorId: 'eve' });
      expect(context.declines).toHaveLength(1);
    }
  });

  test('to Payment Complete include Pat invoicing, the job recalled and re-assigned to Eve, and Eve invoicing her own work', () => {
    const twoInvoices = simplePaths('paymentComplete').filter((path) => {
      const invoicers = eventsOf(path)
        .filter((e) => e.type === 'SUBMIT_INVOICE')
        .map((e) => e.actor.id);
      return invoicers.join() === 'pat,eve';
    });
    expect(twoInvoices.length).toBeGreaterThan(0);
    for (const path of twoInvoices) {
      const { context } = replay(path);
      expect(context).toMatchObject({ contractorId: 'eve', assignment: 2, recallCount: 1 });
      expect(context.payments.find((p) => p.leg === 'contractor')?.amountPence).toBe(EXPECTED.contractor);
    }
  });

  test('to Payment Complete include a re-raise: INV-1 credited by CN-000001, INV-2 issued and paid', () => {
    const reRaised = simplePaths('paymentComplete').filter((path) =>
      eventsOf(path).some((e) => e.type === 'RAISE_INVOICE' && e.creditNoteNumber),
    );
    expect(reRaised.length).toBeGreaterThan(0);
    for (const path of reRaised) {
      const { context } = replay(path);
      expect(context.invoice).toMatchObject({ number: 'INV-2', expected: EXPECTED });
      expect(context.creditedInvoices).toEqual([
        {
          number: 'INV-1',
          grossPence: 24000,
          creditNoteNumber: 'CN-000001',
          reason: 'Billed to the wrong landlord',
          creditedAt: hoursIn(7.5),
        },
      ]);
    }
    // Never INV-2 first: only an issued invoice is credited, so a credit note is never the first raise.
    for (const path of shortestPaths('paymentComplete'))
      expect(
        eventsOf(path)
          .filter((e) => e.type === 'RAISE_INVOICE')
          .map((e) => e.number)[0],
      ).toBe('INV-1');
  });

  test('to Cancelled leave from every open state that can be cancelled', () => {
    const before = new Set(simplePaths('cancelled').map((p) => p.steps.at(-2)!.state.value));
    expect([...before].sort()).toEqual(['assigned', 'inProgress', 'new', 'recalled']);
  });
});

describe('an admin bringing deadlines forward along the way', () => {
  // ADVANCE_DEADLINE never changes the status (a self-loop the traversal ignores), so it is not in the alphabet;
  // instead every shortest path is replayed with the next deadline brought forward and fired after each step.
  test.each(['paymentComplete', 'cancelled'] as const)(
    'on every shortest path to %s it is taken exactly when a deadline is pending, and never moves the status',
    (status) => {
      for (const path of shortestPaths(status)) {
        let state = startJob(jobInput()).state;
        for (const event of eventsOf(path)) {
          const result = stepJob(state, event);
          if (!result.ok) throw new Error(`${describePath(path)}: ${event.type} refused: ${result.reason}`);
          state = result.state;
          const at = plusMs(event.at, 1);
          const advanced = stepJob(state, { type: 'ADVANCE_DEADLINE', actor: ADMIN, at });
          expect(advanced.ok, `${describePath(path)} at ${event.type}`).toBe(pendingTimer(state) !== null);
          if (!advanced.ok) continue;
          expect(advanced.state.status).toBe(state.status);
          const timer = pendingTimer(advanced.state)!;
          const fired = stepJob(advanced.state, timerEvent(timer, at));
          expect(fired.ok, `${timer.kind} after ${event.type}`).toBe(true);
          if (fired.ok) expect(fired.state.status).toBe(state.status);
        }
        expect(state.status).toBe(status);
      }
    },
  );
});
