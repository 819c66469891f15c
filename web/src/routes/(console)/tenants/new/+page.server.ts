import { api } from '#lib/server/api/caller.ts';
import { createAction } from '#lib/components/directory/form.ts';
import { tenantFrom } from '#lib/components/directory/inputs.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  // The first hundred properties fill the picker; a bigger book adds tenants from the property's page.
  const { items, hasMore } = await (await api(event)).properties.list({ limit: 100 });
  return {
    properties: items.map((p) => ({ id: p.id, label: `${p.line1}, ${p.town} ${p.postcode}` })),
    moreProperties: hasMore,
    propertyId: event.url.searchParams.get('property') ?? '',
  };
};

export const actions: Actions = {
  default: createAction(
    async (event, f) => (await api(event)).tenants.save(tenantFrom(f)),
    (id) => `/tenants/${id}?saved=1`,
  ),
};
