import { redirect } from '@sveltejs/kit';
import { api } from '#lib/server/api/caller.ts';
import { apiFailure } from '#lib/components/directory/form.ts';
import { contractorFrom } from '#lib/components/directory/inputs.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { jobTypes } = await (await api(event)).directory.options();
  return { knownTrades: [...new Set(jobTypes.map((t) => t.trade))].sort() };
};

export const actions: Actions = {
  default: async (event) => {
    const f = await event.request.formData();
    let id: string;
    try {
      ({ id } = await (await api(event)).contractors.save(contractorFrom(f)));
    } catch (e) {
      return apiFailure('create', null, f, e);
    }
    redirect(303, `/contractors/${id}?created=1`);
  },
};
