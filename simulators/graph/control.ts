import type { FastifyInstance } from 'fastify';
import type { NumberType } from './catalog.ts';
import { seedGraphTenant } from './seed.ts';
import { addCivicAddress, addLisLocation, addNumber, type GraphState } from './state.ts';

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

  // The tenant's Location Information Service, which Graph does not expose: the stand-in for
  // Teams PowerShell (test/fixtures/fake-pwsh.mjs) reads and writes it here, so the addresses
  // and locations it shows are the ones the simulated numberAssignments accept.
  app.get<{ Params: { tenantId: string } }>('/_sim/tenants/:tenantId/lis', async (request, reply) => {
    const tenant = state.tenants.get(request.params.tenantId.toLowerCase());
    if (!tenant) return reply.code(404).send({ error: 'no such tenant' });
    return { addresses: [...tenant.civicAddresses.values()], locations: [...tenant.locations.values()] };
  });
  app.post<{ Params: { tenantId: string }; Body: Record<string, unknown> }>('/_sim/tenants/:tenantId/lis/addresses', async (request, reply) => {
    const tenant = state.tenants.get(request.params.tenantId.toLowerCase());
    if (!tenant) return reply.code(404).send({ error: 'no such tenant' });
    const body = request.body ?? {};
    const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
    // New-CsOnlineLisCivicAddress: -CompanyName and -CountryOrRegion are mandatory.
    if (!text('companyName') || !text('countryOrRegion')) return reply.code(400).send({ error: 'companyName and countryOrRegion are required' });
    const address = addCivicAddress(tenant, {
      companyName: text('companyName'), countryOrRegion: text('countryOrRegion'), description: text('description'), houseNumber: text('houseNumber'),
      streetName: text('streetName'), city: text('city'), stateOrProvince: text('stateOrProvince'), postalCode: text('postalCode'),
    });
    return reply.code(201).send(address);
  });
  app.post<{ Params: { tenantId: string }; Body: Record<string, unknown> }>('/_sim/tenants/:tenantId/lis/locations', async (request, reply) => {
    const tenant = state.tenants.get(request.params.tenantId.toLowerCase());
    if (!tenant) return reply.code(404).send({ error: 'no such tenant' });
    const { civicAddressId, location } = request.body ?? {};
    if (typeof civicAddressId !== 'string' || typeof location !== 'string' || location === '') return reply.code(400).send({ error: 'civicAddressId and location are required' });
    const created = addLisLocation(tenant, civicAddressId, location);
    if (!created) return reply.code(404).send({ error: `civic address ${civicAddressId} not found` });
    return reply.code(201).send(created);
  });
}
