// The API: one router per area. Console and portal both call it over /api/trpc,
// and server loads call it directly through createCaller.
import { contractorsRouter } from './routers/contractors.ts';
import { directoryRouter } from './routers/directory.ts';
import { jobsRouter } from './routers/jobs.ts';
import { createCallerFactory, router } from './trpc.ts';

export const appRouter = router({
  jobs: jobsRouter,
  contractors: contractorsRouter,
  directory: directoryRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
