import { z } from 'zod';
import { stepSchema } from '../kernel/schemas.ts';
import { ticketLogChoicesSchema } from '../kernel/ticket-work.ts';

const ticketId = z.string().trim().regex(/^\d{1,12}$/, 'must be a ticket number').nullish();
const numberRef = z.union([z.object({ numberId: z.string().uuid() }), z.object({ e164: z.string().trim().min(3).max(40) })]);

export const resourceAccountParams = z.object({ tenantId: z.string().uuid(), objectId: z.string().trim().min(1).max(200) });
export const resourceAccountJobParams = z.object({ tenantId: z.string().uuid(), jobId: z.string().uuid() });

export const newResourceAccountBody = z.object({
  displayName: z.string().trim().min(1, 'is required').max(256),
  userPrincipalName: z.string().trim().toLowerCase().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be a user principal name such as mainline@contoso.com').max(113),
  type: z.enum(['aa', 'cq']),
  /** ISO 3166 country for the account's usage location; left out: the tenant's default country. */
  usageLocation: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code (ISO 3166)').nullish(),
  number: numberRef.nullish(),
  /** The auto attendant (type aa) or call queue (type cq) to link the account to, by its identity. */
  associateWith: z.string().trim().min(1).max(200).nullish(),
  ticketId,
});
export type NewResourceAccountInput = z.infer<typeof newResourceAccountBody>;

export const resourceAccountNumberBody = z.object({ number: numberRef, ticketId, ticketLog: ticketLogChoicesSchema.optional() });
export const removeResourceAccountNumberBody = z.object({ ticketId, ticketLog: ticketLogChoicesSchema.optional() }).default({});


export const resourceAccountJobSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  userPrincipalName: z.string(),
  objectId: z.string().nullable(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  input: z.record(z.string(), z.unknown()),
  steps: z.array(stepSchema),
  ticketId: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type ResourceAccountJob = z.infer<typeof resourceAccountJobSchema>;
