import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEntraSimulator } from '../../../simulators/entra/server.ts';
import type { RunningEntraSimulator } from '../../../simulators/entra/server.ts';
import { startGraphSimulator } from '../../../simulators/graph/server.ts';
import type { RunningGraphSimulator } from '../../../simulators/graph/server.ts';
import { createSelfSignedCertificate } from '../../../simulators/shared/self-signed-cert.ts';
import { clientAssertion, postForm } from './support.ts';

// Everything a process that did not start the simulators (the demo, e2e, benchmarks) needs
// to set up a tenant, over HTTP only; Graph trusts Entra through its JWKS URL.

let entra: RunningEntraSimulator;
let graph: RunningGraphSimulator;
const TENANT = '7e57e57e-0000-4000-8000-000000000001';
const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  entra = await startEntraSimulator();
  graph = await startGraphSimulator({ trust: { jwksUrl: `${entra.url}/common/discovery/v2.0/keys` } });
});
afterAll(async () => {
  await graph.close();
  await entra.close();
});

describe('simulator control endpoints', () => {
  it('sets up a tenant, an app with an uploaded certificate and a seeded Teams tenant, then the app reads Graph', async () => {
    expect((await post(`${entra.url}/_sim/tenants`, { id: TENANT, displayName: 'Wingtip', domains: ['wingtip.example'] })).status).toBe(201);
    expect((await post(`${entra.url}/_sim/tenants/${TENANT}/apps`, { clientId: 'wingtip-app', graphPermissions: ['User.Read.All'] })).status).toBe(201);
    const cert = createSelfSignedCertificate();
    const uploaded = await post(`${entra.url}/_sim/tenants/wingtip.example/apps/wingtip-app/certificates`, { pem: cert.certPem });
    expect(await uploaded.json()).toEqual({ x5t: cert.x5t, x5tS256: cert.x5tS256 });
    expect((await post(`${entra.url}/_sim/tenants/wingtip.example/apps/wingtip-app/certificates`, { pem: 'garbage' })).status).toBe(400);

    const seeded = await post(`${graph.url}/_sim/tenants`, { tenantId: TENANT, domain: 'wingtip.example', userCount: 12, seed: 9 });
    expect(seeded.status).toBe(201);
    expect(await seeded.json()).toMatchObject({ users: 12 });
    expect((await post(`${graph.url}/_sim/tenants`, { tenantId: TENANT, domain: 'wingtip.example', userCount: 1 })).status).toBe(409);

    const tokenUrl = `${entra.url}/${TENANT}/oauth2/v2.0/token`;
    const token = await postForm(tokenUrl, {
      grant_type: 'client_credentials',
      client_id: 'wingtip-app',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion(cert, 'wingtip-app', tokenUrl),
      scope: 'https://graph.microsoft.com/.default',
    });
    const accessToken = ((await token.json()) as { access_token: string }).access_token;
    const users = await fetch(`${graph.url}/v1.0/users?$top=999`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(((await users.json()) as { value: unknown[] }).value).toHaveLength(12);
  });

  it('registers redirect URIs and sign-in users', async () => {
    await post(`${entra.url}/_sim/tenants`, { displayName: 'Other', domains: ['other.example'] });
    await post(`${entra.url}/_sim/tenants/other.example/apps`, { clientId: 'console', secrets: ['s'] });
    const added = await post(`${entra.url}/_sim/tenants/other.example/apps/console/redirect-uris`, { uri: 'http://localhost:5173/cb' });
    expect(await added.json()).toEqual({ redirectUris: ['http://localhost:5173/cb'] });
    expect((await post(`${entra.url}/_sim/tenants/other.example/users`, { userPrincipalName: 'kim@other.example', displayName: 'Kim' })).status).toBe(201);
    const authorize = await fetch(`${entra.url}/other.example/oauth2/v2.0/authorize?client_id=console&response_type=code&redirect_uri=${encodeURIComponent('http://localhost:5173/cb')}&scope=openid&login_hint=kim@other.example`, { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    expect(authorize.headers.get('location')).toMatch(/^http:\/\/localhost:5173\/cb\?code=/);
  });

  it('uploads a Direct Routing number to a seeded Teams tenant, unassigned, and refuses bad input', async () => {
    const tenantId = '7e57e57e-0000-4000-8000-000000000002';
    expect((await post(`${graph.url}/_sim/tenants`, { tenantId, domain: 'fabrikam.example', userCount: 2, seed: 3 })).status).toBe(201);
    const added = await post(`${graph.url}/_sim/tenants/${tenantId}/numbers`, { telephoneNumber: '+14255559999' });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ telephoneNumber: '+14255559999', numberType: 'directRouting', assignmentStatus: 'unassigned' });
    expect((await post(`${graph.url}/_sim/tenants/${tenantId}/numbers`, { telephoneNumber: '+14255559999' })).status).toBe(409);
    expect((await post(`${graph.url}/_sim/tenants/${tenantId}/numbers`, { telephoneNumber: '4255559998' })).status).toBe(400);
    expect((await post(`${graph.url}/_sim/tenants/${tenantId}/numbers`, { telephoneNumber: '+14255559998', numberType: 'pstn' })).status).toBe(400);
    expect((await post(`${graph.url}/_sim/tenants/00000000-0000-4000-8000-000000000000/numbers`, { telephoneNumber: '+14255559998' })).status).toBe(404);
    expect(graph.state.tenants.get(tenantId)?.numbers.get('+14255559999')).toMatchObject({ numberSource: 'onPremises', assignmentTargetId: null });
  });
});
