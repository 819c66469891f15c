// The Temporal host for the job machine: one workflow per job, a thin wiring of `job-loop.ts`
// to @temporalio/workflow. Events arrive as the `event` Update (validator = the machine's verdict),
// the `state` query returns the view, deadlines are durable timers (`condition` with a timeout),
// effects are activities, and the run continues as new before its history grows large.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  currentUpdateInfo,
  log,
  makeContinueAsNewFunc,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { JobActivities } from '../activity-contract.ts';
import type { JobView } from '../job-host.ts';
import type { JobCommand } from '../model.ts';
import { createJobLoop } from './job-loop.ts';
import { searchAttributePairs, searchAttributeUpdates } from './search-attributes.ts';
import {
  DEFAULT_MAX_HISTORY_EVENTS,
  EVENT_REJECTED,
  eventUpdate,
  progressQuery,
  stateQuery,
  syncUpdate,
  type JobWorkflowArgs,
} from './temporal-api.ts';

// Recording a transition is a projection the read model must get: retried without limit, backing off to a minute.
const { recordTransition } = proxyActivities<JobActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Flagging a job whose transition could not be recorded: a small write, retried like the projection.
const { flagProjectionFailure } = proxyActivities<JobActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

// Effects (notifications) are retried like the embedded outbox (backing off to 10 minutes) for up to a week,
// then logged as given up: a job never stalls on a mailer.
const { runEffect } = proxyActivities<JobActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '7 days',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** How many applied update ids a run hands to the next: far more than can be in flight across a hand-over. */
const APPLIED_UPDATE_IDS_CARRIED = 500;

const refusal = (reason: string) =>
  ApplicationFailure.create({ type: EVENT_REJECTED, message: reason, nonRetryable: true });

export async function jobWorkflow(args: JobWorkflowArgs): Promise<JobView> {
  const maxHistoryEvents = args.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
  const loop = createJobLoop(args.carry ? { carry: args.carry } : { input: args.input }, {
    now: () => new Date(),
    async waitFor(ready, deadline) {
      if (!deadline) {
        await condition(ready);
        return true;
      }
      return condition(ready, Math.max(1, deadline.getTime() - Date.now()));
    },
    recordTransition,
    projectionFailed: flagProjectionFailure,
    runEffect,
    published(view) {
      if (args.searchAttributes) upsertSearchAttributes(searchAttributeUpdates(view));
    },
    shouldContinueAsNew() {
      const info = workflowInfo();
      return info.continueAsNewSuggested || info.historyLength >= maxHistoryEvents;
    },
    handlersFinished: allHandlersFinished,
    refusal,
    log: (level, message, attrs) => log[level](message, attrs),
  });

  setHandler(stateQuery, () => loop.view());
  setHandler(progressQuery, () => loop.progress());
  setHandler(syncUpdate, () => loop.sync());
  // An update the chain already applied (its client asked again after a continue-as-new) answers with the
  // job as it is now and applies nothing; the machine never sees it twice.
  const appliedBefore = new Set(args.appliedUpdateIds ?? []);
  const appliedHere: string[] = [];
  const alreadyApplied = () => {
    const id = currentUpdateInfo()?.id;
    return id !== undefined && appliedBefore.has(id);
  };
  setHandler(
    eventUpdate,
    (command) => {
      const id = currentUpdateInfo()?.id;
      if (alreadyApplied()) {
        log.info('event update already applied by an earlier run of this job; answered without applying it', {
          updateId: id,
        });
        return Promise.resolve(loop.view());
      }
      // The loop's own promise, returned as it is: wrapping it (async/await, then) would complete the update
      // a microtask later and reorder the run's commands against recorded histories.
      return loop.submit(command, id ? () => appliedHere.push(id) : undefined);
    },
    {
      // Typed here: setHandler infers the handler's arguments from the definition, not the validator's.
      validator(command: JobCommand) {
        if (alreadyApplied()) return;
        const reason = loop.validate(command);
        if (reason) throw refusal(reason);
      },
    },
  );

  const exit = await loop.run();
  if (exit.kind === 'completed') return exit.view;
  const continueAsNew = makeContinueAsNewFunc<typeof jobWorkflow>({
    memo: args.memo ? { ...args.memo } : undefined,
    typedSearchAttributes: args.searchAttributes ? searchAttributePairs(exit.carry.state) : undefined,
  });
  const appliedUpdateIds = [...(args.appliedUpdateIds ?? []), ...appliedHere].slice(-APPLIED_UPDATE_IDS_CARRIED);
  return continueAsNew({ ...args, carry: exit.carry, appliedUpdateIds });
}
