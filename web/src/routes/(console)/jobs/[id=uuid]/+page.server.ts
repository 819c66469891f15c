import { api } from '#lib/server/api/caller.ts';
import type { CommandInput } from '#lib/server/api/commands.ts';
import { saveUploads, takeBackUploads, uploaderOf } from '#lib/server/files/attachments.ts';
import { jobForRequest } from '#lib/server/files/request.ts';
import {
  attempt,
  definitelyRefused,
  type FieldNames,
  files,
  formAction,
  optional,
  refuse,
  text,
} from '#lib/server/forms.ts';
import { machineGraph } from '#lib/server/job-graph.ts';
import type { JobStatus } from '#workflows/model.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { detail } = await event.parent();
  const caller = await api(event);
  const [candidates, options] = await Promise.all([
    detail.allowed.includes('OFFER') ? caller.contractors.candidates({ jobId: detail.job.id }) : Promise.resolve(null),
    caller.directory.options(),
  ]);
  return {
    candidates,
    priorities: options.priorities,
    graph: machineGraph(),
    created: event.url.searchParams.has('created'),
  };
};

/** The commands' fields in the forms' words, for bad input ("Keep the note to 5000 characters", not "the text"). */
const FIELDS: FieldNames = { text: 'note', priorityCode: 'priority', contractorId: 'contractor' };

/** Each form posts one command; the engine decides, and its reason comes back to the form. */
const send = (name: string, build: (f: FormData) => CommandInput): Actions[string] =>
  formAction(name, async (f, event) => (await api(event)).jobs.send({ id: event.params.id, command: build(f) }), {
    names: FIELDS,
  });

/** The job's status as the form showed it; the API checks it is one (a form without it sends none). */
const seen = (f: FormData) => (f.get('seenStatus') ? (text(f, 'seenStatus') as JobStatus) : undefined);

export const actions: Actions = {
  offer: send('offer', (f) => ({
    type: 'OFFER',
    contractorId: text(f, 'contractorId'),
    acknowledgeMissingCertification: f.get('acknowledge') === 'on',
  })),
  /** A case note with optional photos or documents: files are stored first, then the note cites them.
   * Notes are internal unless staff tick "Share with the contractor" (the portal then shows it and its files). */
  note: async (event) => {
    const f = await event.request.formData();
    const attached = files(f, 'files');
    const note = text(f, 'text').trim();
    if (!note && attached.length === 0) return refuse('note', 'Write a note or attach a file');
    const { runtime, job, store, scope } = await jobForRequest(event, event.params.id);
    const uploadedBy = uploaderOf(event.locals.user!);
    const stored = await attempt('note', () =>
      saveUploads(runtime.db, store, { scope, job, uploadedBy, files: attached }),
    );
    if (!('ok' in stored)) return stored;
    const attachmentIds = stored.result.map((a) => a.id);
    const sent = await attempt(
      'note',
      async () =>
        (await api(event)).jobs.send({
          id: event.params.id,
          command: {
            type: 'ADD_NOTE',
            text: note || `Attached ${attached.map((x) => x.name).join(', ')}`,
            attachmentIds,
            shareWithContractor: f.get('shareWithContractor') === 'on',
          },
        }),
      { names: FIELDS },
    );
    // A note the engine refuses takes back the files it stored.
    if (!('ok' in sent) && definitelyRefused(sent)) await takeBackUploads(runtime.db, store, attachmentIds, uploadedBy);
    return sent;
  },
  // Each carries the status the page showed, so a decision raced by a colleague's is refused, not applied too.
  close: send('close', (f) => ({ type: 'CLOSE', seenStatus: seen(f) })),
  recall: send('recall', (f) => ({ type: 'RECALL', reason: text(f, 'reason'), seenStatus: seen(f) })),
  cancel: send('cancel', (f) => ({ type: 'CANCEL', reason: text(f, 'reason'), seenStatus: seen(f) })),
  priority: send('priority', (f) => ({ type: 'CHANGE_PRIORITY', priorityCode: text(f, 'priorityCode') })),
  /** Admins: the deadline the page showed (its key) falls due now; refused if another has become next meanwhile. */
  advance: send('advance', (f) => ({ type: 'ADVANCE_DEADLINE', key: optional(f, 'key')?.trim() })),
};
