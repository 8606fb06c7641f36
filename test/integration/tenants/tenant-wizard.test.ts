/**
 * The add-tenant wizard's server side (issue #17, item 7) against the simulators: the Microsoft
 * tenant looked up by domain or id (OpenID configuration), the connection test naming each
 * missing Graph permission from the token's roles, a generated certificate whose private key
 * never leaves, and deleting a saved connection (Teams, 3CX, ConnectWise) on two nodes.
 */
import { eq, and } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConnectWise, seedThreeCx, startConnectWiseSimulator, startThreeCxSimulator, type RunningConnectWiseSimulator, type RunningThreeCxSimulator } from '../../../simulators/index.ts';
import { auditEvents, tenantConnections } from '../../../src/db/schema/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { dumpDatabase, expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('Add-tenant wizard on %s', (target) => {
  let nodeA: TestApp;
  let nodeB: TestApp;
  let admin: ApiClient;
  let onB: ApiClient;
  let teams: TeamsFixture;
  let limited: TeamsFixture;
  let pbx: RunningThreeCxSimulator;
  let manage: RunningConnectWiseSimulator;
  const pbxClient = { clientId: 'ucr-api', clientSecret: 'pbx-secret-wizard-5d2e' };
  const cwKeys = { companyId: 'contoso_msp', publicKey: 'wizard-public-key', privateKey: 'wizard-private-key-77a1', clientId: '0b7c4a5e-2d1f-4e8a-9c3b-5f6a7d8e9f03' };

  beforeAll(async () => {
    nodeA = await startTestApp(target);
    nodeB = await startTestApp(target, {}, { nodeOf: nodeA });
    teams = await startTeamsSimulators({ users: 3 });
    limited = await startTeamsSimulators({ users: 2, permissions: ['User.Read.All', 'TeamsUserConfiguration.Read.All'] });
    pbx = await startThreeCxSimulator({ port: 0, state: seedThreeCx({ userCount: 4, clientSecret: pbxClient.clientSecret }) });
    manage = await startConnectWiseSimulator({ port: 0, state: seedConnectWise(cwKeys) });
    for (const secret of [teams.clientSecret, limited.clientSecret, pbxClient.clientSecret, cwKeys.privateKey]) {
      nodeA.secrets.add(secret);
      nodeB.secrets.add(secret);
    }
    admin = (await nodeA.signedInAs('admin')).client;
    onB = admin.on(nodeB.url);
  });
  afterAll(async () => {
    expectNoSecretsInLogs(nodeA);
    expectNoSecretsInLogs(nodeB);
    await nodeB.close();
    await nodeA.close();
    await teams.close();
    await limited.close();
    await pbx.close();
    await manage.close();
  });

  const resolve = (tenant: string, loginBaseUrl: string | undefined = teams.entra.url) => admin.post('/api/tenants/resolve-microsoft-tenant', { tenant, ...(loginBaseUrl ? { loginBaseUrl } : {}) });

  it('step 1: a domain or tenant id is looked up and shown as the tenant id; bad input is named', async () => {
    const byDomain = await resolve(teams.domain.toUpperCase());
    expect(byDomain.status).toBe(200);
    expect(byDomain.body).toMatchObject({ microsoftTenantId: teams.microsoftTenantId, domain: teams.domain, issuer: `${teams.entra.url}/${teams.microsoftTenantId}/v2.0` });
    const byId = await resolve(teams.microsoftTenantId);
    expect(byId.body).toMatchObject({ microsoftTenantId: teams.microsoftTenantId, domain: null });

    const unknown = await resolve('nobody-here.example');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'microsoft_tenant_not_found', message: expect.stringMatching(/Microsoft knows no tenant "nobody-here.example"/) });
    const malformed = await resolve(`${teams.microsoftTenantId.slice(0, -1)}`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/is not a valid tenant id/);
    const nonsense = await resolve('not a tenant');
    expect(nonsense.body.error.message).toMatch(/neither a tenant id \(a GUID\) nor a domain name/);
    const plainHttp = await resolve(teams.domain, 'http://login.example.com');
    expect(plainHttp.status).toBe(400);
    expect(JSON.stringify(plainHttp.body)).toMatch(/must be an https:\/\/ address/);
    // Looking up stores nothing.
    expect((await admin.get('/api/tenants')).body.tenants).toHaveLength(0);
  });

  it('the connection test names each missing permission, read from the token the simulator issued without them', async () => {
    const tenantId = (await admin.post('/api/tenants', { name: 'Limited permissions', microsoftTenantId: limited.microsoftTenantId, primaryDomain: limited.domain })).body.id as string;
    await admin.request('PUT', `/api/tenants/${tenantId}/connections/teams`, { clientId: limited.clientId, authMethod: 'secret', clientSecret: limited.clientSecret, cloud: 'custom', loginBaseUrl: limited.entra.url, graphBaseUrl: limited.graph.url });
    const tested = await admin.post(`/api/tenants/${tenantId}/connections/teams/test`);
    expect(tested.body.ok).toBe(false);
    expect(tested.body.grantedPermissions.sort()).toEqual(['TeamsUserConfiguration.Read.All', 'User.Read.All']);
    expect(tested.body.missingPermissions.sort()).toEqual(['TeamsPolicyUserAssign.ReadWrite.All', 'TeamsTelephoneNumber.ReadWrite.All']);
    const step = tested.body.steps.find((s: { name: string }) => s.name === 'Graph permissions');
    expect(step.message).toMatch(/TeamsTelephoneNumber\.ReadWrite\.All — to list, assign and remove phone numbers/);
  });

  it('a generated certificate: public part offered for download, the private key never answered and encrypted at rest', async () => {
    const tenantId = (await admin.post('/api/tenants', { name: 'Cert wizard', microsoftTenantId: teams.microsoftTenantId })).body.id as string;
    await admin.request('PUT', `/api/tenants/${tenantId}/connections/teams`, { clientId: teams.clientId, authMethod: 'certificate', cloud: 'custom', loginBaseUrl: teams.entra.url, graphBaseUrl: teams.graph.url });
    const generated = await admin.post(`/api/tenants/${tenantId}/connections/teams/certificate/generate`);
    expect(generated.status).toBe(200);
    expect(JSON.stringify(generated.body)).not.toMatch(/PRIVATE KEY/);
    const download = await fetch(`${nodeA.url}/api/tenants/${tenantId}/connections/teams/certificate.cer`, { headers: { cookie: `ucr_session=${admin.cookie}` } });
    expect(download.headers.get('content-disposition')).toMatch(/\.cer"/);
    expect(await download.text()).toBe(generated.body.certificatePem);
    expect(JSON.stringify((await admin.get(`/api/tenants/${tenantId}/connections/teams`)).body)).not.toMatch(/PRIVATE KEY/);
    expect(await dumpDatabase(nodeA)).not.toMatch(/BEGIN (RSA )?PRIVATE KEY/);
  });

  async function auditOf(action: string, tenantId: string) {
    return nodeA.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, action as never), eq(auditEvents.tenantId, tenantId)));
  }
  const rowOf = async (tenantId: string, system: 'teams' | 'threecx' | 'connectwise') =>
    nodeA.deps.db.select().from(tenantConnections).where(and(eq(tenantConnections.tenantId, tenantId), eq(tenantConnections.system, system)));

  it('deleting a Teams connection: row and secrets gone, audited without the secret, node B (with a cached client) says not set up', async () => {
    const tenantId = (await admin.post('/api/tenants', { name: 'Delete Teams', primaryDomain: teams.domain })).body.id as string;
    await admin.request('PUT', `/api/tenants/${tenantId}/connections/teams`, { clientId: teams.clientId, authMethod: 'secret', clientSecret: teams.clientSecret, cloud: 'custom', loginBaseUrl: teams.entra.url, graphBaseUrl: teams.graph.url });
    // Node B builds and caches its client.
    expect((await onB.post(`/api/tenants/${tenantId}/teams/sync`)).status).toBe(200);

    const viewer = (await nodeA.signedInAs('viewer')).client;
    expect((await viewer.request('DELETE', `/api/tenants/${tenantId}/connections/teams`)).status).toBe(403);
    const deleted = await admin.request('DELETE', `/api/tenants/${tenantId}/connections/teams`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ configured: false, clientId: null, clientSecretSet: false });
    expect(await rowOf(tenantId, 'teams')).toHaveLength(0);
    const [event] = await auditOf('teams_connection.deleted', tenantId);
    expect(event!.before).toMatchObject({ clientId: teams.clientId, clientSecretSet: true });
    expect(event!.after).toBeNull();
    expect(JSON.stringify(event)).not.toContain(teams.clientSecret);

    const afterB = await onB.post(`/api/tenants/${tenantId}/teams/sync`);
    expect(afterB.status).toBe(409);
    expect(afterB.body.error).toMatchObject({ code: 'teams_not_configured', message: expect.stringMatching(/not set up yet/) });
    // Nothing left to delete: said so, and no second audit event.
    expect((await admin.request('DELETE', `/api/tenants/${tenantId}/connections/teams`)).status).toBe(404);
    expect(await auditOf('teams_connection.deleted', tenantId)).toHaveLength(1);
  });

  it('deleting a 3CX connection: secrets gone, audited without them, the cached client on node B dropped', async () => {
    const tenantId = (await admin.post('/api/tenants', { name: 'Delete 3CX' })).body.id as string;
    await admin.request('PUT', `/api/tenants/${tenantId}/connections/threecx`, { fqdn: 'pbx.wizard.example', baseUrl: pbx.url, authMode: 'api_client', clientId: pbxClient.clientId, clientSecret: pbxClient.clientSecret });
    expect((await onB.get(`/api/tenants/${tenantId}/threecx/extensions?pageSize=5`)).status).toBe(200);
    const deleted = await admin.request('DELETE', `/api/tenants/${tenantId}/connections/threecx`);
    expect(deleted.body).toMatchObject({ configured: false, clientSecretSet: false });
    expect(await rowOf(tenantId, 'threecx')).toHaveLength(0);
    const [event] = await auditOf('threecx_connection.deleted', tenantId);
    expect(event!.before).toMatchObject({ clientId: pbxClient.clientId, clientSecretSet: true });
    expect(JSON.stringify(event)).not.toContain(pbxClient.clientSecret);
    const afterB = await onB.get(`/api/tenants/${tenantId}/threecx/extensions?pageSize=5`);
    expect(afterB.status).toBe(409);
    expect(afterB.body.error.code).toBe('threecx_not_configured');
  });

  it('deleting a ConnectWise connection: the private key gone, audited without it, the next use says not set up', async () => {
    const company = manage.state.companies[0]!.identifier;
    const tenantId = (await admin.post('/api/tenants', { name: 'Delete CW', connectwiseCompanyId: company })).body.id as string;
    await admin.request('PUT', `/api/tenants/${tenantId}/connections/connectwise`, { site: 'na.myconnectwise.example', companyId: cwKeys.companyId, publicKey: cwKeys.publicKey, clientId: cwKeys.clientId, baseUrl: manage.apiUrl, privateKey: cwKeys.privateKey });
    expect((await onB.get(`/api/tenants/${tenantId}/connectwise/tickets`)).status).toBe(200);
    const deleted = await admin.request('DELETE', `/api/tenants/${tenantId}/connections/connectwise`);
    expect(deleted.body).toMatchObject({ configured: false, privateKeySet: false });
    expect(await rowOf(tenantId, 'connectwise')).toHaveLength(0);
    const [event] = await auditOf('connectwise_connection.deleted', tenantId);
    expect(event!.before).toMatchObject({ publicKey: cwKeys.publicKey, privateKeySet: true });
    expect(JSON.stringify(event)).not.toContain(cwKeys.privateKey);
    const afterB = await onB.get(`/api/tenants/${tenantId}/connectwise/tickets`);
    expect(afterB.status).toBe(409);
    expect(afterB.body.error.code).toBe('connectwise_not_configured');
    expect(await dumpDatabase(nodeA)).not.toContain(cwKeys.privateKey);
  });
});
