// Files and the command they came with are one outcome, over a real database and the embedded engine: a
// refused completion or note keeps none of its photos (posted with the form or uploaded by the page first),
// every upload path has the same 10-file cap, and a job only offered takes no files from the contractor (so a
// decline or a withdrawn offer leaves nothing of theirs behind).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachments } from '#db/schema/index.ts';
import { ukDay } from '#workflows/time.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { MAX_FILES_PER_UPLOAD } from '#lib/server/files/attachments.ts';
import { pageActions, provideTestRuntime } from '../support/actions.ts';
import { callerFor, contractorOf, staffOf } from '../support/callers.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { PNG_1PX } from '../support/files.ts';
import { createAgency } from '../support/fixtures.ts';

let database: TestDatabase;
let dir: string;
let fx: Awaited<ReturnType<typeof createAgency>>;

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'fettle-uploads-'));
  provideTestRuntime(database.db, dir);
  fx = await createAgency(database.db, 'Uploads Lettings');
});
afterAll(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

const pat = () => contractorOf(fx, 0);
const photo = (name: string) => new File([PNG_1PX], name, { type: 'image/png' });
const filesOn = async (jobId: string) =>
  (await database.db.select({ fileName: attachments.fileName }).from(attachments).where(eq(attachments.jobId, jobId)))
    .map((a) => a.fileName)
    .sort();

async function offeredJob() {
  const staff = callerFor(database.db, staffOf(fx));
  const { id } = await staff.jobs.create({ title: 'Dripping tap', priorityCode: 'P3', propertyId: fx.property.id });
  await staff.jobs.send({ id, command: { type: 'OFFER', contractorId: fx.contractors[0].id } });
  return id;
}

/** A multipart POST to a form action or endpoint: string fields and files, as the browser sends them. */
function request(fields: Record<string, string | string[]>, files: { name: string; file: File }[] = []) {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
  for (const { name, file } of files) body.append(name, file);
  return new Request('http://localhost/form', { method: 'POST', body });
}
type Handler = (event: unknown) => Promise<unknown>;
const portal = () => pageActions('portal/jobs/[id=uuid]');
const uploadRoute = new URL('../../web/src/routes/api/jobs/[id=uuid]/attachments/+server.ts', import.meta.url).pathname;
/** POST /api/jobs/[id=uuid]/attachments as `user`: the HTTP status (SvelteKit's `error` throws one). */
const uploadViaApi = async (user: SessionUser, jobId: string, files: File[]) => {
  const { POST } = (await import(/* @vite-ignore */ uploadRoute)) as { POST: Handler };
  return POST({
    params: { id: jobId },
    locals: { user },
    request: request(
      {},
      files.map((file) => ({ name: 'file', file })),
    ),
  }).then(
    (r) => (r as Response).status,
    (e: { status?: number }) => e.status ?? 500,
  );
};
const post = async (
  action: string,
  jobId: string,
  user: SessionUser,
  fields: Record<string, string | string[]>,
  files: File[] = [],
) =>
  (await portal())[action]!({
    params: { id: jobId },
    locals: { user },
    request: request(
      fields,
      files.map((file) => ({ name: 'file', file })),
    ),
  }) as Promise<{ status?: number; data?: { error: string; filesRemoved?: boolean }; ok?: boolean }>;

describe('uploads and the command they come with', () => {
  it('takes back the photos of a refused completion, posted with the form or uploaded by the page first', async () => {
    const jobId = await offeredJob();
    await callerFor(database.db, pat()).jobs.send({ id: jobId, command: { type: 'ACCEPT' } });
    expect(await uploadViaApi(pat(), jobId, [photo('uploaded-first.png')])).toBe(201);
    const [first] = await database.db.select().from(attachments).where(eq(attachments.jobId, jobId));

    // Not started, so the machine refuses the completion.
    const refused = await post('complete', jobId, pat(), { note: 'All done', attachmentIds: [first!.id] }, [
      photo('with-the-form.png'),
    ]);
    expect(refused.status).toBe(409);
    expect(refused.data).toMatchObject({ filesRemoved: true });
    expect(await filesOn(jobId)).toEqual([]);

    // Started, the same completion goes through and keeps its photo.
    await callerFor(database.db, pat()).jobs.send({ id: jobId, command: { type: 'START' } });
    expect(await post('complete', jobId, pat(), { note: 'All done' }, [photo('done.png')])).toMatchObject({ ok: true });
    expect(await filesOn(jobId)).toEqual(['done.png']);
  });

  it(`caps every upload path at ${MAX_FILES_PER_UPLOAD} files`, async () => {
    const jobId = await offeredJob();
    await callerFor(database.db, pat()).jobs.send({ id: jobId, command: { type: 'ACCEPT' } });
    await callerFor(database.db, pat()).jobs.send({ id: jobId, command: { type: 'START' } });
    const eleven = Array.from({ length: MAX_FILES_PER_UPLOAD + 1 }, (_, i) => photo(`p${i}.png`));
    const note = await post('note', jobId, pat(), { text: 'Lots of photos' }, eleven);
    expect(note.status).toBe(400);
    expect(note.data?.error).toBe(`Attach at most ${MAX_FILES_PER_UPLOAD} files at a time`);
    expect(await uploadViaApi(pat(), jobId, eleven)).toBe(400);
    expect(await filesOn(jobId)).toEqual([]);
  });

  it('takes no files from the contractor while the job is only offered, so declining leaves none behind', async () => {
    const jobId = await offeredJob();
    expect(await uploadViaApi(pat(), jobId, [photo('before-accepting.png')])).toBe(403);
    const note = await post('note', jobId, pat(), { text: 'Can I see it first?' }, [photo('offer-note.png')]);
    expect(note.status).toBe(403);
    await callerFor(database.db, pat()).jobs.send({ id: jobId, command: { type: 'DECLINE' } });
    expect(await filesOn(jobId)).toEqual([]);
    // Staff add files to any job in their agency.
    expect(await uploadViaApi(staffOf(fx), jobId, [photo('staff.png')])).toBe(201);
  });
});

describe("a contractor's invoice document", () => {
  const idOf = async (jobId: string, fileName: string) =>
    (
      await database.db
        .select({ id: attachments.id })
        .from(attachments)
        .where(and(eq(attachments.jobId, jobId), eq(attachments.fileName, fileName)))
    )[0]!.id;

  it("may be only the contractor's own upload to the job, never an agency-internal document", async () => {
    const jobId = await offeredJob();
    const caller = callerFor(database.db, pat());
    for (const type of ['ACCEPT', 'START'] as const) await caller.jobs.send({ id: jobId, command: { type } });
    await caller.jobs.send({ id: jobId, command: { type: 'COMPLETE', note: 'Washer replaced' } });
    expect(await uploadViaApi(staffOf(fx), jobId, [photo('landlord-quote.png')])).toBe(201);
    expect(await uploadViaApi(pat(), jobId, [photo('pat-invoice.png')])).toBe(201);
    const submit = (documentId: string) =>
      caller.portal.submitInvoice({
        jobId,
        number: `PAT-${documentId.slice(0, 8)}`,
        issuedOn: ukDay(new Date()),
        netPence: 5_000,
        vatPence: 1_000,
        documentId,
      });

    const agencys = await submit(await idOf(jobId, 'landlord-quote.png')).catch((e: unknown) => e);
    expect(agencys).toBeInstanceOf(TRPCError);
    expect(agencys).toMatchObject({ code: 'BAD_REQUEST', message: 'Upload the invoice document to this job first' });
    expect(await submit(await idOf(jobId, 'pat-invoice.png'))).toMatchObject({ invoice: { totalPence: 6_000 } });
  });
});
