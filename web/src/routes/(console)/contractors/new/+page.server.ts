import { api } from '#lib/server/api/caller.ts';
import { contractorFrom } from '#lib/server/directory-inputs.ts';
import { createAction } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { jobTypes } = await (await api(event)).directory.options();
  return { knownTrades: [...new Set(jobTypes.map((t) => t.trade))].sort() };
};

export const actions: Actions = {
  default: createAction(
    async (f, event) => (await api(event)).contractors.save(contractorFrom(f)),
    (id) => `/contractors/${id}?created=1`,
    { besideFields: true },
  ),
};
