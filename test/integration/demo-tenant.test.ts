import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoTenant } from '../../src/services/demo-tenant.ts';
import { dbTargets } from '../helpers/databases.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

describe.each(dbTargets())('demo tenant on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => {
    await t.close();
  });

  it('is seeded once, clearly labelled, with numbers in every status', async () => {
    const { client } = await t.signedInAs('admin');
    expect(await seedDemoTenant(t.deps)).toBe(true);
    expect(await seedDemoTenant(t.deps)).toBe(false);
    const demo = (await client.get('/api/tenants')).body.tenants.find((x: { isDemo: boolean }) => x.isDemo);
    expect(demo).toMatchObject({ name: 'Contoso (demo)', primaryDomain: 'contoso.example' });
    const utilisation = (await client.get(`/api/tenants/${demo.id}/utilisation`)).body;
    // Assigned numbers come from the (simulated) Teams tenant once connected; see the demo start test.
    for (const status of ['available', 'reserved', 'cooling', 'blocked', 'retired']) expect(utilisation.counts[status], status).toBeGreaterThan(0);
    const total = Object.values(utilisation.counts as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(total).toBe(303);
    expect(utilisation.ranges).toHaveLength(2);
    expect((await client.get(`/api/tenants/${demo.id}/numbers?search=reception`)).body.numbers).toHaveLength(1);
  });
});
