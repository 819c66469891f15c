// The dev mailbox (/dev/mailbox) shows every stored email: verification codes, reset links, invitations.
// Anyone who can read it can take over any account, so it exists only for local development: switched on
// explicitly (DEV_MAILBOX=1, which `npm start` sets when there is no SMTP_URL; `npm run dev` defaults it on),
// never under NODE_ENV=production, never with SMTP configured; and even then it answers only a browser on
// this machine or an agency admin. No SvelteKit imports: tests use it directly.
import type { SessionUser } from '../auth/user.ts';
import { isLoopbackAddress } from './origin.ts';

export function devMailboxEnabled(
  env: { DEV_MAILBOX?: boolean; SMTP_URL?: string },
  nodeEnv: string | undefined = process.env.NODE_ENV,
): boolean {
  if (nodeEnv === 'production' || env.SMTP_URL) return false;
  return env.DEV_MAILBOX ?? nodeEnv === 'development';
}

/** Headers a reverse proxy adds: with one in between, a loopback peer says nothing about who is asking. */
const PROXIED = ['forwarded', 'x-forwarded-for', 'x-real-ip'];

export function mayReadDevMailbox(input: {
  clientAddress: string | null;
  headers: Headers;
  user: SessionUser | null;
}): boolean {
  if (input.user?.kind === 'staff' && input.user.role === 'admin') return true;
  return isLoopbackAddress(input.clientAddress) && !PROXIED.some((h) => input.headers.has(h));
}
