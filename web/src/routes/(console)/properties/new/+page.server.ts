import { redirect } from '@sveltejs/kit';
import { api } from '#lib/server/api/caller.ts';
import { apiFailure } from '#lib/components/directory/form.ts';
import { propertyFrom } from '#lib/components/directory/inputs.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => ({ branches: (await (await api(event)).directory.options()).branches });

export const actions: Actions = {
  default: async (event) => {
    const f = await event.request.formData();
    let id: string;
    try {
      ({ id } = await (await api(event)).properties.save(propertyFrom(f)));
    } catch (e) {
      return apiFailure('create', null, f, e);
    }
    redirect(303, `/properties/${id}?saved=1`);
  },
};
