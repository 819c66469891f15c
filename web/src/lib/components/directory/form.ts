// Form plumbing for the settings and directory pages: read FormData into API input, and turn the API's
// refusals into per-field messages a person can act on (never an error page for bad input).
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import { describeIssues, type FieldNames } from '#lib/server/api/issues.ts';
import type { FieldErrors, FormFailure } from './form-state.ts';

export type { FieldErrors, FormFailure } from './form-state.ts';

const STATUS: Partial<Record<TRPCError['code'], number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
};

/** The forms' words for the API fields whose own names would not read well beside them ("line1", "lat"). */
const FIELD_NAMES: FieldNames = {
  line1: 'first line of the address',
  line2: 'second line of the address',
  lat: 'latitude',
  lng: 'longitude',
  baseLat: 'base latitude',
  baseLng: 'base longitude',
  vatRateBp: 'VAT rate',
  targetHours: 'SLA target',
  sortOrder: 'order',
};

/** Each field's problems as sentences, each once, worded as the API's answers are (issues.ts): zod's own
 * messages ("Too big: expected string to have <=120 characters") become "Keep the name to 120 characters". */
function problems(e: ZodError) {
  const flat = z.flattenError(e, (issue) => describeIssues([issue], FIELD_NAMES));
  const once = (messages: string[] = []) => [...new Set(messages)];
  const fieldErrors: FieldErrors = Object.fromEntries(
    Object.entries(flat.fieldErrors).map(([k, v]) => [k, once(v as string[] | undefined)]),
  );
  return { top: once(flat.formErrors).join('. '), fieldErrors };
}

export function failure(
  action: string,
  key: string | null,
  form: FormData,
  error: string,
  fieldErrors: FieldErrors = {},
  status = 400,
) {
  const values: Record<string, string> = {};
  // Repeated fields (checkbox groups) come back comma-joined.
  for (const [k, v] of form) if (typeof v === 'string') values[k] = k in values ? `${values[k]}, ${v}` : v;
  return fail(status, { action, key, error, fieldErrors, values } satisfies FormFailure);
}

/** An API refusal as a form failure; anything else (a bug) is rethrown to the error page. */
export function apiFailure(action: string, key: string | null, form: FormData, e: unknown) {
  if (!(e instanceof TRPCError) || e.code === 'INTERNAL_SERVER_ERROR') throw e;
  if (e.code === 'BAD_REQUEST' && e.cause instanceof ZodError) {
    const { top, fieldErrors } = problems(e.cause);
    return failure(action, key, form, top || 'Please correct the highlighted fields.', fieldErrors, 400);
  }
  return failure(action, key, form, e.message, {}, STATUS[e.code] ?? 400);
}

/** Runs an API call for a form action: `{ action, key, ok: true }` on success, a FormFailure otherwise. */
export async function run<T>(action: string, key: string | null, form: FormData, call: () => Promise<T>) {
  try {
    const result = await call();
    return { action, key, ok: true as const, result };
  } catch (e) {
    return apiFailure(action, key, form, e);
  }
}

/**
 * The default action of a "new record" page: save the form through the API and go to the new record's
 * page; a refusal stays on the form as a `create` failure with what was typed.
 */
export function createAction<E extends Pick<RequestEvent, 'request'>>(
  save: (event: E, form: FormData) => Promise<{ id: string }>,
  to: (id: string) => string,
) {
  return async (event: E) => {
    const f = await event.request.formData();
    let id: string;
    try {
      ({ id } = await save(event, f));
    } catch (e) {
      return apiFailure('create', null, f, e);
    }
    redirect(303, to(id));
  };
}

/** A text field ('' when absent). */
export const text = (f: FormData, k: string) => String(f.get(k) ?? '');
/** An optional text field: undefined when blank. */
export const optional = (f: FormData, k: string) => (String(f.get(k) ?? '').trim() ? String(f.get(k)) : undefined);
/** A number field: undefined when blank, NaN when not a number (the API then says "Enter the … as a number"). */
export const num = (f: FormData, k: string) => {
  const v = String(f.get(k) ?? '').trim();
  return v === '' ? undefined : Number(v);
};
/** A checkbox. */
export const checked = (f: FormData, k: string) => f.get(k) === 'on' || f.get(k) === 'true';
/** A comma-separated list ("Gas Safe, NICEIC") as trimmed, non-empty entries. */
export const list = (f: FormData, k: string) =>
  String(f.get(k) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The record a page is about, by the id in its URL: NOT_FOUND from the API (including another agency's id)
 * becomes a 404 page, and so does an id that is not one (the API would refuse it as bad input, a 500 here).
 */
export async function orNotFound<T>(what: string, id: string, get: (id: string) => Promise<T>): Promise<T> {
  const missing = () => error(404, `${what} not found. It may have been removed, or the link is wrong.`);
  if (!z.uuid().safeParse(id).success) missing();
  try {
    return await get(id);
  } catch (e) {
    if (e instanceof TRPCError && e.code === 'NOT_FOUND') missing();
    throw e;
  }
}

/** Whether the signed-in person is an agency admin (pages show or hide what only admins may change; the API decides). */
export const isAdmin = (user: { kind: string; role?: string } | null | undefined) =>
  user?.kind === 'staff' && user.role === 'admin';
