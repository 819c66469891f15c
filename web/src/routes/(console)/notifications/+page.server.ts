import { z } from 'zod';
import { api } from '#lib/server/api/caller.ts';
import { attempt, formAction } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const show = event.url.searchParams.get('show') === 'all' ? 'all' : 'action';
  const unreadOnly = event.url.searchParams.get('unread') === '1';
  const before = z.coerce
    .number()
    .int()
    .positive()
    .safeParse(event.url.searchParams.get('before') ?? undefined);
  const list = await (
    await api(event)
  ).notifications.list({ unreadOnly, show, limit: 30, before: before.success ? before.data : undefined });
  return { list, unreadOnly, show };
};

export const actions: Actions = {
  read: formAction('read', async (f, event) =>
    (await api(event)).notifications.markRead({ ids: f.getAll('id').map(Number) }),
  ),
  readAll: (event) => attempt('readAll', async () => (await api(event)).notifications.markRead({ all: true })),
};
