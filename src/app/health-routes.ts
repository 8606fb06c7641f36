import type { FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import type { Registry } from 'prom-client';
import type { AppDeps } from '../features/kernel/deps.ts';

export type Readiness = () => { ready: boolean; reason?: string };

export function healthRoutes(app: FastifyInstance, deps: AppDeps, metrics: Registry, readiness: Readiness): void {
  app.get('/healthz', { config: { access: 'public' }, schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const state = readiness();
    if (!state.ready) return reply.status(503).send({ status: 'starting', reason: state.reason });
    try {
      await deps.db.execute(sql`select 1`);
    } catch {
      return reply.status(503).send({ status: 'unavailable', reason: 'database not reachable' });
    }
    return { status: 'ready' };
  });

  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', metrics.contentType);
    return metrics.metrics();
  });
}
