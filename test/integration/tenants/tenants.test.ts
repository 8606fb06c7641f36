import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../../../src/db/schema/index.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('tenants on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
  });

  it('creates a tenant with validated identifiers and audits it', async () => {
    const { client } = await t.signedInAs('admin');
    const created = await client.post('/api/tenants', { name: 'Contoso Ltd', microsoftTenantId: '72F988BF-86F1-41AF-91AB-2D7CD011DB47', primaryDomain: 'Contoso.COM', defaultCountry: 'gb' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Contoso Ltd', microsoftTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', primaryDomain: 'contoso.com', defaultCountry: 'GB', status: 'active', isDemo: false });
    expect(created.body.features).toEqual({ teams: true, threecx: true, connectwise: true, manualNumberEntry: false, coolingDays: 30 });
    const [event] = await t.deps.db.select().from(auditEvents).where(eq(auditEvents.targetId, created.body.id));
    expect(event).toMatchObject({ action: 'tenant.created', tenantId: created.body.id });
  });

  it('refuses bad identifiers with the field named, and duplicates', async () => {
    const { client } = await t.signedInAs('admin');
    const bad = await client.post('/api/tenants', { name: 'Bad', microsoftTenantId: 'not-a-guid', primaryDomain: 'no spaces.com', defaultCountry: 'GBR' });
    expect(bad.status).toBe(400);
    const fields = bad.body.error.details.fields.map((f: { field: string }) => f.field).sort();
    expect(fields).toEqual(['defaultCountry', 'microsoftTenantId', 'primaryDomain']);
    await client.post('/api/tenants', { name: 'Fabrikam', microsoftTenantId: '11111111-2222-4333-8444-555555555555' });
    const sameName = await client.post('/api/tenants', { name: 'FABRIKAM' });
    expect(sameName.status).toBe(409);
    const sameMsTenant = await client.post('/api/tenants', { name: 'Other', microsoftTenantId: '11111111-2222-4333-8444-555555555555' });
    expect(sameMsTenant.status).toBe(409);
    expect(sameMsTenant.body.error.message).toMatch(/Fabrikam/);
  });

  it('feature flags fall back to the global defaults an admin sets', async () => {
    const admin = await t.signedInAs('admin');
    const tenant = (await admin.client.post('/api/tenants', { name: 'Northwind', overrides: { coolingDays: 7, threecx: false } })).body;
    expect(tenant.features).toMatchObject({ coolingDays: 7, threecx: false, manualNumberEntry: false });
    await admin.client.enrolTotp((s) => t.totpCode(s)); // settings writes are fine without MFA; this just exercises a full admin
    expect((await admin.client.patch('/api/settings', { manualNumberEntry: true, coolingDays: 14 })).status).toBe(200);
    const after = (await admin.client.get(`/api/tenants/${tenant.id}`)).body;
    expect(after.features).toMatchObject({ manualNumberEntry: true, coolingDays: 7 });
    const reset = await admin.client.patch(`/api/tenants/${tenant.id}`, { overrides: { coolingDays: null } });
    expect(reset.body.features.coolingDays).toBe(14);
    await admin.client.patch('/api/settings', { manualNumberEntry: false, coolingDays: 30 });
  });

  it('archived tenants are hidden by default and read-only', async () => {
    const { client } = await t.signedInAs('admin');
    const tenant = (await client.post('/api/tenants', { name: 'Old Customer' })).body;
    expect((await client.post(`/api/tenants/${tenant.id}/archive`)).body.status).toBe('archived');
    const listed = (await client.get('/api/tenants')).body.tenants.map((x: { id: string }) => x.id);
    expect(listed).not.toContain(tenant.id);
    expect((await client.get('/api/tenants?includeArchived=true')).body.tenants.map((x: { id: string }) => x.id)).toContain(tenant.id);
    const refused = await client.post(`/api/tenants/${tenant.id}/sites`, { name: 'HQ' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('tenant_archived');
    expect((await client.post(`/api/tenants/${tenant.id}/restore`)).body.status).toBe('active');
    expect((await client.post(`/api/tenants/${tenant.id}/sites`, { name: 'HQ' })).status).toBe(201);
  });

  it('an operator sees only the tenants in scope; others are "not found"', async () => {
    const admin = await t.signedInAs('admin');
    const a = (await admin.client.post('/api/tenants', { name: 'Scope A' })).body;
    const b = (await admin.client.post('/api/tenants', { name: 'Scope B' })).body;
    const op = await t.signedInAs('operator');
    await admin.client.patch(`/api/operators/${op.operatorId}`, { allTenants: false, tenantIds: [a.id] });
    const list = (await op.client.get('/api/tenants')).body.tenants.map((x: { id: string }) => x.id);
    expect(list).toEqual([a.id]);
    expect((await op.client.get(`/api/tenants/${a.id}`)).status).toBe(200);
    const hidden = await op.client.get(`/api/tenants/${b.id}`);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.message).toBe('Tenant was not found.');
  });
});
