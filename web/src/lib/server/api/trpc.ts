// tRPC setup: one context, procedures layered by who may call them. Authorization lives here and in
// the routers' query scoping, never only in the UI (layout groups do not protect +server.ts).
import { initTRPC, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import type { Context } from './context.ts';

const t = initTRPC.context<Context>().create({
  // Stack traces only in development; people get the message.
  isDev: process.env.NODE_ENV === 'development',
  errorFormatter({ shape, error }) {
    const fieldErrors = error.cause instanceof ZodError ? z.flattenError(error.cause).fieldErrors : null;
    return { ...shape, data: { ...shape.data, fieldErrors } };
  },
});

/** Errors the engine raises, told apart by name: the server bundle has its own copy of their classes, while
 * the runtime (booted from source by scripts/start.ts) throws the originals, so `instanceof` never matches. */
const isEngineError = (e: unknown, name: 'EventRejected' | 'JobNotFound'): e is Error => e instanceof Error && e.name === name;

/** Engine refusals become 409s with the machine's own words; unknown jobs become 404s. */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (isEngineError(cause, 'EventRejected')) throw new TRPCError({ code: 'CONFLICT', message: cause.message, cause });
    if (isEngineError(cause, 'JobNotFound')) throw new TRPCError({ code: 'NOT_FOUND', message: 'Job not found', cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(domainErrors);

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
  if (user.kind === 'staff') return next({ ctx: { ...ctx, user, agencyId: user.agencyId, contractorId: null as string | null } });
  if (!user.agencyId || !user.contractorId) throw new TRPCError({ code: 'FORBIDDEN', message: 'Pick an agency first' });
  return next({ ctx: { ...ctx, user, agencyId: user.agencyId, contractorId: user.contractorId as string | null } });
});
