// The API: one router per area. Console and portal both call it over /api/trpc,
// and server loads call it directly through createCaller.
import { auditRouter } from './routers/audit.ts';
import { contractorsRouter } from './routers/contractors.ts';
import { coverageRouter } from './routers/coverage.ts';
import { directoryRouter } from './routers/directory.ts';
import { financeRouter } from './routers/finance.ts';
import { importsRouter } from './routers/imports.ts';
import { jobsRouter } from './routers/jobs.ts';
import { landlordsRouter } from './routers/landlords.ts';
import { notificationsRouter } from './routers/notifications.ts';
import { portalRouter } from './routers/portal.ts';
import { propertiesRouter } from './routers/properties.ts';
import { reportsRouter } from './routers/reports.ts';
import { settingsRouter } from './routers/settings.ts';
import { tenantsRouter } from './routers/tenants.ts';
import { createCallerFactory, router } from './trpc.ts';

export const appRouter = router({
  jobs: jobsRouter,
  imports: importsRouter,
  contractors: contractorsRouter,
  coverage: coverageRouter,
  directory: directoryRouter,
  landlords: landlordsRouter,
  properties: propertiesRouter,
  tenants: tenantsRouter,
  settings: settingsRouter,
  notifications: notificationsRouter,
  portal: portalRouter,
  finance: financeRouter,
  audit: auditRouter,
  reports: reportsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
