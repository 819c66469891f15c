import { api } from '#lib/server/api/caller.ts';
import { propertyFrom, tenantFrom } from '#lib/server/directory-inputs.ts';
import { formAction, orNotFound, perField } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const caller = await api(event);
  const [detail, options, landlords] = await Promise.all([
    orNotFound('Property', caller.properties.get({ id: event.params.id })),
    caller.directory.options(),
    caller.landlords.list({}),
  ]);
  return { ...detail, branches: options.branches, landlords, justCreated: event.url.searchParams.has('saved') };
};

export const actions: Actions = {
  save: formAction(
    'save',
    async (f, event) => (await api(event)).properties.save({ id: event.params.id, ...propertyFrom(f) }),
    perField(),
  ),
  addTenant: formAction(
    'addTenant',
    async (f, event) => (await api(event)).tenants.save({ ...tenantFrom(f), propertyId: event.params.id }),
    perField(),
  ),
};
