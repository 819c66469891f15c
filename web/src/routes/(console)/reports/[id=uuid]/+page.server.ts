import { redirect } from '@sveltejs/kit';
import { api } from '#lib/server/api/caller.ts';
import { attempt, text, trimmed } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  return await (await api(event)).reports.get({ id: event.params.id });
};

export const actions: Actions = {
  convert: async (event) => {
    const f = await event.request.formData();
    const line1 = trimmed(f, 'line1');
    const outcome = await attempt(
      'convert',
      async () =>
        (await api(event)).reports.convert({
          id: event.params.id,
          title: text(f, 'title'),
          descriptionHtml: text(f, 'descriptionHtml'),
          priorityCode: text(f, 'priorityCode'),
          jobTypeId: text(f, 'jobTypeId'),
          newProperty: f.has('line1')
            ? { line1, town: trimmed(f, 'town'), postcode: trimmed(f, 'postcode') }
            : undefined,
        }),
      { form: f, names: { title: 'title', priorityCode: 'priority' } },
    );
    if (!('result' in outcome)) return outcome;
    redirect(303, `/jobs/${outcome.result.jobId}`);
  },
  merge: async (event) => {
    const f = await event.request.formData();
    const outcome = await attempt(
      'merge',
      async () => (await api(event)).reports.merge({ id: event.params.id, jobId: text(f, 'jobId') }),
      { form: f },
    );
    if (!('result' in outcome)) return outcome;
    redirect(303, `/jobs/${outcome.result.jobId}`);
  },
  close: async (event) => {
    const f = await event.request.formData();
    return attempt(
      'close',
      async () => (await api(event)).reports.close({ id: event.params.id, reason: text(f, 'reason') }),
      { form: f },
    );
  },
};
