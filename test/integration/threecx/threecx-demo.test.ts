import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedThreeCx, startThreeCxSimulator, type RunningThreeCxSimulator } from '../../../simulators/index.ts';
import { connectDemoTenant, seedDemoTenant } from '../../../src/features/demo/demo-tenant.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('demo tenant wired to the 3CX simulator on %s', (target) => {
  let t: TestApp;
  let pbx: RunningThreeCxSimulator;
  beforeAll(async () => {
    pbx = await startThreeCxSimulator({ port: 0, state: seedThreeCx({ userCount: 50, clientId: 'ucr-api', clientSecret: 'demo-3cx-secret' }) });
    t = await startTestApp(target, { UCR_DEMO_THREECX_URL: pbx.url });
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await pbx.close();
  });

  it('connects the demo PBX and brings its DIDs into the inventory once', async () => {
    const { client } = await t.signedInAs('admin');
    await seedDemoTenant(t.deps);
    await connectDemoTenant(t.deps);
    const demo = (await client.get('/api/tenants')).body.tenants.find((x: { isDemo: boolean }) => x.isDemo);
    expect((await client.get(`/api/tenants/${demo.id}/connections/threecx`)).body).toMatchObject({ configured: true, authMode: 'api_client', fqdn: 'pbx.contoso.example' });
    const dids = (await client.get(`/api/tenants/${demo.id}/numbers?kind=threecx_did&limit=100`)).body.numbers as Array<{ status: string; assignee: { type: string } | null }>;
    const onPbx = pbx.state.trunks.reduce((n, x) => n + x.DidNumbers.length, 0);
    expect(dids.length).toBe(onPbx + 1); // plus the seeded Chicago number no trunk has (shown as drift, not retired)
    expect(dids.some((d) => d.status === 'assigned' && d.assignee?.type === 'threecx_extension')).toBe(true);
    await connectDemoTenant(t.deps); // a restart changes nothing
    expect((await client.get(`/api/tenants/${demo.id}/numbers?kind=threecx_did&limit=100`)).body.numbers).toHaveLength(onPbx + 1);
    const drift = (await client.get(`/api/tenants/${demo.id}/threecx/reconcile`)).body.items;
    expect(drift.map((d: { kind: string }) => d.kind)).toEqual(['missing_in_system']);
  });
});
