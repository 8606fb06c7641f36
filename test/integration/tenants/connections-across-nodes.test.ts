import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConnectWise, seedThreeCx, startConnectWiseSimulator, startThreeCxSimulator, type RunningConnectWiseSimulator, type RunningThreeCxSimulator } from '../../../simulators/index.ts';
import { connectWiseConnections, saveConnectWiseConnection } from '../../../src/features/connectwise/connection.ts';
import type { Actor } from '../../../src/features/kernel/deps.ts';
import { saveTeamsConnection } from '../../../src/features/teams/connection.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * Two app nodes on one database, as behind a load balancer: a connection saved on one is used
 * by the other at once, though the other already built (and cached) a client from the old one.
 */
describe.each(dbTargets())('Tenant connections shared by two nodes on %s', (target) => {
  let nodeA: TestApp;
  let nodeB: TestApp;
  let onA: ApiClient;
  let onB: ApiClient;
  let actor: Actor;
  let teams: TeamsFixture;
  let pbx: RunningThreeCxSimulator;
  let manage: RunningConnectWiseSimulator;
  const pbxClient = { clientId: 'ucr-api', clientSecret: 'pbx-secret-nodes-41c7' };
  const cwKeys = { companyId: 'contoso_msp', publicKey: 'nodes-public-key', privateKey: 'nodes-private-key', clientId: '0b7c4a5e-2d1f-4e8a-9c3b-5f6a7d8e9f02' };

  beforeAll(async () => {
    nodeA = await startTestApp(target);
    nodeB = await startTestApp(target, {}, { nodeOf: nodeA });
    teams = await startTeamsSimulators({ users: 4 });
    pbx = await startThreeCxSimulator({ port: 0, state: seedThreeCx({ userCount: 12, clientSecret: pbxClient.clientSecret }) });
    manage = await startConnectWiseSimulator({ port: 0, state: seedConnectWise(cwKeys) });
    for (const secret of [teams.clientSecret, pbxClient.clientSecret, cwKeys.privateKey]) {
      nodeA.secrets.add(secret);
      nodeB.secrets.add(secret);
    }
    const admin = await nodeA.signedInAs('admin');
    onA = admin.client;
    onB = admin.client.on(nodeB.url);
    actor = { operatorId: admin.operatorId, email: admin.email, displayName: 'admin tester', role: 'admin', allTenants: true, tenantIds: [], via: 'session' };
  });
  afterAll(async () => {
    expectNoSecretsInLogs(nodeA);
    expectNoSecretsInLogs(nodeB);
    await nodeB.close();
    await nodeA.close();
    await teams.close();
    await pbx.close();
    await manage.close();
  });

  it('Teams: a secret corrected on node A is used by node B, which had built its client with the wrong one', async () => {
    const tenantId = (await onA.post('/api/tenants', { name: 'Two-node Teams', microsoftTenantId: teams.microsoftTenantId })).body.id as string;
    const connection = { clientId: teams.clientId, authMethod: 'secret', cloud: 'custom', loginBaseUrl: teams.entra.url, graphBaseUrl: teams.graph.url };
    expect((await onA.request('PUT', `/api/tenants/${tenantId}/connections/teams`, { ...connection, clientSecret: 'not-the-secret' })).status).toBe(200);
    expect((await onB.post(`/api/tenants/${tenantId}/teams/sync`)).status).not.toBe(200);

    expect((await onA.request('PUT', `/api/tenants/${tenantId}/connections/teams`, { ...connection, clientSecret: teams.clientSecret })).status).toBe(200);
    const synced = await onB.post(`/api/tenants/${tenantId}/teams/sync`);
    expect(synced.status).toBe(200);
    expect(synced.body.users).toBe(4);
    // Node B sees the saved connection's view too, secret shown only as set.
    expect((await onB.get(`/api/tenants/${tenantId}/connections/teams`)).body).toMatchObject({ configured: true, clientSecretSet: true });
  });

  it('Teams: two saves in the same millisecond (clocks that agree) still reach node B', async () => {
    const tenantId = (await onA.post('/api/tenants', { name: 'Same-instant Teams', primaryDomain: teams.domain })).body.id as string;
    const instant = new Date();
    const sameInstant = { ...nodeA.deps, now: () => instant };
    const request = { requestId: 'same-instant', ip: undefined };
    const connection = { clientId: teams.clientId, authMethod: 'secret' as const, cloud: 'custom' as const, loginBaseUrl: teams.entra.url, graphBaseUrl: teams.graph.url };
    await saveTeamsConnection(sameInstant, actor, tenantId, { ...connection, clientSecret: 'not-the-secret' }, request);
    expect((await onB.post(`/api/tenants/${tenantId}/teams/sync`)).status).not.toBe(200);
    await saveTeamsConnection(sameInstant, actor, tenantId, { ...connection, clientSecret: teams.clientSecret }, request);
    expect((await onB.post(`/api/tenants/${tenantId}/teams/sync`)).status).toBe(200);
  });

  it('3CX: a secret corrected on node A is used by node B at once', async () => {
    const tenantId = (await onA.post('/api/tenants', { name: 'Two-node 3CX' })).body.id as string;
    const connection = { fqdn: 'pbx.nodes.example', baseUrl: pbx.url, authMode: 'api_client', clientId: pbxClient.clientId };
    expect((await onA.request('PUT', `/api/tenants/${tenantId}/connections/threecx`, { ...connection, clientSecret: 'not-the-secret' })).status).toBe(200);
    expect((await onB.get(`/api/tenants/${tenantId}/threecx/extensions?pageSize=5`)).status).not.toBe(200);

    expect((await onA.request('PUT', `/api/tenants/${tenantId}/connections/threecx`, { ...connection, clientSecret: pbxClient.clientSecret })).status).toBe(200);
    const listed = await onB.get(`/api/tenants/${tenantId}/threecx/extensions?pageSize=5`);
    expect(listed.status).toBe(200);
    expect(listed.body.total).toBe(12);
  });

  it('ConnectWise: keys corrected on node A are used by node B at once; every save moves the version', async () => {
    const company = manage.state.companies[1]!.identifier;
    const tenantId = (await onA.post('/api/tenants', { name: 'Two-node CW', connectwiseCompanyId: company })).body.id as string;
    const connection = { site: 'na.myconnectwise.example', companyId: cwKeys.companyId, publicKey: cwKeys.publicKey, clientId: cwKeys.clientId, baseUrl: manage.apiUrl };
    expect((await onA.request('PUT', `/api/tenants/${tenantId}/connections/connectwise`, { ...connection, privateKey: 'not-the-key' })).status).toBe(200);
    expect((await onB.get(`/api/tenants/${tenantId}/connectwise/tickets`)).status).not.toBe(200);
    expect((await onA.request('PUT', `/api/tenants/${tenantId}/connections/connectwise`, { ...connection, privateKey: cwKeys.privateKey })).status).toBe(200);
    expect((await onB.get(`/api/tenants/${tenantId}/connectwise/tickets`)).status).toBe(200);

    // Saved twice at the same instant, the connection still gets a new version each time.
    const instant = new Date();
    const sameInstant = { ...nodeA.deps, now: () => instant };
    const request = { requestId: 'same-instant', ip: undefined };
    await saveConnectWiseConnection(sameInstant, actor, tenantId, connection, request);
    const first = (await connectWiseConnections.load(nodeB.deps, tenantId))!.version;
    await saveConnectWiseConnection(sameInstant, actor, tenantId, connection, request);
    expect((await connectWiseConnections.load(nodeB.deps, tenantId))!.version).toBeGreaterThan(first);
  });
});
