import type { FastifyInstance } from 'fastify';
import type { NumberType } from './catalog.ts';
import { seedGraphTenant } from './seed.ts';
import { addNumber, type GraphState } from './state.ts';

// /_sim endpoints to seed a Teams tenant and upload numbers to it from another process (demo, e2e, benchmarks).

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

  // Uploads a number to the tenant, unassigned (Direct Routing by default), as an admin would with
  // New-CsOnlineDirectRoutingTelephoneNumberUpload.
  app.post<{ Params: { tenantId: string }; Body: Record<string, unknown> }>('/_sim/tenants/:tenantId/numbers', async (request, reply) => {
    const tenant = state.tenants.get(request.params.tenantId.toLowerCase());
    if (!tenant) return reply.code(404).send({ error: 'no such tenant' });
    const { telephoneNumber, numberType = 'directRouting', city } = request.body ?? {};
    const types: NumberType[] = ['directRouting', 'callingPlan', 'operatorConnect'];
    if (typeof telephoneNumber !== 'string' || !/^\+[1-9]\d{6,14}$/.test(telephoneNumber)) return reply.code(400).send({ error: 'telephoneNumber must be E.164' });
    if (!types.includes(numberType as NumberType)) return reply.code(400).send({ error: `numberType must be one of ${types.join(', ')}` });
    if (tenant.numbers.has(telephoneNumber)) return reply.code(409).send({ error: 'number exists' });
    const record = addNumber(tenant, { telephoneNumber, numberType: numberType as NumberType, city: typeof city === 'string' ? city : null });
    return reply.code(201).send({ id: record.id, telephoneNumber: record.telephoneNumber, numberType: record.numberType, assignmentStatus: record.assignmentStatus });
  });
}
