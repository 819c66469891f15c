// The dev mailbox: the `emails` outbox read back, newest first, for machines without SMTP.
import { desc, ilike } from 'drizzle-orm';
import type { Database } from '#db/client.ts';
import { emails } from '#db/schema/index.ts';

export async function listMailbox(db: Database, options: { to?: string; limit?: number } = {}) {
  const to = options.to?.trim();
  const query = db
    .select({
      id: emails.id,
      to: emails.to,
      subject: emails.subject,
      body: emails.body,
      createdAt: emails.createdAt,
      sentAt: emails.sentAt,
    })
    .from(emails)
    .$dynamic();
  if (to) query.where(ilike(emails.to, `%${to.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  return query.orderBy(desc(emails.id)).limit(options.limit ?? 100);
}
