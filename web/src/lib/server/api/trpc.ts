// tRPC setup: one context, procedures layered by who may call them. Authorization lives here and in
// the routers' query scoping, never only in the UI (layout groups do not protect +server.ts).
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import type { Context } from './context.ts';
import { reportInternalError } from '../security/internal-error.ts';
import { isDatabaseUnavailable, UNAVAILABLE_MESSAGE } from '../security/unavailable.ts';
import { describeIssues, fieldErrorsOf, fieldOf } from './issues.ts';
import { controlCharacterMessage, controlCharacterPath } from './text-input.ts';

const t = initTRPC.context<Context>().create({
  // Stack traces only in development; people get the message: for bad input, a sentence naming each field
  // (the raw zod issues, regexes and all, were the message), with the field errors beside it for forms.
  isDev: process.env.NODE_ENV === 'development',
  errorFormatter({ shape, error, path }) {
    // A fault's own message is for us, not the caller: a database error's names the SQL and its parameters.
    // Every INTERNAL_SERVER_ERROR (nothing here raises one on purpose) is logged under a reference instead.
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      const { message } = reportInternalError(error.cause ?? error, `tRPC ${path ?? '(no path)'}`);
      return { ...shape, message, data: { ...shape.data, stack: undefined, fieldErrors: null } };
    }
    const invalid = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      message: invalid ? describeIssues(invalid.issues) : shape.message,
      // Beside each field, the same sentences the message joins (forms show them there: forms.ts).
      data: { ...shape.data, fieldErrors: invalid ? fieldErrorsOf(invalid).fieldErrors : null },
    };
  },
});

/** Errors the engine raises, told apart by name: the server bundle has its own copy of their classes, while
 * the runtime (booted from source by scripts/start.ts) throws the originals, so `instanceof` never matches. */
export const isEngineError = <N extends 'EventRejected' | 'JobNotFound' | 'EngineUnavailable'>(
  e: unknown,
  name: N,
): e is Error & { name: N } => e instanceof Error && e.name === name;

/**
 * A unique-constraint violation anywhere in the error's cause chain (drizzle wraps the driver's error), said
 * in words: PostgreSQL's detail "Key (agency_id, number)=(…, INV-9) already exists." becomes
 * "Already in use: number INV-9". Identifier columns are left out; they mean nothing to a person.
 */
function duplicateOf(error: unknown): string | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const pg = e as Error & { code?: string; detail?: string };
    if (pg.code !== '23505') continue;
    const match = /^Key \((.+)\)=\((.+)\) already exists/.exec(pg.detail ?? '');
    if (!match) return 'That would duplicate an existing record';
    const [, keys = '', given = ''] = match;
    const columns = keys.split(', ');
    const values = given.split(', ');
    const shown = columns.flatMap((c, i) =>
      c === 'id' || c.endsWith('_id') ? [] : [`${c.replaceAll('_', ' ')} ${values[i] ?? ''}`.trim()],
    );
    return shown.length ? `Already in use: ${shown.join(', ')}` : 'That would duplicate an existing record';
  }
  return null;
}

/**
 * Engine refusals become 409s with the machine's own words; unknown jobs 404s; an engine that does not
 * answer within its deadline a 503 that says so; duplicates 409s that say what clashed.
 */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (isEngineError(cause, 'EventRejected')) throw new TRPCError({ code: 'CONFLICT', message: cause.message, cause });
    if (isEngineError(cause, 'JobNotFound'))
      throw new TRPCError({ code: 'NOT_FOUND', message: 'Job not found', cause });
    if (isEngineError(cause, 'EngineUnavailable'))
      throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: cause.message, cause });
    if (result.error.code === 'INTERNAL_SERVER_ERROR' && isDatabaseUnavailable(cause)) {
      throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: UNAVAILABLE_MESSAGE, cause });
    }
    const duplicate = result.error.code === 'INTERNAL_SERVER_ERROR' ? duplicateOf(cause) : null;
    if (duplicate) throw new TRPCError({ code: 'CONFLICT', message: duplicate, cause });
  }
  return result;
});

/** No control character (NUL and the like) gets past the edge, in any field of any procedure: it is refused
 * with a sentence naming the field, as bad input (PostgreSQL used to refuse NUL with a 500). */
const plainText = t.middleware(async ({ getRawInput, next }) => {
  const path = controlCharacterPath(await getRawInput());
  if (path) {
    const key = path.findLast((k): k is string => typeof k === 'string') ?? '';
    const message = controlCharacterMessage(fieldOf(key) || 'text');
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message,
      cause: new ZodError([{ code: 'custom', path, message, input: undefined }]),
    });
  }
  return next();
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(domainErrors).use(plainText);

export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first' });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

export const staffProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.kind !== 'staff') throw new TRPCError({ code: 'FORBIDDEN', message: 'Agency staff only' });
  return next({ ctx: { ...ctx, user: ctx.user, agencyId: ctx.user.agencyId } });
});

export const adminProcedure = staffProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'Agency admins only' });
  return next();
});

export const contractorProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.kind !== 'contractor') throw new TRPCError({ code: 'FORBIDDEN', message: 'Contractors only' });
  const { agencyId, contractorId } = ctx.user;
  if (!agencyId || !contractorId) throw new TRPCError({ code: 'FORBIDDEN', message: 'Pick an agency first' });
  return next({ ctx: { ...ctx, user: ctx.user, agencyId, contractorId } });
});

/** Staff of the agency, or a contractor signed in to it: job reads and events are scoped per kind. */
export const memberProcedure = authedProcedure.use(({ ctx, next }) => {
  const user = ctx.user;
  if (user.kind === 'staff')
    return next({ ctx: { ...ctx, user, agencyId: user.agencyId, contractorId: null as string | null } });
  if (!user.agencyId || !user.contractorId) throw new TRPCError({ code: 'FORBIDDEN', message: 'Pick an agency first' });
  return next({ ctx: { ...ctx, user, agencyId: user.agencyId, contractorId: user.contractorId } });
});
