// The one way pages answer the API's refusals (web/src/lib/server/forms.ts): every code has the status tRPC itself
// gives it over HTTP, on forms and pages alike, and bad input comes back as sentences naming each field.
import { isHttpError } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { attempt, pounds, refuse, toFailure, toHttpError, validInput } from '#lib/server/forms.ts';

const CODES = Object.keys(TRPC_ERROR_CODES_BY_KEY) as TRPC_ERROR_CODE_KEY[];
const REFUSALS = CODES.filter((c) => c !== 'INTERNAL_SERVER_ERROR');

/** What `run` threw, or undefined. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  return undefined;
}

const schema = z.object({
  title: z.string().trim().min(3, 'Give the job a short title'),
  text: z.string().max(5),
  agentNetPence: z.number().int().max(100),
  line1: z.string().min(1),
});
/** The API's answer to bad input: BAD_REQUEST with zod's error as the cause, as tRPC's input parser throws it. */
function invalid(input: unknown) {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error('expected bad input');
  return new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error });
}
const BAD = { title: 'ab', text: 'too long', agentNetPence: 1.5, line1: '' };

describe('a refusal on a form', () => {
  it.each(REFUSALS)('%s has the status tRPC gives it, and the shape every form reads', (code) => {
    const e = new TRPCError({ code, message: `Refused: ${code}` });
    const failure = toFailure('save', e);
    expect(failure.status).toBe(getHTTPStatusCodeFromError(e));
    expect(failure.data).toEqual({
      action: 'save',
      ok: false,
      error: `Refused: ${code}`,
      code,
      key: null,
      fieldErrors: {},
      values: {},
    });
  });

  it('is never a fault: an internal error, or anything not a refusal, goes on to the error page', () => {
    const fault = new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'relation "jobs" does not exist' });
    expect(thrown(() => toFailure('save', fault))).toBe(fault);
    const bug = new TypeError('x is undefined');
    expect(thrown(() => toFailure('save', bug))).toBe(bug);
  });

  it('says bad input in sentences naming each field, in the form’s words where it has its own', () => {
    const failure = toFailure('raise', invalid(BAD), { names: { agentNetPence: 'agent price ex VAT', text: 'note' } });
    expect(failure.status).toBe(400);
    expect(failure.data.code).toBe('BAD_REQUEST');
    expect(failure.data.error).toBe(
      'Give the job a short title. Keep the note to 5 characters. The agent price ex VAT must be a whole number. ' +
        'Enter the first line of the address',
    );
    expect(failure.data.error).not.toMatch(/Too small|Too big|expected|invalid_/);
    // A form that shows only the top line is not sent the API's field names at all.
    expect(failure.data.fieldErrors).toEqual({});
    expect(toFailure('save', invalid(BAD), { besideFields: true }).data.fieldErrors).toEqual({
      title: ['Give the job a short title'],
      text: ['Keep the text to 5 characters'],
      agentNetPence: ['The agent net must be a whole number'],
      line1: ['Enter the first line of the address'],
    });
  });

  it('on a form that shows problems beside the fields, says only to correct them at the top, with what was typed', () => {
    const form = new FormData();
    form.set('title', 'ab');
    form.append('trades', 'plumbing');
    form.append('trades', 'gas');
    form.set('photo', new File(['x'], 'x.png'));
    const failure = toFailure('cert', invalid(BAD), {
      key: 'new',
      form,
      besideFields: true,
      messages: { agentNetPence: 'Enter the amount in pounds', line2: 'never said: the API did not mention it' },
    });
    expect(failure.data).toMatchObject({
      action: 'cert',
      key: 'new',
      error: 'Please correct the highlighted fields.',
      values: { title: 'ab', trades: 'plumbing, gas' },
    });
    expect(failure.data.fieldErrors.agentNetPence).toEqual(['Enter the amount in pounds']);
    expect(failure.data.fieldErrors).not.toHaveProperty('line2');
    expect(failure.data.values).not.toHaveProperty('photo');
  });

  it("refuses in the action's own words with the same shape and statuses", () => {
    expect(refuse('note', 'Write a note or attach a file')).toMatchObject({
      status: 400,
      data: { action: 'note', ok: false, error: 'Write a note or attach a file', code: 'BAD_REQUEST' },
    });
    expect(refuse('revoke', 'Invitation not found.', { code: 'NOT_FOUND' }).status).toBe(404);
  });

  it('checks input against the API’s own schema inside an action, refused as the API would refuse it', async () => {
    const refused = await attempt('submit', () => Promise.resolve(validInput(schema, BAD)), {
      names: { text: 'note' },
      values: { title: 'ab' },
    });
    expect(refused).toMatchObject({ status: 400, data: { code: 'BAD_REQUEST', values: { title: 'ab' } } });
    expect('data' in refused && refused.data.error).toContain('Keep the note to 5 characters');
    const money = new FormData();
    money.set('net', 'lots');
    expect(
      await attempt('submit', () =>
        Promise.resolve(pounds(money, { required: ['net'] }, () => 'Enter the net in pounds')),
      ),
    ).toMatchObject({ status: 400, data: { error: 'Enter the net in pounds', code: 'BAD_REQUEST' } });
    money.set('net', '£1,234.5');
    expect(pounds(money, { required: ['net'], optional: ['vat'] }, () => '')).toEqual({ net: 123450 });
  });

  it('answers success with the action and row it was for', async () => {
    expect(await attempt('removeCert', () => Promise.resolve(7), { key: 'c1' })).toEqual({
      action: 'removeCert',
      key: 'c1',
      ok: true,
      result: 7,
    });
    const refused = await attempt('start', () => Promise.reject(new TRPCError({ code: 'CONFLICT', message: 'No' })));
    expect(refused).toMatchObject({ status: 409, data: { action: 'start', error: 'No', code: 'CONFLICT' } });
  });
});

describe('a refusal on a page or download', () => {
  it.each(REFUSALS)('%s is an HTTP error with the status tRPC gives it and the API’s words', (code) => {
    const e = new TRPCError({ code, message: `Refused: ${code}` });
    const answer = thrown(() => toHttpError(e));
    expect(isHttpError(answer)).toBe(true);
    expect(answer).toMatchObject({ status: getHTTPStatusCodeFromError(e), body: { message: `Refused: ${code}` } });
  });

  it('leaves a fault to the error page', () => {
    const fault = new TRPCError({ code: 'INTERNAL_SERVER_ERROR' });
    expect(thrown(() => toHttpError(fault))).toBe(fault);
  });
});
