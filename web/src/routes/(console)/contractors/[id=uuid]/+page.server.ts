import { api } from '#lib/server/api/caller.ts';
import { optional, orNotFound, run, text } from '#lib/components/directory/form.ts';
import { contractorFrom } from '#lib/components/directory/inputs.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const caller = await api(event);
  const [profile, options] = await Promise.all([
    orNotFound('Contractor', event.params.id, (id) => caller.contractors.get({ id })),
    caller.directory.options(),
  ]);
  const requiredCerts = [...new Set(options.jobTypes.flatMap((t) => t.requiredCertifications))].sort();
  return {
    ...profile,
    knownTrades: [...new Set(options.jobTypes.map((t) => t.trade))].sort(),
    requiredCerts,
    created: event.url.searchParams.has('created'),
  };
};

export const actions: Actions = {
  save: async (event) => {
    const f = await event.request.formData();
    return run('save', null, f, async () =>
      (await api(event)).contractors.save({ id: event.params.id, ...contractorFrom(f) }),
    );
  },
  cert: async (event) => {
    const f = await event.request.formData();
    const id = optional(f, 'id');
    return run('cert', id ?? 'new', f, async () =>
      (await api(event)).contractors.saveCertification({
        contractorId: event.params.id,
        id,
        name: text(f, 'name'),
        reference: text(f, 'reference'),
        expiresOn: text(f, 'expiresOn'),
      }),
    );
  },
  removeCert: async (event) => {
    const f = await event.request.formData();
    const id = text(f, 'id');
    return run('removeCert', id, f, async () =>
      (await api(event)).contractors.removeCertification({ contractorId: event.params.id, id }),
    );
  },
  contact: async (event) => {
    const f = await event.request.formData();
    const id = optional(f, 'id');
    return run('contact', id ?? 'new', f, async () =>
      (await api(event)).contractors.saveContact({
        contractorId: event.params.id,
        id,
        name: text(f, 'name'),
        role: text(f, 'role'),
        phone: text(f, 'phone'),
        email: text(f, 'email'),
      }),
    );
  },
  removeContact: async (event) => {
    const f = await event.request.formData();
    const id = text(f, 'id');
    return run('removeContact', id, f, async () =>
      (await api(event)).contractors.removeContact({ contractorId: event.params.id, id }),
    );
  },
};
