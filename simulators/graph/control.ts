import type { FastifyInstance } from 'fastify';
import { seedGraphTenant } from './seed.ts';
import type { GraphState } from './state.ts';

// /_sim endpoint to seed a Teams tenant from another process (demo, e2e, benchmarks).

export function registerGraphControl(app: FastifyInstance, state: GraphState): void {
  app.post<{ Body: Record<string, unknown> }>('/_sim/tenants', async (request, reply) => {
    const body = request.body ?? {};
    const { tenantId, domain, userCount, seed } = body;
    if (typeof tenantId !== 'string' || typeof domain !== 'string' || typeof userCount !== 'number' || userCount < 0)
      return reply.code(400).send({ error: 'tenantId, domain and userCount are required' });
    if (state.tenants.has(tenantId.toLowerCase())) return reply.code(409).send({ error: 'tenant exists' });
    const seeded = seedGraphTenant(state, { tenantId, domain, userCount, seed: typeof seed === 'number' ? seed : undefined });
    return reply.code(201).send({
      tenantId: seeded.tenant.id,
      users: seeded.tenant.users.size,
      numbers: seeded.tenant.numbers.size,
      freeDirectRoutingNumbers: seeded.freeDirectRoutingNumbers,
      byProfile: Object.fromEntries(Object.entries(seeded.byProfile).map(([profile, users]) => [profile, users.map((user) => user.id)])),
    });
  });
}
