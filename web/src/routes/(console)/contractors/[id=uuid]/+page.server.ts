import { api } from '#lib/server/api/caller.ts';
import { contractorFrom } from '#lib/server/directory-inputs.ts';
import { editedRow, formAction, optional, orNotFound, perField, removedRow, text } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const caller = await api(event);
  const [profile, options] = await Promise.all([
    orNotFound('Contractor', caller.contractors.get({ id: event.params.id })),
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
  save: formAction(
    'save',
    async (f, event) => (await api(event)).contractors.save({ id: event.params.id, ...contractorFrom(f) }),
    perField(),
  ),
  cert: formAction(
    'cert',
    async (f, event) =>
      (await api(event)).contractors.saveCertification({
        contractorId: event.params.id,
        id: optional(f, 'id'),
        name: text(f, 'name'),
        reference: text(f, 'reference'),
        expiresOn: text(f, 'expiresOn'),
      }),
    perField(editedRow),
  ),
  removeCert: formAction(
    'removeCert',
    async (f, event) =>
      (await api(event)).contractors.removeCertification({ contractorId: event.params.id, id: text(f, 'id') }),
    perField(removedRow),
  ),
  contact: formAction(
    'contact',
    async (f, event) =>
      (await api(event)).contractors.saveContact({
        contractorId: event.params.id,
        id: optional(f, 'id'),
        name: text(f, 'name'),
        role: text(f, 'role'),
        phone: text(f, 'phone'),
        email: text(f, 'email'),
      }),
    perField(editedRow),
  ),
  removeContact: formAction(
    'removeContact',
    async (f, event) =>
      (await api(event)).contractors.removeContact({ contractorId: event.params.id, id: text(f, 'id') }),
    perField(removedRow),
  ),
};
