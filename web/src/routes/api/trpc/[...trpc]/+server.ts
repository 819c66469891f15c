import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { RequestHandler } from './$types';
import { contextFor } from '#lib/server/api/caller.ts';
import { appRouter } from '#lib/server/api/root.ts';

const handle: RequestHandler = (event) =>
  fetchRequestHandler({
    endpoint: '/api/trpc',
    req: event.request,
    router: appRouter,
    createContext: () => contextFor(event),
  });

export const GET = handle;
export const POST = handle;
