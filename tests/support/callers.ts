// In-process tRPC callers for API tests: the session users a fixture agency provides, and a caller for one
// of them over the embedded engine (as the app's server loads call the API).
import type { Database } from '#db/client.ts';
import { createContext } from '#lib/server/api/context.ts';
import { createCaller } from '#lib/server/api/root.ts';
import type { SessionUser } from '#lib/server/auth/user.ts';
import { createEmbeddedEngine } from '#worker/engines/embedded.ts';
import type { createAgency } from './fixtures.ts';

type Fixture = Awaited<ReturnType<typeof createAgency>>;

export const staffOf = (fx: Fixture): SessionUser => ({
  kind: 'staff',
  userId: fx.staff.id,
  name: 'Sam',
  email: fx.staff.email,
  agencyId: fx.agency.id,
  role: 'staff',
});

/** The fixture's i-th contractor signed in at its agency (a made-up user id: no auth row is needed). */
export const contractorOf = (fx: Fixture, i: 0 | 1): SessionUser => ({
  kind: 'contractor',
  userId: '00000000-0000-4000-8000-00000000000' + i,
  name: fx.contractors[i].name,
  email: fx.contractors[i].email,
  agencyId: fx.agency.id,
  contractorId: fx.contractors[i].id,
});

export const callerFor = (db: Database, user: SessionUser | null) =>
  createCaller(createContext({ db, engine: createEmbeddedEngine({ db }), user, temporalUiUrl: null }));
