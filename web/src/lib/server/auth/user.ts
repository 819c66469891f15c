// Who is signed in, as the API sees them. Resolved once per request in hooks.server.ts.
import type { Actor } from '#workflows/model.ts';

export type SessionUser =
  | { kind: 'staff'; userId: string; name: string; email: string; agencyId: string; role: 'admin' | 'staff' }
  | {
      kind: 'contractor';
      userId: string;
      name: string;
      email: string;
      /** The agency the contractor picked (null until they pick one). */
      agencyId: string | null;
      /** Their contractor record at that agency. */
      contractorId: string | null;
      /** Agencies whose portal being off changed what this session shows (memberships.ts, `portalsSwitchedOff`). */
      portalOff?: string[];
    };

/** The engine actor for a signed-in user (contractors act as their agency's contractor record). */
export function actorOf(user: SessionUser): Actor {
  if (user.kind === 'staff') return { id: user.userId, role: user.role };
  if (!user.contractorId) throw new Error('Pick an agency first');
  return { id: user.contractorId, role: 'contractor' };
}
