// One way for pages to answer what the API refuses. A form action's refusal is a failure on the form (never an
// error page) in one shape, `Failure`; a load's or a download's is SvelteKit's HTTP error. Either way the status
// is the one tRPC itself gives the code over HTTP (`getHTTPStatusCodeFromError`): 409 for a refusal, 404 for a
// record out of scope, 503 for an engine that is not answering. Bad input is said in sentences naming each field
// (api/issues.ts): at the top of the form, or beside each field where the page draws them there. Faults
// (INTERNAL_SERVER_ERROR, anything not a TRPCError) are rethrown to the error page, which shows a reference and
// never their words.
import { error, fail, redirect, type ActionFailure, type RequestEvent } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { type z, ZodError } from 'zod';
import { parsePounds } from '#lib/components/finance/pounds.ts';
import { describeIssues, fieldErrorsOf, type FieldErrors, type FieldNames } from './api/issues.ts';

export type { FieldErrors, FieldNames };

/** What every failed form action answers; pages show `error` at the top and `fieldErrors` by each field. */
export interface Failure<V = Record<string, string>> {
  action: string;
  ok: false;
  /** Sentences for the top of the form. */
  error: string;
  /** The API's code for the refusal ('CONFLICT', 'BAD_REQUEST', …); a check a form makes itself says which. */
  code: TRPCError['code'];
  /** The row the form was about when a page has one such form per row (its id, or 'new'); else null. */
  key: string | null;
  /** Each field's problems by the field's name, on a form that draws them beside its fields (`besideFields`,
   * whose fields are named as the API's); else none, and the sentences are all in `error`. */
  fieldErrors: FieldErrors;
  /** What was typed, so the form is drawn again as it was (without JavaScript too). */
  values: V;
}

export interface FormOptions<V = Record<string, string>> {
  /** The form's words for the API's fields, e.g. `{ text: 'note' }`: "Keep the note to 5000 characters". */
  names?: FieldNames;
  /** The row the form was about (see `Failure.key`). */
  key?: string | null;
  /** The posted form, whose text fields go back as typed (`values`); never one with a password. */
  form?: FormData;
  /** What goes back as typed when the action chooses (trimmed, or without a password). */
  values?: V;
  /** The page draws each field's problems beside the field: the top then says only what belongs to no field. */
  besideFields?: boolean;
  /** A field's own sentence where the form takes it in other words than the API (VAT typed as a percentage,
   * sent as basis points): replaces what the API said about that field, if it said anything. */
  messages?: Record<string, string>;
}

/** A form's text fields, as typed; repeated fields (checkbox groups) come back comma-joined. */
function typed(form: FormData) {
  const values: Record<string, string> = {};
  for (const [k, v] of form) if (typeof v === 'string') values[k] = k in values ? `${values[k]}, ${v}` : v;
  return values;
}

/** Turns an API refusal into the form's failure, with the status tRPC gives its code; rethrows faults. */
export function toFailure<V = Record<string, string>>(
  action: string,
  e: unknown,
  options: FormOptions<V> = {},
): ActionFailure<Failure<V>> {
  if (!(e instanceof TRPCError) || e.code === 'INTERNAL_SERVER_ERROR') throw e;
  const { names = {}, key = null, form, values, besideFields = false, messages = {} } = options;
  const invalid = e.code === 'BAD_REQUEST' && e.cause instanceof ZodError && e.cause.issues.length ? e.cause : null;
  const problems = invalid ? fieldErrorsOf(invalid, names) : { formErrors: [], fieldErrors: {} };
  for (const [field, message] of Object.entries(messages))
    if (problems.fieldErrors[field]) problems.fieldErrors[field] = [message];
  const said = !invalid
    ? e.message
    : besideFields
      ? problems.formErrors.join('. ') || 'Please correct the highlighted fields.'
      : describeIssues(invalid.issues, names);
  return fail(getHTTPStatusCodeFromError(e), {
    action,
    ok: false as const,
    error: said,
    code: e.code,
    key,
    fieldErrors: besideFields ? problems.fieldErrors : {},
    values: values ?? ((form ? typed(form) : {}) as V),
  });
}

/** A refusal the form action makes itself, before or instead of the API: the same shape, the same statuses. */
export function refuse<V = Record<string, string>>(
  action: string,
  message: string,
  options: FormOptions<V> & { code?: TRPCError['code'] } = {},
) {
  return toFailure(action, refusal(message, options.code), options);
}

/** The same, thrown inside `attempt` or `formAction` where the API's own refusals are thrown. */
export const refusal = (message: string, code: TRPCError['code'] = 'BAD_REQUEST') => new TRPCError({ code, message });

/**
 * `input` as the API's own input `schema` takes it, or the refusal the API would throw (BAD_REQUEST with zod's
 * issues, as tRPC's input parser throws it): a form checks what the API will, in the API's words and limits,
 * before it does anything that refusal would have to undo (storing a document).
 */
export function validInput<S extends z.ZodType>(schema: S, input: z.input<S>): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error });
  return parsed.data;
}

/** Runs the API call behind a form: `{ action, key, ok: true, result }`, or the refusal as the form's failure. */
export async function attempt<T, V = Record<string, string>>(
  action: string,
  run: () => Promise<T>,
  options: FormOptions<V> = {},
) {
  try {
    return { action, key: options.key ?? null, ok: true as const, result: await run() };
  } catch (e) {
    return toFailure(action, e, options);
  }
}

/**
 * A form action that is one API call with what was posted: `call` gets the form and the request; options may
 * depend on the form (a row's key). Its answer is `attempt`'s. (The API caller is the route's to make: this
 * module stays free of the request's locals, so tests import it as it is.)
 */
export function formAction<E extends RequestEvent, T, V = Record<string, string>>(
  action: string,
  call: (form: FormData, event: E) => Promise<T>,
  options: FormOptions<V> | ((form: FormData) => FormOptions<V>) = {},
) {
  return async (event: E) => {
    const form = await event.request.formData();
    return attempt(action, () => call(form, event), typeof options === 'function' ? options(form) : options);
  };
}

/**
 * Options for a form that shows each problem beside its field and comes back as typed (the directory's and the
 * settings' forms). `key` says which row's form it was when a page has one per row: `editedRow`, `removedRow`.
 */
export const perField =
  (key: (form: FormData) => string | null = () => null) =>
  (form: FormData): FormOptions => ({ key: key(form), form, besideFields: true });
/** A row's edit form posts its id; the blank form for a new row posts none ('new'). */
export const editedRow = (form: FormData) => optional(form, 'id') ?? 'new';
/** A row's Remove posts its id. */
export const removedRow = (form: FormData) => text(form, 'id');

/**
 * The default action of a "new record" page: save the form through the API and go to the new record's page; a
 * refusal stays on the form as a `create` failure with what was typed.
 */
export function createAction<E extends RequestEvent>(
  save: (form: FormData, event: E) => Promise<{ id: string }>,
  to: (id: string) => string,
  options: Omit<FormOptions, 'form' | 'values'> & {
    /** What of the typed values goes back, when some must be cleaned first (HTML a page draws as HTML). */
    echo?: (values: Record<string, string>) => Record<string, string>;
  } = {},
) {
  const { echo = (values) => values, ...rest } = options;
  return async (event: E) => {
    const form = await event.request.formData();
    let id: string;
    try {
      ({ id } = await save(form, event));
    } catch (e) {
      return toFailure('create', e, { ...rest, values: echo(typed(form)) });
    }
    redirect(303, to(id));
  };
}

/** Whether a form's failed command is a definite no (refused by the API or the engine), so the files it carried
 * go back off the job. A 503 (the engine not answering) may yet be applied, so its files stay for a retry. */
export const definitelyRefused = (failure: { status: number }) => failure.status !== 503;

/** For loads and endpoints: an API refusal as SvelteKit's HTTP error, with tRPC's status and the API's words
 * (401 signed out, 403 not allowed, 404 out of scope); a fault is rethrown. */
export function toHttpError(e: unknown): never {
  if (!(e instanceof TRPCError) || e.code === 'INTERNAL_SERVER_ERROR') throw e;
  error(getHTTPStatusCodeFromError(e), e.message);
}

/**
 * The record a page is about (its id in the URL, checked by the `[id=uuid]` matcher): NOT_FOUND from the API,
 * another agency's record or another contractor's job included, is a 404 page naming what was not found.
 */
export async function orNotFound<T>(what: string, record: Promise<T>): Promise<T> {
  try {
    return await record;
  } catch (e) {
    if (e instanceof TRPCError && e.code === 'NOT_FOUND')
      error(404, `${what} not found. It may have been removed, or the link is wrong.`);
    throw e;
  }
}

// Reading a posted form into API input. The API checks what the fields hold; these only take them out.

/** A text field ('' when absent, or a file where text belongs). */
export const text = (f: FormData, k: string) => {
  const v = f.get(k);
  return typeof v === 'string' ? v : '';
};
/** A text field without surrounding spaces. */
export const trimmed = (f: FormData, k: string) => text(f, k).trim();
/** An optional text field: undefined when blank. */
export const optional = (f: FormData, k: string) => (trimmed(f, k) ? text(f, k) : undefined);
/** A number field: undefined when blank, NaN when not a number (the API then says "Enter the … as a number"). */
export const num = (f: FormData, k: string) => {
  const v = trimmed(f, k);
  return v === '' ? undefined : Number(v);
};
/** A checkbox. */
export const checked = (f: FormData, k: string) => f.get(k) === 'on' || f.get(k) === 'true';
/** A comma-separated list ("Gas Safe, NICEIC") as trimmed, non-empty entries. */
export const list = (f: FormData, k: string) =>
  text(f, k)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
/** The files posted under `k`, leaving out the empty one a file input sends when nothing was chosen. */
export const files = (f: FormData, k: string) => f.getAll(k).filter((x): x is File => x instanceof File && x.size > 0);

/**
 * Money typed in pounds ("£1,234.50") as integer pence, for the fields in `required` and, when not blank,
 * `optional`; the first field that is not an amount is refused (thrown, for `attempt`), in the form's words
 * (`say`). The API then checks the amounts as it checks every caller's.
 */
export function pounds<R extends string, O extends string = never>(
  f: FormData,
  fields: { required: R[]; optional?: O[] },
  say: (field: R | O) => string,
): Record<R, number> & Partial<Record<O, number>> {
  const pence: Partial<Record<R | O, number>> = {};
  const { required, optional: maybe = [] } = fields;
  for (const k of [...required, ...maybe]) {
    if ((maybe as string[]).includes(k) && !trimmed(f, k)) continue;
    const amount = parsePounds(text(f, k));
    if (amount === null) throw refusal(say(k));
    pence[k] = amount;
  }
  return pence as Record<R, number> & Partial<Record<O, number>>;
}

/** Whether the signed-in person is an agency admin (pages show or hide what only admins may change; the API decides). */
export const isAdmin = (user: { kind: string; role?: string } | null | undefined) =>
  user?.kind === 'staff' && user.role === 'admin';
