import { error } from '@sveltejs/kit';
import { getAuthService } from '#lib/server/auth/instance.ts';
import { listMailbox } from '#lib/server/auth/mailbox.ts';
import type { PageServerLoad } from './$types';

// Exists only while no SMTP server is configured: then this is where verification codes,
// reset links and invitations can be read.
export const load: PageServerLoad = async ({ url, setHeaders }) => {
  const { db, devMailbox } = await getAuthService();
  if (!devMailbox) error(404, 'Not found');
  setHeaders({ 'cache-control': 'no-store', 'x-robots-tag': 'noindex' });
  const to = url.searchParams.get('to') ?? '';
  const messages = await listMailbox(db, { to, limit: 100 });
  return { to, messages: messages.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() })) };
};
