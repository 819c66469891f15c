// A contractor's job: what they may see of it, and one form action per command. The engine decides;
// its refusal comes back to the form in its own words.
import { error } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { api } from '#lib/server/api/caller.ts';
import type { CommandInput } from '#lib/server/api/commands.ts';
import { saveUploads, takeBackUploads, UploadRejected } from '#lib/server/files/attachments.ts';
import { jobForRequest } from '#lib/server/files/request.ts';
import { attempt, definitelyRefused, toFailure } from '#lib/server/forms.ts';
import { actorOf } from '#lib/server/auth/user.ts';
import type { Actions, PageServerLoad } from './$types';
import { fail, redirect } from '@sveltejs/kit';

export const load: PageServerLoad = async (event) => {
  try {
    return await (await api(event)).portal.job({ id: event.params.id });
  } catch (e) {
    // Not yours and not there look the same.
    if (e instanceof TRPCError && (e.code === 'NOT_FOUND' || e.code === 'BAD_REQUEST')) error(404, 'Job not found');
    throw e;
  }
};

const str = (f: FormData, k: string) => String(f.get(k) ?? '');
/** The commands' fields as the forms name them, for refusals of bad input. */
const FIELDS = { text: 'note', note: 'completion note', reason: 'reason' };

const UPLOAD_CODES = { 400: 'BAD_REQUEST', 403: 'FORBIDDEN', 415: 'UNSUPPORTED_MEDIA_TYPE' } as const;

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
    const files = f.getAll('file').filter((x): x is File => x instanceof File && x.size > 0);
    const ids = f.getAll('attachmentIds').map(String).filter(Boolean);
    const send = () =>
      attempt(name, async () => (await api(event)).jobs.send({ id: event.params.id, command: build(f, ids) }), FIELDS);
    // A command without files (Start, a plain note) is only the command.
    if (files.length === 0 && ids.length === 0) return send();
    const who = actorOf(event.locals.user!);
    const uploadedBy = `${who.role}:${who.id}`;
    const { runtime, job, store, scope } = await jobForRequest(event, event.params.id);
    try {
      ids.push(
        ...(await saveUploads(runtime.db, store, { scope, job, uploadedBy, files, kind: 'photo' })).map((a) => a.id),
      );
    } catch (e) {
      if (e instanceof UploadRejected)
        return fail(e.status, { action: name, ok: false as const, error: e.message, code: UPLOAD_CODES[e.status] });
      throw e;
    }
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
      if (!alreadyAccepted(e, accepted)) return toFailure('accept', e, FIELDS);
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
        command: { type: 'DECLINE', reason: str(f, 'reason') || undefined },
      });
    } catch (e) {
      if (alreadyAccepted(e, accepted))
        return fail(409, {
          action: 'decline',
          ok: false as const,
          error: 'You accepted this job, so it is yours. If you cannot do it after all, call the agency.',
          code: 'CONFLICT',
        });
      return toFailure('decline', e, FIELDS);
    }
    redirect(303, `/portal/jobs?declined=${encodeURIComponent(reference)}`);
  },
  start: send('start', () => ({ type: 'START' })),
  note: send('note', (f, ids) => ({
    type: 'ADD_NOTE',
    text: str(f, 'text'),
    attachmentIds: ids.length ? ids : undefined,
  })),
  complete: send('complete', (f, ids) => ({
    type: 'COMPLETE',
    note: str(f, 'note'),
    attachmentIds: ids.length ? ids : undefined,
  })),
};
