// Form actions call the API; its refusals become messages on the form, not error pages.
import { fail } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';

const STATUS: Partial<Record<TRPCError['code'], number>> = { UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404 };

/** Names for the API's fields in the form's words, e.g. `{ number: 'invoice number' }`. */
export type FieldNames = Record<string, string>;

type Issue = ZodError['issues'][number];
const english = z.locales.en().localeError;

/** Whether the message is zod's own wording (a schema's chosen message is meant for people and kept).
 * A wrong type is always zod's: its wording names the value's type, which the issue no longer carries. */
function zodsOwn(issue: Issue): boolean {
  if (issue.code === 'invalid_type') return true;
  const own = english(issue as Parameters<typeof english>[0]);
  return issue.message === (typeof own === 'string' ? own : own?.message);
}

/** One sentence per problem: the schema's message, or a plain one naming the field in place of zod's. */
function sentence(issue: Issue, names: FieldNames): string {
  if (!zodsOwn(issue)) return issue.message;
  const key = issue.path.findLast((k): k is string => typeof k === 'string') ?? '';
  const field = names[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  if (!field) return 'Check what you entered';
  const text = 'origin' in issue && issue.origin === 'string';
  switch (issue.code) {
    case 'invalid_type':
      return `Enter the ${field}`;
    case 'too_small':
      return text ? (Number(issue.minimum) <= 1 ? `Enter the ${field}` : `The ${field} needs at least ${issue.minimum} characters`) : `The ${field} is too small`;
    case 'too_big':
      return text ? `Keep the ${field} to ${issue.maximum} characters` : `The ${field} is too large`;
    case 'invalid_format':
      return `Enter a valid ${field}`;
    case 'invalid_value':
      return `Choose a ${field}`;
    default:
      return `Check the ${field}`;
  }
}

/** Turns an API refusal into a form failure carrying a message a person can act on; rethrows bugs.
 * Bad input is said field by field, in `names`' words where the API's field names mean nothing to people. */
export function toFailure(action: string, e: unknown, names: FieldNames = {}) {
  if (!(e instanceof TRPCError) || e.code === 'INTERNAL_SERVER_ERROR') throw e;
  const issues = e.code === 'BAD_REQUEST' && e.cause && 'issues' in e.cause ? (e.cause.issues as Issue[]) : null;
  const error = issues?.length ? [...new Set(issues.map((i) => sentence(i, names)))].join('. ') : e.message;
  return fail(STATUS[e.code] ?? 400, { action, ok: false as const, error, code: e.code });
}

export async function attempt<T>(action: string, run: () => Promise<T>, names?: FieldNames) {
  try {
    return { action, ok: true as const, result: await run() };
  } catch (e) {
    return toFailure(action, e, names);
  }
}
