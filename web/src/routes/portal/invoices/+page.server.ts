import { z } from 'zod';
import { api } from '#lib/server/api/caller.ts';
import type { PageServerLoad } from './$types';

// ?sent=<job id> after the invoice form: the page confirms that job's invoice. A hand-edited value is ignored.
const sent = z.uuid().nullable().catch(null);

export const load: PageServerLoad = async (event) => ({
  account: await (await api(event)).portal.account(),
  sentJobId: sent.parse(event.url.searchParams.get('sent')),
});
