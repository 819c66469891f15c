// In-console notifications: what needs staff action (accepted, completed, invoice submitted, SLA warning
// and breach, …), written by the engine's notify activity. One inbox per agency: any staff member reading
// a notification marks it read for the team, since one person acting on it is enough.
import { and, count, desc, eq, inArray, isNull, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { jobs, notifications } from '#db/schema/index.ts';
import { ACTION_TEMPLATES } from '#workflows/notifications.ts';
import { router, staffProcedure } from '../trpc.ts';

const needsAction = inArray(notifications.template, [...ACTION_TEMPLATES]);
/** An action item nobody has settled yet (workflows/notifications.ts says what settles each). */
const open = and(needsAction, isNull(notifications.resolvedAt));

export const notificationsRouter = router({
  list: staffProcedure
    .input(
      z
        .object({
          unreadOnly: z.boolean().default(false),
          /** 'action' (the default): what still needs staff action; 'all': every staff notification. */
          show: z.enum(['action', 'all']).default('action'),
          limit: z.number().int().min(1).max(100).default(30),
          /** The id of the last notification already shown: newest first, keyset by id. */
          before: z.number().int().positive().optional(),
        })
        .default({ unreadOnly: false, show: 'action', limit: 30 }),
    )
    .query(async ({ ctx, input }) => {
      const where: (SQL | undefined)[] = [eq(notifications.agencyId, ctx.agencyId)];
      if (input.unreadOnly) where.push(isNull(notifications.readAt));
      if (input.show === 'action') where.push(open);
      if (input.before) where.push(lt(notifications.id, input.before));
      const rows = await ctx.db
        .select({
          id: notifications.id,
          jobId: notifications.jobId,
          reference: jobs.reference,
          template: notifications.template,
          message: notifications.message,
          createdAt: notifications.createdAt,
          readAt: notifications.readAt,
          resolvedAt: notifications.resolvedAt,
        })
        .from(notifications)
        .leftJoin(jobs, eq(jobs.id, notifications.jobId))
        .where(and(...where))
        .orderBy(desc(notifications.id))
        .limit(input.limit + 1);
      const items = rows.slice(0, input.limit);
      return { items, nextBefore: rows.length > input.limit ? (items.at(-1)?.id ?? null) : null };
    }),

  /** Unread action items that still need someone: the bell's number. */
  unreadCount: staffProcedure.query(async ({ ctx }) => {
    const [row = { n: 0 }] = await ctx.db
      .select({ n: count() })
      .from(notifications)
      .where(and(eq(notifications.agencyId, ctx.agencyId), isNull(notifications.readAt), open));
    return { count: row.n };
  }),

  /** Marks the given notifications read, or all of the agency's when `all` is set. Returns how many changed. */
  markRead: staffProcedure
    .input(
      z.union([
        z.object({ ids: z.array(z.number().int().positive()).min(1, 'Choose at least one notification').max(200) }),
        z.object({ all: z.literal(true) }),
      ]),
    )
    .mutation(async ({ ctx, input }) => {
      const rows = await ctx.db
        .update(notifications)
        .set({ readAt: ctx.now() })
        .where(
          and(
            eq(notifications.agencyId, ctx.agencyId),
            isNull(notifications.readAt),
            'ids' in input ? inArray(notifications.id, input.ids) : undefined,
          ),
        )
        .returning({ id: notifications.id });
      return { marked: rows.length };
    }),
});
