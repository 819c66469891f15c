// A contractor's job: what they may see of it, and one form action per command. The engine decides;
// its refusal comes back to the form in its own words.
import { fail, redirect } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { api } from '#lib/server/api/caller.ts';
import type { CommandInput } from '#lib/server/api/commands.ts';
import { saveUploads, takeBackUploads, uploaderOf } from '#lib/server/files/attachments.ts';
import { jobForRequest } from '#lib/server/files/request.ts';
import { attempt, definitelyRefused, files, optional, orNotFound, refuse, text, toFailure } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

// Not yours and not there look the same.
export const load: PageServerLoad = async (event) =>
  orNotFound('Job', (await api(event)).portal.job({ id: event.params.id }));

/** The commands' fields as the forms name them, for refusals of bad input. */
const FIELDS = { text: 'note', note: 'completion note', reason: 'reason' };

/**
 * One command with the photos it carries: those the page already uploaded (ids) and files posted with the form
 * when JavaScript is off (stored here, under the same cap and rule as every upload: `saveUploads`). Files and
 * command are one outcome: a command refused takes back its files, the page's uploads included, so a refused
 * completion or note leaves nothing of its own on the job. The page then starts its uploader empty (`filesRemoved`).
 */
const send =
  (name: string, build: (f: FormData, ids: string[]) => CommandInput): Actions[string] =>
  async (event) => {
    const f = await event.request.formData();
    const posted = files(f, 'file');
    const ids = f.getAll('attachmentIds').map(String).filter(Boolean);
    const send = () =>
      attempt(name, async () => (await api(event)).jobs.send({ id: event.params.id, command: build(f, ids) }), {
        names: FIELDS,
      });
    // A command without files (Start, a plain note) is only the command.
    if (posted.length === 0 && ids.length === 0) return send();
    const uploadedBy = uploaderOf(event.locals.user!);
    const { runtime, job, store, scope } = await jobForRequest(event, event.params.id);
    const stored = await attempt(name, () =>
      saveUploads(runtime.db, store, { scope, job, uploadedBy, files: posted, kind: 'photo' }),
    );
    if (!('ok' in stored)) return stored;
    ids.push(...stored.result.map((a) => a.id));
    const sent = await send();
    if ('ok' in sent || !definitelyRefused(sent)) return sent;
    await takeBackUploads(runtime.db, store, ids, uploadedBy);
    return fail(sent.status, {
      ...sent.data,
      error: `${sent.data.error} The photos sent with it were not kept.`,
      filesRemoved: true as const,
    });
  };

/** The machine refused the answer because the job is already this contractor's (they accepted it). */
const alreadyAccepted = (e: unknown, accepted: boolean) => e instanceof TRPCError && e.code === 'CONFLICT' && accepted;

export const actions: Actions = {
  // A second tap on Accept (or the form sent twice) finds the job already accepted: that is done, not a refusal.
  accept: async (event) => {
    const caller = await api(event);
    try {
      await caller.jobs.send({ id: event.params.id, command: { type: 'ACCEPT' } });
    } catch (e) {
      const accepted = await caller.portal.job({ id: event.params.id }).then(
        (j) => j.assignedToMe,
        () => false,
      );
      if (!alreadyAccepted(e, accepted)) return toFailure('accept', e, { names: FIELDS });
    }
    return { action: 'accept', ok: true as const };
  },
  // Once declined the job is no longer the contractor's to see, so the answer is the jobs list, not this page.
  decline: async (event) => {
    const f = await event.request.formData();
    const caller = await api(event);
    let reference: string;
    let accepted = false;
    try {
      ({
        job: { reference },
        assignedToMe: accepted,
      } = await caller.portal.job({ id: event.params.id }));
      await caller.jobs.send({
        id: event.params.id,
        command: { type: 'DECLINE', reason: optional(f, 'reason') },
      });
    } catch (e) {
      if (alreadyAccepted(e, accepted))
        return refuse(
          'decline',
          'You accepted this job, so it is yours. If you cannot do it after all, call the agency.',
          { code: 'CONFLICT' },
        );
      return toFailure('decline', e, { names: FIELDS });
    }
    redirect(303, `/portal/jobs?declined=${encodeURIComponent(reference)}`);
  },
  start: send('start', () => ({ type: 'START' })),
  note: send('note', (f, ids) => ({
    type: 'ADD_NOTE',
    text: text(f, 'text'),
    attachmentIds: ids.length ? ids : undefined,
  })),
  complete: send('complete', (f, ids) => ({
    type: 'COMPLETE',
    note: text(f, 'note'),
    attachmentIds: ids.length ? ids : undefined,
  })),
};
