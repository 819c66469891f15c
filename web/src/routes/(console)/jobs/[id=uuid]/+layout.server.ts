import { api } from '#lib/server/api/caller.ts';
import { orNotFound } from '#lib/server/forms.ts';
import type { LayoutServerLoad } from './$types';

// The job's header (address, status, priority, SLA, attachments) is shared by the Overview and Financial tabs.
// Layout errors win over the tabs' own loads, so a job out of scope is a 404 on /jobs/…/finance too.
export const load: LayoutServerLoad = async (event) => ({
  detail: await orNotFound('Job', (await api(event)).jobs.get({ id: event.params.id })),
});
