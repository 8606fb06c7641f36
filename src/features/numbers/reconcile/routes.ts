import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { tenantParams } from '../../../http/schemas.ts';
import type { AppDeps } from '../../kernel/deps.ts';
import { actorOf, requestInfo } from '../../kernel/request-info.ts';
import { driftFixBody, driftFixResultSchema, driftReportSchema } from '../schemas.ts';
import type { NumberSource } from './number-source.ts';
import { findDrift, fixDrift } from './reconcile.ts';

/** The reconcile routes of one system: `/api/tenants/:tenantId/<system>/reconcile` (and `/fix`). */
export function reconcileRoutes(app: FastifyInstance, deps: AppDeps, source: NumberSource, tags: string[]): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    `/api/tenants/:tenantId/${source.system}/reconcile`,
    { config: { access: 'viewer' }, schema: { tags, summary: `Compare the inventory with the numbers ${source.name} has, both ways`, params: tenantParams, response: { 200: driftReportSchema } } },
    async (request) => findDrift(deps, actorOf(request), request.params.tenantId, source),
  );
  r.post(
    `/api/tenants/:tenantId/${source.system}/reconcile/fix`,
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: `Make the inventory follow ${source.name} for the given numbers (or all drift); numbers without a safe fix are skipped with their reason`,
        params: tenantParams,
        body: driftFixBody,
        response: { 200: driftFixResultSchema },
      },
    },
    async (request) => fixDrift(deps, actorOf(request), request.params.tenantId, source, request.body.numbers, requestInfo(request)),
  );
}
