import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../kernel/deps.ts';
import { actorOf } from '../kernel/request-info.ts';
import { buildOverview } from './overview.ts';
import { overviewSchema } from './schemas.ts';

export function overviewRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/overview',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['overview'],
        summary: "The operator's work list across their tenants: pending and failed changes, failed ticket logs, bulk jobs, ranges running out, failing connections, expiring certificates and numbers the last reconcile found differing",
        response: { 200: overviewSchema },
      },
    },
    async (request) => buildOverview(deps, actorOf(request)),
  );
}
