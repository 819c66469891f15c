// How a job is named in Temporal and linked to in its UI. Plain functions with no SDK import, so the
// web bundle can use them without pulling in @temporalio/workflow.

/**
 * The job's business id. References are numbered per agency (JOB-000001 exists in every agency),
 * so the agency is part of the id; the reference alone is the JobReference search attribute.
 */
export function workflowIdFor(job: { agencyId: string; reference: string }): string {
  return `job-${job.reference}-${job.agencyId}`;
}

/**
 * The Temporal UI's page for a workflow, from TEMPORAL_UI_URL in any of its usual forms:
 * - the dev server or a self-hosted UI at its root or under a path: `http://localhost:8233`,
 *   `https://ops.example.com/temporal/` → `<base>/namespaces/<ns>/workflows/<id>`;
 * - a URL that already names the namespace, as Temporal Cloud's do:
 *   `https://cloud.temporal.io/namespaces/my-ns.a1b2c` → `<that>/workflows/<id>` (never the
 *   namespace twice).
 */
export function temporalWorkflowUrl(uiUrl: string, namespace: string, workflowId: string): string {
  const url = new URL(uiUrl);
  const path = url.pathname.replace(/\/+$/, '');
  const named =
    new RegExp(`/namespaces/${escapeRegExp(encodeURIComponent(namespace))}$`).test(path) ||
    path.endsWith(`/namespaces/${namespace}`);
  url.pathname = `${named ? path : `${path}/namespaces/${encodeURIComponent(namespace)}`}/workflows/${encodeURIComponent(workflowId)}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
