import type { SessionUser } from '#lib/server/auth/user.ts';

declare global {
  namespace App {
    interface Locals {
      /** Who is signed in; resolved once per request in hooks.server.ts. */
      user: SessionUser | null;
      /** The better-auth session row behind `user` (the contractor's agency choice is stored on it). */
      sessionId: string | null;
    }
  }
}

export {};
