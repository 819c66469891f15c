// The workflow bundle's entry point: workflows only (the worker registers every export).
export { jobWorkflow } from './temporal/job-workflow.ts';
