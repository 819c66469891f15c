// Form actions call the API; its refusals become messages on the form, not error pages.
import { fail } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { ZodError } from 'zod';
import { describeIssues, type FieldNames } from './api/issues.ts';

/** Turns an API refusal into a form failure carrying a message a person can act on; rethrows bugs.
 * Bad input is said field by field, in `names`' words where the API's field names mean nothing to people. */
export function toFailure(action: string, e: unknown, names: FieldNames = {}) {
  if (!(e instanceof TRPCError) || e.code === 'INTERNAL_SERVER_ERROR') throw e;
  const invalid = e.code === 'BAD_REQUEST' && e.cause instanceof ZodError && e.cause.issues.length ? e.cause : null;
  const error = invalid ? describeIssues(invalid.issues, names) : e.message;
  // The API's own status (409 for a refusal, 503 for an engine that is not answering), as tRPC sends it.
  return fail(getHTTPStatusCodeFromError(e), { action, ok: false as const, error, code: e.code });
}

export async function attempt<T>(action: string, run: () => Promise<T>, names?: FieldNames) {
  try {
    return { action, ok: true as const, result: await run() };
  } catch (e) {
    return toFailure(action, e, names);
  }
}

/** Whether a form's failed command is a definite no (refused by the API or the engine), so the files it carried
 * go back off the job. A 503 (the engine not answering) may yet be applied, so its files stay for a retry. */
export const definitelyRefused = (failure: { status: number }) => failure.status !== 503;
