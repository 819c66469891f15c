// Form actions call the API; its refusals become messages on the form, not error pages.
import { fail } from '@sveltejs/kit';
import { TRPCError } from '@trpc/server';

const STATUS: Partial<Record<TRPCError['code'], number>> = { UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404 };

/** Turns an API refusal into a form failure carrying a message a person can act on; rethrows bugs. */
export function toFailure(action: string, e: unknown) {
  if (!(e instanceof TRPCError) || e.code === 'INTERNAL_SERVER_ERROR') throw e;
  const issues = e.cause && 'issues' in e.cause ? (e.cause.issues as { path: PropertyKey[]; message: string }[]) : null;
  const detail = issues?.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  const error = detail && e.code === 'BAD_REQUEST' ? `Please check the form: ${detail}` : e.message;
  return fail(STATUS[e.code] ?? 400, { action, ok: false as const, error, code: e.code });
}

export async function attempt<T>(action: string, run: () => Promise<T>) {
  try {
    return { action, ok: true as const, result: await run() };
  } catch (e) {
    return toFailure(action, e);
  }
}
