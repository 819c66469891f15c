import { eq } from 'drizzle-orm';
import { agencies } from '#db/schema/index.ts';
import { api } from '#lib/server/api/caller.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
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
  // The tenants' report page for this home (the property is the agency's: properties.get said so).
  const { db } = await useRuntime();
  const [agency] = await db
    .select({ slug: agencies.slug })
    .from(agencies)
    .where(eq(agencies.id, detail.property.agencyId));
  const reportLink = agency ? `${event.url.origin}/report/${agency.slug}?property=${detail.property.id}` : null;
  return {
    ...detail,
    branches: options.branches,
    landlords,
    reportLink,
    justCreated: event.url.searchParams.has('saved'),
  };
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
