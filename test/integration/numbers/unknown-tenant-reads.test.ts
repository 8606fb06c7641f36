import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbTargets } from '../../helpers/databases.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * The number page and the Teams user search read the tenant row only when they have nothing
 * else to show (#16: one round trip less per request). These pin what that must keep: a tenant
 * that does not exist is a 404, and an existing tenant with no numbers, or whose directory was
 * never synced, is an empty 200.
 */
describe.each(dbTargets())('number page and Teams user search for tenants with nothing to show on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => {
    await t.close();
  });
  const unknown = '00000000-0000-4000-8000-0000000000aa';

  it('answers 404 for a tenant that does not exist', async () => {
    const { client } = await t.signedInAs('admin');
    expect((await client.get(`/api/tenants/${unknown}/numbers?limit=50`)).status).toBe(404);
    expect((await client.get(`/api/tenants/${unknown}/numbers?limit=50&status=available&search=123`)).status).toBe(404);
    expect((await client.get(`/api/tenants/${unknown}/teams/users?limit=25`)).status).toBe(404);
  });

  it('answers an empty page for an existing tenant with no numbers and no synced directory', async () => {
    const { client } = await t.signedInAs('admin');
    const tenant = await client.post('/api/tenants', { name: 'Nothing here yet' });
    expect(tenant.status).toBe(201);
    const numbers = await client.get(`/api/tenants/${tenant.body.id}/numbers?limit=50&status=available`);
    expect(numbers.status).toBe(200);
    expect(numbers.body.numbers).toEqual([]);
    const users = await client.get(`/api/tenants/${tenant.body.id}/teams/users?limit=25&search=nobody`);
    expect(users.status).toBe(200);
    expect(users.body.users).toEqual([]);
    expect(users.body.directory.syncedAt).toBeNull();
  });
});
