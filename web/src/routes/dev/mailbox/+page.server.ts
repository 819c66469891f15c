import { error } from '@sveltejs/kit';
import { getAuthService } from '#lib/server/auth/instance.ts';
import { listMailbox } from '#lib/server/auth/mailbox.ts';
import { mayReadDevMailbox } from '#lib/server/security/dev-mailbox.ts';
import type { PageServerLoad } from './$types';

// Local development only (security/dev-mailbox.ts): where verification codes, reset links and invitations
// can be read when no SMTP server is configured. Off, or asked from elsewhere, it does not exist (404), so
// its presence says nothing.
export const load: PageServerLoad = async ({ url, setHeaders, getClientAddress, request, locals }) => {
  const { db, devMailbox } = await getAuthService();
  if (!devMailbox) error(404, 'Not found');
  if (!mayReadDevMailbox({ clientAddress: getClientAddress(), headers: request.headers, user: locals.user }))
    error(404, 'Not found');
  setHeaders({ 'cache-control': 'no-store', 'x-robots-tag': 'noindex' });
  const to = url.searchParams.get('to') ?? '';
  const messages = await listMailbox(db, { to, limit: 100 });
  return { to, messages: messages.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })) };
};
