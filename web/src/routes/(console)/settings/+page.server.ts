import { api } from '#lib/server/api/caller.ts';
import { percentToBp } from '#lib/server/directory-inputs.ts';
import {
  checked,
  editedRow,
  formAction,
  isAdmin,
  list,
  num,
  optional,
  perField,
  removedRow,
  text,
} from '#lib/server/forms.ts';
import { logoUrl, removeAgencyLogo, saveAgencyLogo } from '#lib/server/files/logo.ts';
import { diskStore } from '#lib/server/files/storage.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
import type { Actions, PageServerLoad } from './$types';

/** The database and the file store the logo goes to. */
async function files() {
  const runtime = await useRuntime();
  return { db: runtime.db, store: diskStore(runtime.env.DATA_DIR) };
}

export const load: PageServerLoad = async (event) => {
  const caller = await api(event);
  const admin = isAdmin(event.locals.user);
  const [settings, gettingStarted] = await Promise.all([
    caller.settings.get(),
    admin ? caller.settings.gettingStarted() : null,
  ]);
  const { logoStorageKey, logoUpdatedAt, ...agency } = settings.agency;
  return {
    ...settings,
    agency,
    logoUrl: logoStorageKey ? logoUrl(agency.id, logoUpdatedAt) : null,
    gettingStarted,
    isAdmin: admin,
  };
};

export const actions: Actions = {
  /** A new logo (multipart `logo`), replacing any it had: admins only, PNG or JPEG, sniffed and read in full. */
  logo: formAction('logo', async (f, event) => {
    const { db, store } = await files();
    const file = f.get('logo');
    return saveAgencyLogo(db, store, event.locals.user, file instanceof File && file.size > 0 ? file : null);
  }),

  removeLogo: formAction('removeLogo', async (_f, event) => {
    const { db, store } = await files();
    return { removed: await removeAgencyLogo(db, store, event.locals.user) };
  }),

  agency: formAction(
    'agency',
    async (f, event) =>
      (await api(event)).settings.updateAgency({
        name: text(f, 'name'),
        phone: text(f, 'phone'),
        email: text(f, 'email'),
        address: text(f, 'address'),
        vatNumber: text(f, 'vatNumber'),
        emailSenderName: text(f, 'emailSenderName'),
        // Unreadable VAT still goes to the API, as NaN, which it refuses before writing anything: so the
        // other fields are checked in the same round and every mistake is shown at once.
        vatRateBp: percentToBp(text(f, 'vatPercent')) ?? NaN,
        portalEnabled: checked(f, 'portalEnabled'),
        shareTenantContact: checked(f, 'shareTenantContact'),
        offerReminderHours: num(f, 'offerReminderHours') as number,
        offerEscalationHours: num(f, 'offerEscalationHours') as number,
        invoiceReminderHours: num(f, 'invoiceReminderHours') as number,
        invoiceReminderRepeatHours: num(f, 'invoiceReminderRepeatHours') as number,
        invoiceReminderLimit: num(f, 'invoiceReminderLimit') as number,
      }),
    (f) => ({
      ...perField()(f),
      // The API saw a number, not what was typed: the VAT message says what a percentage looks like.
      messages:
        percentToBp(text(f, 'vatPercent')) === null
          ? { vatRateBp: 'Enter VAT as a percentage, e.g. 20 or 17.5' }
          : undefined,
    }),
  ),

  branch: formAction(
    'branch',
    async (f, event) =>
      (await api(event)).settings.saveBranch({
        id: optional(f, 'id'),
        name: text(f, 'name'),
        phone: text(f, 'phone'),
        email: text(f, 'email'),
        address: text(f, 'address'),
      }),
    perField(editedRow),
  ),

  deleteBranch: formAction(
    'deleteBranch',
    async (f, event) => (await api(event)).settings.deleteBranch({ id: removedRow(f) }),
    perField(removedRow),
  ),

  deleteJobType: formAction(
    'deleteJobType',
    async (f, event) => (await api(event)).settings.deleteJobType({ id: removedRow(f) }),
    perField(removedRow),
  ),

  deletePriority: formAction(
    'deletePriority',
    async (f, event) => (await api(event)).settings.deletePriority({ id: removedRow(f) }),
    perField(removedRow),
  ),

  jobType: formAction(
    'jobType',
    async (f, event) =>
      (await api(event)).settings.saveJobType({
        id: optional(f, 'id'),
        code: text(f, 'code'),
        name: text(f, 'name'),
        trade: text(f, 'trade'),
        requiredCertifications: list(f, 'requiredCertifications'),
      }),
    perField(editedRow),
  ),

  priority: formAction(
    'priority',
    async (f, event) =>
      (await api(event)).settings.savePriority({
        id: optional(f, 'id'),
        code: text(f, 'code'),
        name: text(f, 'name'),
        targetHours: num(f, 'targetHours') as number,
        warnAtPercent: list(f, 'warnAtPercent').map(Number),
        sortOrder: num(f, 'sortOrder') ?? 0,
      }),
    perField(editedRow),
  ),
};
