// Links from a job page to its workflow in the Temporal UI, for each way TEMPORAL_UI_URL is written.
import { describe, expect, it } from 'vitest';
import { temporalWorkflowUrl, workflowIdFor } from '#workflows/workflow-ids.ts';

const id = workflowIdFor({ reference: 'JOB-000014', agencyId: '5b0c3e8e-0000-4000-8000-000000000001' });

describe('temporalWorkflowUrl', () => {
  it('links into the dev server’s UI at its root', () => {
    expect(temporalWorkflowUrl('http://localhost:8233', 'default', id)).toBe(
      'http://localhost:8233/namespaces/default/workflows/job-JOB-000014-5b0c3e8e-0000-4000-8000-000000000001',
    );
    expect(temporalWorkflowUrl('http://localhost:8233/', 'default', id)).toBe(
      'http://localhost:8233/namespaces/default/workflows/job-JOB-000014-5b0c3e8e-0000-4000-8000-000000000001',
    );
  });

  it('keeps a self-hosted UI’s path prefix', () => {
    expect(temporalWorkflowUrl('https://ops.example.com/temporal/', 'fettle-prod', id)).toBe(
      'https://ops.example.com/temporal/namespaces/fettle-prod/workflows/job-JOB-000014-5b0c3e8e-0000-4000-8000-000000000001',
    );
  });

  it('does not repeat the namespace a Temporal Cloud URL already names', () => {
    expect(temporalWorkflowUrl('https://cloud.temporal.io/namespaces/my-ns.a1b2c', 'my-ns.a1b2c', id)).toBe(
      'https://cloud.temporal.io/namespaces/my-ns.a1b2c/workflows/job-JOB-000014-5b0c3e8e-0000-4000-8000-000000000001',
    );
    expect(temporalWorkflowUrl('https://cloud.temporal.io/namespaces/my-ns.a1b2c/', 'my-ns.a1b2c', id)).toBe(
      'https://cloud.temporal.io/namespaces/my-ns.a1b2c/workflows/job-JOB-000014-5b0c3e8e-0000-4000-8000-000000000001',
    );
  });

  it('escapes ids and namespaces that are not URL-safe', () => {
    expect(temporalWorkflowUrl('http://localhost:8233', 'a b', 'job/1?x')).toBe(
      'http://localhost:8233/namespaces/a%20b/workflows/job%2F1%3Fx',
    );
  });
});
