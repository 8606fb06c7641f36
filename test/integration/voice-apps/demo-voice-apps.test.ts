import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoStates, DEMO, startEntraSimulator, startGraphSimulator, type RunningEntraSimulator, type RunningGraphSimulator } from '../../../simulators/index.ts';
import { connectDemoTenant, seedDemoTenant } from '../../../src/features/demo/demo-tenant.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

// The demo with the simulated Teams PowerShell, as `npm start` wires it (UCR_PWSH_PATH to
// simulators/teams-powershell/pwsh.mjs): the demo tenant signs in with a certificate, which it
// registers with the simulated Entra ID on every start, and reads its front door through the bridge.
const simulatedPwsh = fileURLToPath(new URL('../../../simulators/teams-powershell/pwsh.mjs', import.meta.url));

describe.each(dbTargets())('demo voice apps through the simulated Teams PowerShell on %s', (target) => {
  let t: TestApp;
  let entra: RunningEntraSimulator;
  let graph: RunningGraphSimulator;
  let states: ReturnType<typeof buildDemoStates>;
  beforeAll(async () => {
    states = buildDemoStates();
    entra = await startEntraSimulator({ port: 0, state: states.entra });
    graph = await startGraphSimulator({ port: 0, state: states.graph, trust: entra });
    process.env.FAKE_PWSH_GRAPH_URL = graph.url;
    t = await startTestApp(target, { UCR_DEMO_GRAPH_URL: graph.url, UCR_DEMO_LOGIN_URL: entra.url, UCR_PWSH_PATH: simulatedPwsh });
    t.secrets.add(DEMO.clientSecret);
  });
  afterAll(async () => {
    delete process.env.FAKE_PWSH_GRAPH_URL;
    expectNoSecretsInLogs(t);
    await t?.close();
    await graph?.close();
    await entra?.close();
  });

  it('reads the demo’s auto attendant and call queues, again after a restart of the simulators', async () => {
    const { client } = await t.signedInAs('admin');
    await seedDemoTenant(t.deps);
    await connectDemoTenant(t.deps);
    const demo = (await client.get('/api/tenants')).body.tenants.find((x: { isDemo: boolean }) => x.isDemo);
    expect((await client.get(`/api/tenants/${demo.id}/connections/teams`)).body).toMatchObject({ authMethod: 'certificate', configured: true });
    const first = await client.post(`/api/tenants/${demo.id}/voice-apps/refresh`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.bridge.status).toBe('read');
    expect(first.body.autoAttendants.map((a: { name: string }) => a.name)).toEqual(['Contoso Main Line']);
    expect(first.body.callQueues.map((q: { name: string }) => q.name).sort()).toEqual(['Contoso Sales', 'Contoso Support']);

    // A new start: the simulated Entra ID has forgotten the certificate; the demo registers the stored one again.
    const { thumbprint } = (await client.get(`/api/tenants/${demo.id}/connections/teams`)).body.certificate;
    const app = states.entra.tenants.get(DEMO.tenantId)!.apps.get(DEMO.clientId)!;
    app.certificates.length = 0;
    await connectDemoTenant(t.deps);
    expect(app.certificates).toHaveLength(1);
    expect((await client.get(`/api/tenants/${demo.id}/connections/teams`)).body.certificate.thumbprint).toBe(thumbprint);
    const again = await client.post(`/api/tenants/${demo.id}/voice-apps/refresh`);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.bridge.status).toBe('read');
  });
});
