import { api } from '#lib/server/api/caller.ts';
import { orNotFound, run } from '#lib/components/directory/form.ts';
import { tenantFrom } from '#lib/components/directory/inputs.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const caller = await api(event);
  const tenant = await orNotFound('Tenant', event.params.id, (id) => caller.tenants.get({ id }));
  const { items } = await caller.properties.list({ limit: 100 });
  const properties = items.map((p) => ({ id: p.id, label: `${p.line1}, ${p.town} ${p.postcode}` }));
  // Keep the tenant's own property in the picker even when it is beyond the first hundred.
  if (tenant.property && !properties.some((p) => p.id === tenant.property!.id))
    properties.unshift({
      id: tenant.property.id,
      label: `${tenant.property.line1}, ${tenant.property.town} ${tenant.property.postcode}`,
    });
  return { tenant, properties, justCreated: event.url.searchParams.has('saved') };
};

export const actions: Actions = {
  default: async (event) => {
    const f = await event.request.formData();
    return run('save', null, f, async () => (await api(event)).tenants.save({ id: event.params.id, ...tenantFrom(f) }));
  },
};
