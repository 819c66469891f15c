import { api } from '#lib/server/api/caller.ts';
import { propertyFrom } from '#lib/server/directory-inputs.ts';
import { createAction } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const caller = await api(event);
  const [options, landlords] = await Promise.all([caller.directory.options(), caller.landlords.list({})]);
  return { branches: options.branches, landlords };
};

export const actions: Actions = {
  default: createAction(
    async (f, event) => (await api(event)).properties.save(propertyFrom(f)),
    (id) => `/properties/${id}?saved=1`,
    { besideFields: true },
  ),
};
