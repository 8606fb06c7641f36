import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { searchAudit } from '../../services/audit-query.ts';
import type { AppDeps } from '../../services/deps.ts';
import { auditEventSchema } from '../schemas/common.ts';
import { actorOf } from '../request-info.ts';

export function auditRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/audit',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['audit'],
        summary: 'Search the audit log, newest first (non-admins see their tenants\' events and their own)',
        querystring: z.object({
          tenantId: z.string().uuid().optional(),
          action: z.string().max(100).optional(),
          operatorId: z.string().uuid().optional(),
          targetId: z.string().max(200).optional(),
          ticketId: z.string().max(50).optional(),
          result: z.enum(['success', 'failure']).optional(),
          from: z.coerce.date().optional(),
          to: z.coerce.date().optional(),
          search: z.string().max(200).optional(),
          before: z.coerce.number().int().positive().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ events: z.array(auditEventSchema), nextBefore: z.number().nullable() }) },
      },
    },
    async (request) => searchAudit(deps, actorOf(request), request.query),
  );
}
