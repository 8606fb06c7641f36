import { z } from 'zod';

export const auditEventSchema = z.object({
  id: z.number(),
  occurredAt: z.string(),
  actor: z.string(),
  operatorId: z.string().nullable(),
  tenantId: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  result: z.enum(['success', 'failure']),
  error: z.string().nullable(),
  requestId: z.string().nullable(),
  ticketId: z.string().nullable(),
  ip: z.string().nullable(),
});
export type AuditEventDto = z.infer<typeof auditEventSchema>;
