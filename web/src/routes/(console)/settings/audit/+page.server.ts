import { error } from '@sveltejs/kit';
import { api } from '#lib/server/api/caller.ts';
import { describeIssues } from '#lib/server/api/issues.ts';
import { auditActionLabel, auditFilters } from '#lib/server/audit/log.ts';
import type { PageServerLoad } from './$types';

const FIELDS = ['job', 'person', 'action', 'from', 'to'] as const;

// The filters live in the URL, so a filtered view can be bookmarked and exported as shown.
export const load: PageServerLoad = async (event) => {
  const user = event.locals.user;
  if (!user || user.kind !== 'staff' || user.role !== 'admin') error(403, 'Only agency admins can read the audit log.');
  const p = event.url.searchParams;
  const typed = Object.fromEntries(FIELDS.map((k) => [k, p.get(k)?.trim() ?? '']));
  const parsed = auditFilters.safeParse(typed);
  const caller = await api(event);
  const options = await caller.audit.options();
  const base = {
    filters: typed,
    options,
    actionLabels: Object.fromEntries(options.actions.map((a) => [a, auditActionLabel(a)])),
  };
  if (!parsed.success)
    return { ...base, problem: describeIssues(parsed.error.issues), entries: [], next: null, paged: false };
  const at = p.get('at') ?? undefined;
  const id = Number(p.get('id')) || undefined;
  // A cursor that was edited or cut short shows the first page.
  const page = await caller.audit.list({ ...parsed.data, at, id }).catch(() => caller.audit.list(parsed.data));
  return {
    ...base,
    problem: null,
    entries: page.entries.map((e) => ({ ...e, label: auditActionLabel(e.action) })),
    next: page.next,
    paged: !!at,
  };
};
