import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { randomUUID } from 'node:crypto';
import { api } from '#lib/server/api/caller.ts';
import { attempt } from '#lib/server/forms.ts';
import type { CommandInput } from '#lib/server/api/commands.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const caller = await api(event);
  try {
    const detail = await caller.jobs.get({ id: event.params.id });
    const [candidates, options] = await Promise.all([
      detail.allowed.includes('OFFER') ? caller.contractors.candidates({ jobId: detail.job.id }) : Promise.resolve(null),
      caller.directory.options(),
    ]);
    return { ...detail, candidates, priorities: options.priorities, paymentKey: randomUUID(), created: event.url.searchParams.has('created') };
  } catch (e) {
    if (e instanceof TRPCError && e.code === 'NOT_FOUND') error(404, 'Job not found');
    throw e;
  }
};

/** Each form posts one command; the engine decides, and its reason comes back to the form. */
const send = (name: string, build: (f: FormData) => CommandInput): Actions[string] =>
  async (event) => {
    const f = await event.request.formData();
    return attempt(name, async () => (await api(event)).jobs.send({ id: event.params.id, command: build(f) }));
  };

const str = (f: FormData, k: string) => String(f.get(k) ?? '');

export const actions: Actions = {
  offer: send('offer', (f) => ({ type: 'OFFER', contractorId: str(f, 'contractorId'), acknowledgeMissingCertification: f.get('acknowledge') === 'on' })),
  note: send('note', (f) => ({ type: 'ADD_NOTE', text: str(f, 'text') })),
  close: send('close', () => ({ type: 'CLOSE' })),
  recall: send('recall', (f) => ({ type: 'RECALL', reason: str(f, 'reason') })),
  cancel: send('cancel', (f) => ({ type: 'CANCEL', reason: str(f, 'reason') })),
  priority: send('priority', (f) => ({ type: 'CHANGE_PRIORITY', priorityCode: str(f, 'priorityCode') })),
};
