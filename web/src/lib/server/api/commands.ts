// What people may send to a job, validated at the edge. Timer events are the engine's alone.
import { z } from 'zod';
import { PAYMENT_LEGS, type JobCommand } from '../../../../../workflows/model.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const pence = z.number().int().min(0).max(1_000_000_000);
const ids = z.array(z.uuid()).max(20).optional();

export const commandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('OFFER'), contractorId: z.uuid(), acknowledgeMissingCertification: z.boolean().optional() }),
  z.object({ type: z.literal('ACCEPT') }),
  z.object({ type: z.literal('DECLINE'), reason: z.string().trim().max(500).optional() }),
  z.object({ type: z.literal('START') }),
  z.object({ type: z.literal('ADD_NOTE'), text: z.string().trim().max(5000), attachmentIds: ids }),
  z.object({ type: z.literal('COMPLETE'), note: text(5000), attachmentIds: ids }),
  z.object({ type: z.literal('CLOSE') }),
  z.object({ type: z.literal('RECALL'), reason: text(1000) }),
  z.object({ type: z.literal('CANCEL'), reason: text(1000) }),
  z.object({ type: z.literal('CHANGE_PRIORITY'), priorityCode: text(20) }),
  z.object({ type: z.literal('SUBMIT_INVOICE'), number: text(50), netPence: pence, vatPence: pence, totalPence: pence }),
  z.object({ type: z.literal('QUERY_INVOICE'), reason: text(1000) }),
  z.object({
    type: z.literal('RAISE_INVOICE'),
    number: text(50),
    agentNetPence: pence,
    contractorTotalPence: pence,
    commissionPence: pence.optional(),
  }),
  z.object({ type: z.literal('RECORD_PAYMENT'), key: z.string().min(8).max(100), leg: z.enum(PAYMENT_LEGS), amountPence: pence.min(1), reference: text(100) }),
]);

export type CommandInput = z.infer<typeof commandSchema>;
/** The engine commands these inputs become (actor added by the router). */
export type CommandOut = JobCommand;
