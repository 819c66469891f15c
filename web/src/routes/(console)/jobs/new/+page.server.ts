import { api } from '#lib/server/api/caller.ts';
import { FIND_PROPERTIES_MAX } from '#lib/server/api/routers/directory.ts';
import { sanitizeDescription } from '#lib/server/api/routers/jobs.ts';
import { createAction, optional, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const caller = await api(event);
  const q = event.url.searchParams.get('postcode')?.trim() ?? '';
  // A search the API would refuse is said so on the page (a pasted paragraph is not an error page).
  const tooLong = q.length > FIND_PROPERTIES_MAX;
  const [options, found] = await Promise.all([
    caller.directory.options(),
    q.length >= 2 && !tooLong ? caller.directory.findProperties({ q }) : Promise.resolve(null),
  ]);
  const tenants = found
    ? (await Promise.all(found.map((p) => caller.directory.tenantsAt({ propertyId: p.id })))).flat()
    : [];
  return { options, query: q, properties: found, tenants, tooLong, maxQuery: FIND_PROPERTIES_MAX };
};

export const actions: Actions = {
  // What was chosen and typed goes back with a refusal, so the form is drawn as it was (without JavaScript too).
  create: createAction(
    async (f, event) =>
      (await api(event)).jobs.create({
        title: text(f, 'title'),
        descriptionHtml: text(f, 'descriptionHtml'),
        priorityCode: text(f, 'priorityCode'),
        jobTypeId: optional(f, 'jobTypeId'),
        // "new" is the property typed in below the search when the search found none: added along with the job.
        propertyId: f.get('propertyId') === 'new' ? undefined : text(f, 'propertyId'),
        newProperty:
          f.get('propertyId') === 'new'
            ? {
                line1: text(f, 'propertyLine1'),
                line2: text(f, 'propertyLine2'),
                town: text(f, 'propertyTown'),
                postcode: text(f, 'propertyPostcode'),
                branchId: text(f, 'propertyBranchId'),
              }
            : undefined,
        // "new" in the tenant picker means: create this tenant at the property along with the job.
        tenantId: f.get('tenantId') === 'new' ? undefined : optional(f, 'tenantId'),
        newTenant:
          f.get('tenantId') === 'new'
            ? { name: text(f, 'tenantName'), phone: text(f, 'tenantPhone'), email: text(f, 'tenantEmail') }
            : undefined,
      }),
    (id) => `/jobs/${id}?created=1`,
    // The description goes back into the editor as HTML: only what a saved description may contain.
    { echo: (values) => ({ ...values, descriptionHtml: sanitizeDescription(values.descriptionHtml ?? '') }) },
  ),
};
