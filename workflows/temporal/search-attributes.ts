// The job's custom search attributes: what an operator filters on in the Temporal UI
// (e.g. `JobStatus = "inProgress" AND SlaBreached = true`). Safe for the workflow bundle.
import {
  defineSearchAttributeKey,
  SearchAttributeType,
  type SearchAttributePair,
  type SearchAttributeUpdatePair,
} from '@temporalio/common';
import type { JobView } from '../job-host.ts';

export const JobStatusKey = defineSearchAttributeKey('JobStatus', SearchAttributeType.KEYWORD);
export const JobReferenceKey = defineSearchAttributeKey('JobReference', SearchAttributeType.KEYWORD);
const AgencyIdKey = defineSearchAttributeKey('AgencyId', SearchAttributeType.KEYWORD);
export const ContractorIdKey = defineSearchAttributeKey('ContractorId', SearchAttributeType.KEYWORD);
export const PriorityKey = defineSearchAttributeKey('Priority', SearchAttributeType.KEYWORD);
const SlaDueAtKey = defineSearchAttributeKey('SlaDueAt', SearchAttributeType.DATETIME);
export const SlaBreachedKey = defineSearchAttributeKey('SlaBreached', SearchAttributeType.BOOL);

/** Every key, for registering them with the server. */
export const JOB_SEARCH_ATTRIBUTES = [
  JobStatusKey,
  JobReferenceKey,
  AgencyIdKey,
  ContractorIdKey,
  PriorityKey,
  SlaDueAtKey,
  SlaBreachedKey,
] as const;

type Facts = Pick<JobView, 'status' | 'context'>;

/** The attributes for a job's current state; a job with no contractor clears `ContractorId`. */
export function searchAttributeUpdates({ status, context }: Facts): SearchAttributeUpdatePair[] {
  return [
    { key: JobStatusKey, value: status },
    { key: JobReferenceKey, value: context.reference },
    { key: AgencyIdKey, value: context.agencyId },
    { key: ContractorIdKey, value: context.contractorId },
    { key: PriorityKey, value: context.priority.code },
    { key: SlaDueAtKey, value: new Date(context.sla.dueAt) },
    { key: SlaBreachedKey, value: context.sla.breached },
  ];
}

/** The same, as set when a run starts (no removals: absent values are left out). */
export function searchAttributePairs(facts: Facts): SearchAttributePair[] {
  return searchAttributeUpdates(facts).filter((p): p is SearchAttributePair => p.value !== null);
}
