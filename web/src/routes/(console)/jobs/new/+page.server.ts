import { fail, redirect } from '@sveltejs/kit';
import { api } from '#lib/server/api/caller.ts';
import { FIND_PROPERTIES_MAX } from '#lib/server/api/routers/directory.ts';
import { toFailure } from '#lib/server/forms.ts';
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
  create: async (event) => {
    const f = await event.request.formData();
    const optional = (k: string) => (f.get(k) ? String(f.get(k)) : undefined);
    let created;
    try {
      created = await (
        await api(event)
      ).jobs.create({
        title: String(f.get('title') ?? ''),
        descriptionHtml: String(f.get('descriptionHtml') ?? ''),
        priorityCode: String(f.get('priorityCode') ?? ''),
        jobTypeId: optional('jobTypeId'),
        propertyId: String(f.get('propertyId') ?? ''),
        // "new" in the tenant picker means: create this tenant at the property along with the job.
        tenantId: f.get('tenantId') === 'new' ? undefined : optional('tenantId'),
        newTenant:
          f.get('tenantId') === 'new'
            ? {
                name: String(f.get('tenantName') ?? ''),
                phone: String(f.get('tenantPhone') ?? ''),
                email: String(f.get('tenantEmail') ?? ''),
              }
            : undefined,
      });
    } catch (e) {
      const refused = toFailure('create', e);
      // What was chosen and typed goes back with the refusal, so the form is drawn as it was (without JavaScript too).
      const values: Record<string, string> = {};
      for (const [k, v] of f) if (typeof v === 'string') values[k] = v;
      return fail(refused.status, { ...refused.data, values });
    }
    redirect(303, `/jobs/${created.id}?created=1`);
  },
};
