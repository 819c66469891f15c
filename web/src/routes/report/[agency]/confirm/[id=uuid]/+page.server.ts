// Confirming a report with the code emailed to the tenant (the email's link fills the code in). Until then the
// report is not in the agency's inbox. Shows nothing of the report but its category and the address's shape.
import { error, fail } from '@sveltejs/kit';
import { CATEGORY_LABELS, GAS_INSTRUCTION } from '#workflows/report-rules.ts';
import { text } from '#lib/server/forms.ts';
import { agencyBySlug, confirmReport, reportForConfirming, ReportRefused } from '#lib/server/reports/public.ts';
import { useRuntime } from '#worker/runtime-registry.ts';
import type { Actions, PageServerLoad } from './$types';

async function reportOf(slug: string, id: string) {
  const { db } = await useRuntime();
  const agency = await agencyBySlug(db, slug);
  const report = agency ? await reportForConfirming(db, agency.id, id) : null;
  if (!agency || !report) error(404, 'We cannot find that report. Send it again from the report page.');
  return { db, agency, report };
}

export const load: PageServerLoad = async ({ params, url }) => {
  const { agency, report } = await reportOf(params.agency, params.id);
  return {
    agency: { name: agency.name, slug: agency.slug, phone: agency.phone },
    report: { ...report, categoryLabel: CATEGORY_LABELS[report.category] },
    gasInstruction: report.category === 'gas' ? GAS_INSTRUCTION : null,
    code: /^\d{6}$/.test(url.searchParams.get('code') ?? '') ? url.searchParams.get('code') : '',
  };
};

export const actions: Actions = {
  default: async ({ params, request }) => {
    const { db, agency } = await reportOf(params.agency, params.id);
    const code = text(await request.formData(), 'code');
    try {
      await confirmReport(db, { agencyId: agency.id, id: params.id, code, now: new Date() });
    } catch (e) {
      if (!(e instanceof ReportRefused)) throw e;
      return fail(e.status, { error: e.message, code });
    }
    return { confirmed: true };
  },
};
