import { z } from 'zod';
import { REPORT_STATUSES } from '#db/schema/index.ts';
import { api } from '#lib/server/api/caller.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const parsed = z.enum(REPORT_STATUSES).safeParse(event.url.searchParams.get('status') ?? 'new');
  const status = parsed.success ? parsed.data : 'new';
  const caller = await api(event);
  const [items, selfFixed] = await Promise.all([caller.reports.list({ status }), caller.reports.selfFixed()]);
  return { items, selfFixed, status };
};
