// The job workflow's public surface, defined once: its type name, arguments, update and query
// definitions and workflow ids. Imported by the workflow, the Temporal engine and the tests.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { JobView } from '../job-host.ts';
import type { LoopCarry, LoopProgress } from './job-loop.ts';
import type { JobCommand, JobInput } from '../model.ts';

export const JOB_WORKFLOW_TYPE = 'jobWorkflow';

/** ApplicationFailure type carried by a refused event (validator or handler); the engine maps it to EventRejected. */
export const EVENT_REJECTED = 'EventRejected';

/** Shown in the Temporal UI beside each job (not searchable). */
export interface JobMemo {
  title: string;
  address: string;
}

export interface JobWorkflowArgs {
  input: JobInput;
  memo?: JobMemo;
  /** Whether the server has the job's custom search attributes (upserting unknown ones fails the task). */
  searchAttributes: boolean;
  /** Continue-as-new once the run's history reaches this many events, if the server has not suggested it sooner. */
  maxHistoryEvents?: number;
  /** Set on continue-as-new: the previous run's persisted snapshot. */
  carry?: LoopCarry;
  /**
   * Set on continue-as-new: ids of `event` updates the chain's earlier runs applied (the latest few
   * hundred). A client still waiting on one when the run handed over asks again, by the same id, of the
   * new run, which does not know it: without this list the event was applied twice.
   */
  appliedUpdateIds?: string[];
}

export const DEFAULT_MAX_HISTORY_EVENTS = 2_000;

/** Apply one event; the validator refuses at once what the machine would refuse. Returns the new view. */
export const eventUpdate = defineUpdate<JobView, [JobCommand]>('event');
/** Returns the view once every transition accepted so far is recorded in the read model. */
export const syncUpdate = defineUpdate<JobView, []>('sync');
export const stateQuery = defineQuery<JobView>('state');
export const progressQuery = defineQuery<LoopProgress>('progress');

export { workflowIdFor } from '../workflow-ids.ts';
