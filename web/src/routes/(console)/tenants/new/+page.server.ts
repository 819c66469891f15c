import { api } from '#lib/server/api/caller.ts';
import { tenantFrom } from '#lib/server/directory-inputs.ts';
import { createAction } from '#lib/server/forms.ts';
import { queryId } from '#lib/server/query.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  // The first hundred properties fill the picker; a bigger book adds tenants from the property's page.
  const { items, hasMore } = await (await api(event)).properties.list({ limit: 100 });
  return {
    properties: items.map((p) => ({ id: p.id, label: `${p.line1}, ${p.town} ${p.postcode}` })),
    moreProperties: hasMore,
    propertyId: queryId(event.url, 'property') ?? '',
  };
};

export const actions: Actions = {
  default: createAction(
    async (f, event) => (await api(event)).tenants.save(tenantFrom(f)),
    (id) => `/tenants/${id}?saved=1`,
    { besideFields: true },
  ),
};
