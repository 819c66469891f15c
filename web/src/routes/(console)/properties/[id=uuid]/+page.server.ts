import { api } from '#lib/server/api/caller.ts';
import { orNotFound, run } from '#lib/components/directory/form.ts';
import { propertyFrom, tenantFrom } from '#lib/components/directory/inputs.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const caller = await api(event);
  const [detail, options] = await Promise.all([
    orNotFound('Property', event.params.id, (id) => caller.properties.get({ id })),
    caller.directory.options(),
  ]);
  return { ...detail, branches: options.branches, justCreated: event.url.searchParams.has('saved') };
};

export const actions: Actions = {
  save: async (event) => {
    const f = await event.request.formData();
    return run('save', null, f, async () =>
      (await api(event)).properties.save({ id: event.params.id, ...propertyFrom(f) }),
    );
  },
  addTenant: async (event) => {
    const f = await event.request.formData();
    return run('addTenant', null, f, async () =>
      (await api(event)).tenants.save({ ...tenantFrom(f), propertyId: event.params.id }),
    );
  },
};
