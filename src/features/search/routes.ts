import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../kernel/deps.ts';
import { actorOf } from '../kernel/request-info.ts';
import { globalSearch } from './search.ts';
import { searchQuerySchema, searchResultSchema } from './schemas.ts';

export function searchRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/search',
    {
      config: { access: 'viewer' },
      schema: {
        tags: ['search'],
        summary: 'Search every tenant in your scope at once: numbers (E.164 or any digits), ranges, Teams users (UPN or name), 3CX extensions, ConnectWise tickets and tenants; up to `limit` hits per kind',
        querystring: searchQuerySchema,
        response: { 200: searchResultSchema },
      },
    },
    async (request) => globalSearch(deps, actorOf(request), request.query.q, request.query.limit),
  );
}
