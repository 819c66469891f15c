import { api } from '#lib/server/api/caller.ts';
import { JOB_STATUSES, type JobStatus } from '../../../../../workflows/model.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const p = event.url.searchParams;
  const status = p.getAll('status').filter((s): s is JobStatus => (JOB_STATUSES as readonly string[]).includes(s));
  const view = (['all', 'needsAction', 'recalls'] as const).find((v) => v === p.get('view')) ?? 'all';
  const sla = (['atRisk', 'breached'] as const).find((v) => v === p.get('sla'));
  const caller = await api(event);
  const [page, options] = await Promise.all([
    caller.jobs.list({
      status: status.length ? status : undefined,
      priority: p.get('priority') ? [p.get('priority')!] : undefined,
      sla,
      view,
      q: p.get('q') || undefined,
      cursor: p.get('cursor') || undefined,
      limit: 25,
    }),
    caller.directory.options(),
  ]);
  return { page, options, filters: { status: status[0] ?? '', view, sla: sla ?? '', q: p.get('q') ?? '', priority: p.get('priority') ?? '' } };
};
