import { api } from '#lib/server/api/caller.ts';
import { tenantFrom } from '#lib/server/directory-inputs.ts';
import { formAction, orNotFound, perField } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const caller = await api(event);
  const tenant = await orNotFound('Tenant', caller.tenants.get({ id: event.params.id }));
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
  default: formAction(
    'save',
    async (f, event) => (await api(event)).tenants.save({ id: event.params.id, ...tenantFrom(f) }),
    perField(),
  ),
};
