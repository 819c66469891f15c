import { api } from '#lib/server/api/caller.ts';
import { createAction } from '#lib/components/directory/form.ts';
import { propertyFrom } from '#lib/components/directory/inputs.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => ({
  branches: (await (await api(event)).directory.options()).branches,
});

export const actions: Actions = {
  default: createAction(
    async (event, f) => (await api(event)).properties.save(propertyFrom(f)),
    (id) => `/properties/${id}?saved=1`,
  ),
};
