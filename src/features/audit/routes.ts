import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { exportAuditCsv } from './audit-export.ts';
import { searchAudit } from './audit-query.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { auditEventSchema } from './schemas.ts';
import { isoDateParam } from '../../http/schemas.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';

const auditFilterQuery = z.object({
  tenantId: z.string().uuid().optional(),
  action: z.string().max(100).optional(),
  operatorId: z.string().uuid().optional(),
  targetId: z.string().max(200).optional(),
  ticketId: z.string().max(50).optional(),
  result: z.enum(['success', 'failure']).optional(),
  from: isoDateParam.optional(),
  to: isoDateParam.optional(),
  search: z.string().max(200).optional(),
});

export function auditRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['audit'];
  r.get(
    '/api/audit',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'Search the audit log, newest first (non-admins see their tenants\' events and their own)',
        querystring: auditFilterQuery.extend({
          before: z.coerce.number().int().positive().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ events: z.array(auditEventSchema), nextBefore: z.number().nullable() }) },
      },
    },
    async (request) => searchAudit(deps, actorOf(request), request.query),
  );

  r.get(
    '/api/audit/export',
    {
      config: { access: 'viewer' },
      schema: { tags, summary: 'The filtered audit log as CSV (streamed, spreadsheet-safe; same scope as the list)', querystring: auditFilterQuery, produces: ['text/csv'] },
    },
    async (request, reply) => {
      const { stream, fileName } = await exportAuditCsv(deps, actorOf(request), request.query, requestInfo(request));
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName}"`).send(stream);
    },
  );
}
