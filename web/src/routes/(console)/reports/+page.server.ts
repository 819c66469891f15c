import { error } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { agencies, REPORT_STATUSES } from '#db/schema/index.ts';
import { api } from '#lib/server/api/caller.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const parsed = z.enum(REPORT_STATUSES).safeParse(event.url.searchParams.get('status') ?? 'new');
  const status = parsed.success ? parsed.data : 'new';
  const caller = await api(event);
  const [items, selfFixed] = await Promise.all([caller.reports.list({ status }), caller.reports.selfFixed()]);
  // The agency's public report page, for staff to share (the console layout has already signed staff in).
  const user = event.locals.user;
  if (user?.kind !== 'staff') error(403, 'Agency staff only');
  const { db } = await useRuntime();
  const [agency] = await db.select({ slug: agencies.slug }).from(agencies).where(eq(agencies.id, user.agencyId));
  return { items, selfFixed, status, reportPage: agency ? `${event.url.origin}/report/${agency.slug}` : null };
};
