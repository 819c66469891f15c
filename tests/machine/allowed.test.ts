// The job page's allowed actions: the fast path must give exactly the machine's answer, probe by probe,
// in every state a job can reach and for every kind of person asking.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedActions, allowedActionsByMachine } from '#workflows/allowed.ts';
import { stepJob, type JobState } from '#workflows/job-host.ts';
import type { Actor, JobEvent } from '#workflows/model.ts';
import { ADMIN, EMERGENCY, EVE, PAT, ROUTINE, SCENARIOS, STAFF, SYSTEM, ev, hoursIn, reach, start } from './support.ts';

const ACTORS: Actor[] = [ADMIN, STAFF, PAT, EVE, SYSTEM];

describe('allowedActions', () => {
  it.each(SCENARIOS)('agrees with the machine in %s for every role', (scenario) => {
    const { state, now } = reach(scenario);
    for (const actor of ACTORS)
      expect(allowedActions(state, actor, now), actor.id).toEqual(allowedActionsByMachine(state, actor, now));
  });

  it('offers what the machine takes (not a vacuous agreement)', () => {
    const { state, now } = reach('new');
    expect(allowedActions(state, STAFF, now)).toEqual(
      expect.arrayContaining(['OFFER', 'ADD_NOTE', 'CANCEL', 'CHANGE_PRIORITY']),
    );
    expect(allowedActions(state, PAT, now)).toEqual(expect.arrayContaining(['ACCEPT', 'DECLINE']));
    expect(allowedActions(state, EVE, now)).toEqual([]);
    expect(allowedActions(reach('paymentComplete').state, STAFF, now)).toEqual([]);
  });

  it('agrees with the machine along random histories', () => {
    const at = (i: number) => hoursIn(1 + i * 0.25);
    const moves: ((i: number, who: Actor) => JobEvent)[] = [
      (i, who) => ev.offer(at(i), who === EVE ? EVE.id : PAT.id),
      (i, who) => ev.offer(at(i), EVE.id, who),
      (i, who) => ev.accept(at(i), who),
      (i, who) => ev.decline(at(i), who),
      (i, who) => ev.start(at(i), who),
      (i, who) => ev.note(at(i), who),
      (i, who) => ev.complete(at(i), who),
      (i, who) => ev.close(at(i), who),
      (i, who) => ev.recall(at(i), who),
      (i, who) => ev.cancel(at(i), who),
      (i, who) => ev.priority(at(i), i % 2 ? ROUTINE : EMERGENCY, who),
      (i, who) => ev.submitInvoice(at(i), who),
      (i, who) => ev.raiseInvoice(at(i), who),
      (i, who) => ev.payment(at(i), 'client', 24000, `c-${i}`, who),
      (i, who) => ev.payment(at(i), 'contractor', 18000, `k-${i}`, who),
      (i, who) => ev.payment(at(i), 'commission', 5000, `m-${i}`, who),
      (i, who) => ({ type: 'ADVANCE_DEADLINE', actor: who, at: at(i) }),
    ];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(moves.length - 1), fc.constantFrom(...ACTORS)), { maxLength: 30 }),
        (walk) => {
          let state: JobState = start();
          walk.forEach(([move, who], i) => {
            const result = stepJob(state, moves[move]!(i, who));
            if (result.ok) state = result.state;
            const now = at(i + 1);
            for (const actor of ACTORS)
              expect(allowedActions(state, actor, now)).toEqual(allowedActionsByMachine(state, actor, now));
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
