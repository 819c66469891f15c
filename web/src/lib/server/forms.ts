// Form actions call the API; its refusals become messages on the form, not error pages.
import { fail } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { describeIssues, type FieldNames } from './api/issues.ts';

const STATUS: Partial<Record<TRPCError['code'], number>> = { UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404 };

/** Turns an API refusal into a form failure carrying a message a person can act on; rethrows bugs.
 * Bad input is said field by field, in `names`' words where the API's field names mean nothing to people. */
export function toFailure(action: string, e: unknown, names: FieldNames = {}) {
  if (!(e instanceof TRPCError) || e.code === 'INTERNAL_SERVER_ERROR') throw e;
  const invalid = e.code === 'BAD_REQUEST' && e.cause instanceof ZodError && e.cause.issues.length ? e.cause : null;
  const error = invalid ? describeIssues(invalid.issues, names) : e.message;
  return fail(STATUS[e.code] ?? 400, { action, ok: false as const, error, code: e.code });
}

export async function attempt<T>(action: string, run: () => Promise<T>, names?: FieldNames) {
  try {
    return { action, ok: true as const, result: await run() };
  } catch (e) {
    return toFailure(action, e, names);
  }
}
