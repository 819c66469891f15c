// What people may send to a job through jobs.send, validated at the edge. Timer events are the engine's
// alone; an admin may bring the next one forward (ADVANCE_DEADLINE, naming the deadline's key as shown). Invoices and payments are not here: they enter only through the finance procedures, which check
// what the machine cannot (the invoice's document and date, numbers unique in the agency, payment dates,
// idempotency keys), so no second door skips those checks.
import { z } from 'zod';
import { JOB_STATUSES, type JobCommand } from '#workflows/model.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const ids = z.array(z.uuid()).max(20).optional();
/** The status the form showed when staff decided (model.ts, `seenStatus`): a job that moved on refuses it. */
const seenStatus = z.enum(JOB_STATUSES).optional();

export const commandSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('OFFER'),
    contractorId: z.uuid(),
    acknowledgeMissingCertification: z.boolean().optional(),
  }),
  z.object({ type: z.literal('ACCEPT') }),
  z.object({ type: z.literal('DECLINE'), reason: z.string().trim().max(500).optional() }),
  z.object({ type: z.literal('START') }),
  z.object({
    type: z.literal('ADD_NOTE'),
    text: z.string().trim().max(5000),
    attachmentIds: ids,
    shareWithContractor: z.boolean().optional(),
  }),
  z.object({ type: z.literal('COMPLETE'), note: text(5000), attachmentIds: ids }),
  z.object({ type: z.literal('CLOSE'), seenStatus }),
  z.object({ type: z.literal('RECALL'), reason: text(1000), seenStatus }),
  z.object({ type: z.literal('CANCEL'), reason: text(1000), seenStatus }),
  z.object({ type: z.literal('CHANGE_PRIORITY'), priorityCode: text(20) }),
  z.object({ type: z.literal('QUERY_INVOICE'), reason: text(1000) }),
  z.object({ type: z.literal('ADVANCE_DEADLINE'), key: text(200).optional() }),
]);

export type CommandInput = z.infer<typeof commandSchema>;
/** The engine commands these inputs become (actor added by the router). */
export type CommandOut = JobCommand;
