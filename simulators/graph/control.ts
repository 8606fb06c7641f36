import type { FastifyInstance } from 'fastify';
import type { NumberType } from './catalog.ts';
import { seedGraphTenant } from './seed.ts';
import { randomUUID } from 'node:crypto';
import { addCivicAddress, addLisLocation, addNumber, addUser, findUser, type GraphState, type GraphTenant } from './state.ts';

/** ApplicationId of New-CsOnlineApplicationInstance (learn.microsoft.com/powershell/module/skype/new-csonlineapplicationinstance). */
export const AUTO_ATTENDANT_APP_ID = 'ce933385-9390-45d1-9512-c8d228074e07';
export const CALL_QUEUE_APP_ID = '11cd3e2e-fccb-42ad-ad00-878b93575e07';

/** A resource account as Get-CsOnlineApplicationInstance shows it: ObjectId, TenantId, UserPrincipalName, ApplicationId, DisplayName, PhoneNumber ("tel:+…"). */
function applicationInstanceOut(tenant: GraphTenant, user: { id: string; userPrincipalName: string; displayName: string; applicationId?: string }) {
  const number = [...tenant.numbers.values()].find((n) => n.assignmentTargetId === user.id);
  return { ObjectId: user.id, TenantId: tenant.id, UserPrincipalName: user.userPrincipalName, ApplicationId: user.applicationId ?? AUTO_ATTENDANT_APP_ID, DisplayName: user.displayName, PhoneNumber: number ? `tel:${number.telephoneNumber}` : null };
}
const configurationsOf = (tenant: GraphTenant, type: unknown) => (type === 'AutoAttendant' ? tenant.autoAttendants : type === 'CallQueue' ? tenant.callQueues : undefined);

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
  // Teams PowerShell (simulators/teams-powershell/pwsh.mjs) reads and writes it here, so the addresses
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

  // Voice applications, which Graph does not expose: the stand-in for Teams PowerShell reads and
  // writes them here. Resource accounts are the tenant's users of account type resourceAccount.
  app.get<{ Params: { tenantId: string } }>('/_sim/tenants/:tenantId/voice-apps', async (request, reply) => {
    const tenant = state.tenants.get(request.params.tenantId.toLowerCase());
    if (!tenant) return reply.code(404).send({ error: 'no such tenant' });
    return {
      applicationInstances: [...tenant.users.values()].filter((u) => u.accountType === 'resourceAccount').map((u) => applicationInstanceOut(tenant, u)),
      autoAttendants: [...tenant.autoAttendants.values()],
      callQueues: [...tenant.callQueues.values()],
    };
  });
  // New-CsOnlineApplicationInstance -UserPrincipalName -ApplicationId -DisplayName: creates the
  // account's Entra user; a UPN already in the directory is refused.
  app.post<{ Params: { tenantId: string }; Body: Record<string, unknown> }>('/_sim/tenants/:tenantId/voice-apps/application-instances', async (request, reply) => {
    const tenant = state.tenants.get(request.params.tenantId.toLowerCase());
    if (!tenant) return reply.code(404).send({ error: 'no such tenant' });
    const { UserPrincipalName: upn, ApplicationId: applicationId, DisplayName: displayName } = request.body ?? {};
    if (typeof upn !== 'string' || typeof applicationId !== 'string' || typeof displayName !== 'string' || !upn.includes('@'))
      return reply.code(400).send({ error: 'UserPrincipalName, ApplicationId and DisplayName are required' });
    if (findUser(tenant, upn)) return reply.code(409).send({ error: `A conflicting object with one or more of the specified property values is present in the directory. (UserPrincipalName ${upn})`, errorId: 'Conflict' });
    const user = addUser(tenant, { userPrincipalName: upn, displayName, accountType: 'resourceAccount', accountEnabled: false, licenses: [], usageLocation: null, applicationId: applicationId.toLowerCase() });
    return reply.code(201).send(applicationInstanceOut(tenant, user));
  });
  // New-CsOnlineApplicationInstanceAssociation -Identities -ConfigurationId -ConfigurationType:
  // one result per identity (Id, ConfigurationType, ConfigurationId, Result, StatusCode, StatusMessage);
  // the configuration's ApplicationInstances then lists the account.
  app.post<{ Params: { tenantId: string }; Body: Record<string, unknown> }>('/_sim/tenants/:tenantId/voice-apps/associations', async (request, reply) => {
    const tenant = state.tenants.get(request.params.tenantId.toLowerCase());
    if (!tenant) return reply.code(404).send({ error: 'no such tenant' });
    const { Identities: identities, ConfigurationId: configurationId, ConfigurationType: configurationType } = request.body ?? {};
    const configurations = configurationsOf(tenant, configurationType);
    if (!configurations) return reply.code(400).send({ error: `Cannot bind parameter 'ConfigurationType': use AutoAttendant or CallQueue.` });
    const configuration = typeof configurationId === 'string' ? configurations.get(configurationId) : undefined;
    if (!configuration) return reply.code(404).send({ error: `Configuration ${String(configurationId)} of type ${String(configurationType)} was not found.`, errorId: 'NotFound' });
    if (!Array.isArray(identities) || identities.length === 0) return reply.code(400).send({ error: 'Identities is required' });
    const accounts = identities.map((id) => (typeof id === 'string' ? findUser(tenant, id) : undefined));
    const missing = identities.filter((_, i) => accounts[i]?.accountType !== 'resourceAccount');
    if (missing.length) return reply.code(404).send({ error: `Application instance not found: ${missing.join(', ')}`, errorId: 'NotFound' });
    const linked = new Set((configuration.ApplicationInstances as string[] | undefined) ?? []);
    for (const account of accounts) linked.add(account!.id);
    configuration.ApplicationInstances = [...linked];
    return reply.code(201).send(accounts.map((account) => ({ Id: account!.id, ConfigurationType: configurationType, ConfigurationId: configurationId, Result: 'Success', StatusCode: 'Success', StatusMessage: '' })));
  });
  // Test and demo seeding: an auto attendant or call queue as the cmdlets show it; Identity is generated.
  app.post<{ Params: { tenantId: string; kind: string }; Body: Record<string, unknown> }>('/_sim/tenants/:tenantId/voice-apps/:kind', async (request, reply) => {
    const tenant = state.tenants.get(request.params.tenantId.toLowerCase());
    if (!tenant) return reply.code(404).send({ error: 'no such tenant' });
    const configurations = request.params.kind === 'auto-attendants' ? tenant.autoAttendants : request.params.kind === 'call-queues' ? tenant.callQueues : undefined;
    if (!configurations) return reply.code(404).send({ error: 'use auto-attendants or call-queues' });
    if (typeof request.body?.Name !== 'string') return reply.code(400).send({ error: 'Name is required' });
    // Get-CsAutoAttendant's documented output names the id `Id`; Get-CsCallQueue's `Identity`.
    const id = randomUUID();
    const configuration = { ApplicationInstances: [], ...request.body, ...(request.params.kind === 'auto-attendants' ? { Id: id } : { Identity: id }) };
    configurations.set(id, configuration);
    return reply.code(201).send(configuration);
  });
}
