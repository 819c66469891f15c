import { api } from '#lib/server/api/caller.ts';
import { checked, failure, isAdmin, list, num, optional, run, text } from '#lib/components/directory/form.ts';
import { percentToBp } from '#lib/components/directory/inputs.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const settings = await (await api(event)).settings.get();
  return { ...settings, isAdmin: isAdmin(event.locals.user) };
};

export const actions: Actions = {
  agency: async (event) => {
    const f = await event.request.formData();
    const vatRateBp = percentToBp(text(f, 'vatPercent'));
    const result = await run('agency', null, f, async () =>
      (await api(event)).settings.updateAgency({
        name: text(f, 'name'),
        phone: text(f, 'phone'),
        email: text(f, 'email'),
        // Unreadable VAT still goes to the API, as NaN, which it refuses before writing anything: so the
        // other fields are checked in the same round and every mistake is shown at once.
        vatRateBp: vatRateBp ?? NaN,
        portalEnabled: checked(f, 'portalEnabled'),
        shareTenantContact: checked(f, 'shareTenantContact'),
        offerReminderHours: num(f, 'offerReminderHours') as number,
        offerEscalationHours: num(f, 'offerEscalationHours') as number,
        invoiceReminderHours: num(f, 'invoiceReminderHours') as number,
        invoiceReminderRepeatHours: num(f, 'invoiceReminderRepeatHours') as number,
        invoiceReminderLimit: num(f, 'invoiceReminderLimit') as number,
      }),
    );
    if (vatRateBp !== null || !('data' in result) || result.status !== 400) return result;
    // The API saw a number, not what was typed: the VAT message says what a percentage looks like.
    return failure(
      'agency',
      null,
      f,
      'Please correct the highlighted fields.',
      { ...result.data.fieldErrors, vatRateBp: ['Enter VAT as a percentage, e.g. 20 or 17.5'] },
      result.status,
    );
  },

  branch: async (event) => {
    const f = await event.request.formData();
    const id = optional(f, 'id');
    return run('branch', id ?? 'new', f, async () =>
      (await api(event)).settings.saveBranch({
        id,
        name: text(f, 'name'),
        phone: text(f, 'phone'),
        email: text(f, 'email'),
        address: text(f, 'address'),
      }),
    );
  },

  deleteBranch: async (event) => {
    const f = await event.request.formData();
    const id = text(f, 'id');
    return run('deleteBranch', id, f, async () => (await api(event)).settings.deleteBranch({ id }));
  },

  deleteJobType: async (event) => {
    const f = await event.request.formData();
    const id = text(f, 'id');
    return run('deleteJobType', id, f, async () => (await api(event)).settings.deleteJobType({ id }));
  },

  deletePriority: async (event) => {
    const f = await event.request.formData();
    const id = text(f, 'id');
    return run('deletePriority', id, f, async () => (await api(event)).settings.deletePriority({ id }));
  },

  jobType: async (event) => {
    const f = await event.request.formData();
    const id = optional(f, 'id');
    return run('jobType', id ?? 'new', f, async () =>
      (await api(event)).settings.saveJobType({
        id,
        code: text(f, 'code'),
        name: text(f, 'name'),
        trade: text(f, 'trade'),
        requiredCertifications: list(f, 'requiredCertifications'),
      }),
    );
  },

  priority: async (event) => {
    const f = await event.request.formData();
    const id = optional(f, 'id');
    return run('priority', id ?? 'new', f, async () =>
      (await api(event)).settings.savePriority({
        id,
        code: text(f, 'code'),
        name: text(f, 'name'),
        targetHours: num(f, 'targetHours') as number,
        warnAtPercent: list(f, 'warnAtPercent').map(Number),
        sortOrder: num(f, 'sortOrder') ?? 0,
      }),
    );
  },
};
