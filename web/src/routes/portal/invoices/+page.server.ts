import { api } from '#lib/server/api/caller.ts';
import { queryId } from '#lib/server/query.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => ({
  account: await (await api(event)).portal.account(),
  // ?sent=<job id> after the invoice form: the page confirms that job's invoice. A hand-edited value is ignored.
  sentJobId: queryId(event.url, 'sent') ?? null,
});
