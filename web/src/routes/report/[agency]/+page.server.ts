// The public report page of one agency (/report/<agency>, or /report/<agency>?property=<id> from a link the
// agency gives a home's tenants): no sign-in. The tenant finds their home by postcode among the agency's
// properties (first lines only), says what is wrong, adds photos and sends; the report waits for the code
// emailed to them (confirm/[id]). "I fixed it myself" records what helped instead.
import { randomUUID } from 'node:crypto';
import { error, fail, redirect } from '@sveltejs/kit';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { properties } from '#db/schema/index.ts';
import { CATEGORY_LABELS, FIRST_AID, GAS_INSTRUCTION, REPORT_CATEGORIES } from '#workflows/report-rules.ts';
import { getAuthService } from '#lib/server/auth/instance.ts';
import { diskStore } from '#lib/server/files/storage.ts';
import {
  addressChoices,
  agencyBySlug,
  formFields,
  recordSelfFix,
  ReportRefused,
  submitReport,
} from '#lib/server/reports/public.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
import type { Actions, PageServerLoad } from './$types';

async function agencyOf(slug: string) {
  const { db } = await useRuntime();
  const agency = await agencyBySlug(db, slug);
  if (!agency) error(404, 'There is no report page at this address. Check the link your agency gave you.');
  return { db, agency };
}

export const load: PageServerLoad = async ({ params, url }) => {
  const { db, agency } = await agencyOf(params.agency);
  // A link for one home: its first line only, as the postcode lookup would offer it.
  const linked = z.uuid().safeParse(url.searchParams.get('property'));
  const [home] = linked.success
    ? await db
        .select({ id: properties.id, label: properties.line1, postcode: properties.postcode })
        .from(properties)
        .where(and(eq(properties.id, linked.data), eq(properties.agencyId, agency.id)))
    : [];
  return {
    agency: { name: agency.name, slug: agency.slug, phone: agency.phone },
    // One key per visit to the page: sending twice (a double tap, a retry) is still one report.
    key: randomUUID(),
    home: home ?? null,
    categories: REPORT_CATEGORIES.map((c) => ({ value: c, label: CATEGORY_LABELS[c] })),
    firstAid: FIRST_AID,
    gasInstruction: GAS_INSTRUCTION,
  };
};

const refused = (action: string, e: unknown, values: Record<string, string>) => {
  if (!(e instanceof ReportRefused)) throw e;
  return fail(e.status, { action, error: e.message, values });
};

export const actions: Actions = {
  /** Postcode → the agency's homes there, by first line. */
  lookup: async ({ params, request }) => {
    const { db, agency } = await agencyOf(params.agency);
    const values = formFields(await request.formData());
    try {
      const { postcode, choices } = await addressChoices(db, agency.id, values.postcode ?? '');
      return { action: 'lookup', postcode, choices, values: { ...values, postcode } };
    } catch (e) {
      return refused('lookup', e, values);
    }
  },

  submit: async ({ params, request, url }) => {
    const { agency } = await agencyOf(params.agency);
    const { env } = await useRuntime();
    const { db, mailer, origin } = await getAuthService();
    const form = await request.formData();
    const values = formFields(form);
    const files = form.getAll('photos').filter((f): f is File => f instanceof File && f.size > 0);
    let id: string;
    try {
      ({ id } = await submitReport(db, mailer, diskStore(env.DATA_DIR), {
        agency,
        fields: values,
        files,
        origin: origin ?? url.origin,
        now: new Date(),
      }));
    } catch (e) {
      return refused('submit', e, values);
    }
    redirect(303, `/report/${agency.slug}/confirm/${id}`);
  },

  /** "I fixed it myself", with what helped. */
  fixed: async ({ params, request }) => {
    const { db, agency } = await agencyOf(params.agency);
    const values = formFields(await request.formData());
    try {
      await recordSelfFix(db, { agency, fields: values, now: new Date() });
    } catch (e) {
      return refused('fixed', e, values);
    }
    return { action: 'fixed', fixed: true, values };
  },
};
