import { api } from '#lib/server/api/caller.ts';
import { queryId } from '#lib/server/query.ts';
import { JOB_STATUSES, type JobStatus } from '#workflows/model.ts';
import type { PageServerLoad } from './$types';

// Every filter lives in the URL, so a filtered list can be bookmarked, shared and reloaded as it was.
export const load: PageServerLoad = async (event) => {
  const p = event.url.searchParams;
  const status = p.getAll('status').filter((s): s is JobStatus => (JOB_STATUSES as readonly string[]).includes(s));
  const view = (['all', 'needsAction', 'recalls'] as const).find((v) => v === p.get('view')) ?? 'all';
  const sla = (['atRisk', 'breached'] as const).find((v) => v === p.get('sla'));
  const priority = p.getAll('priority').filter((x) => x && x.length <= 20);
  const filters = {
    view,
    status: status.length ? status : undefined,
    priority: priority.length ? priority.slice(0, 10) : undefined,
    branchId: queryId(event.url, 'branch'),
    contractorId: queryId(event.url, 'contractor'),
    sla,
    q: p.get('q')?.trim().slice(0, 100) || undefined,
  };
  const caller = await api(event);
  const listed = (cursor: string | undefined) =>
    caller.jobs.list({ ...filters, cursor, limit: 25 }).then((page) => ({ page, paged: !!cursor }));
  // A cursor the API refuses (edited or cut short) shows the first page, and says it is the first.
  const [{ page, paged }, options, people] = await Promise.all([
    listed(p.get('cursor') || undefined).catch(() => listed(undefined)),
    caller.directory.options(),
    caller.jobs.filterContractors(),
  ]);
  return {
    page,
    options,
    contractors: people.map((c) => ({ id: c.id, name: c.active ? c.name : `${c.name} (inactive)` })),
    filters: {
      ...filters,
      status: status[0] ?? '',
      priority: priority[0] ?? '',
      branchId: filters.branchId ?? '',
      contractorId: filters.contractorId ?? '',
      sla: sla ?? '',
      q: filters.q ?? '',
    },
    paged,
  };
};
