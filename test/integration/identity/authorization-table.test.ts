import { operators } from '../../../src/db/schema/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Access } from '../../../src/core/roles.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * Every API route and the access it needs. A new route fails this test until it is added
 * here, so nobody ships a route whose protection was never checked.
 */
const expected: Record<string, Access> = {
  'POST /api/auth/login': 'public',
  'GET /api/auth/session': 'public',
  'POST /api/auth/mfa': 'session',
  'POST /api/auth/logout': 'session',
  'GET /api/auth/providers': 'public',
  'GET /api/auth/entra/start': 'public',
  'GET /api/auth/entra/callback': 'public',
  'GET /api/me': 'self',
  'PATCH /api/me': 'self',
  'GET /api/me/access': 'viewer',
  'POST /api/me/password': 'self',
  'POST /api/me/mfa/totp': 'self',
  'POST /api/me/mfa/totp/confirm': 'self',
  'POST /api/me/mfa/recovery-codes': 'self',
  'POST /api/me/sign-out-everywhere': 'self',
  'GET /api/me/tokens': 'viewer',
  'POST /api/me/tokens': 'viewer',
  'DELETE /api/me/tokens/:id': 'viewer',
  'GET /api/operators': 'admin',
  'GET /api/operators/:id': 'admin',
  'POST /api/operators': 'admin',
  'PATCH /api/operators/:id': 'admin',
  'POST /api/operators/:id/approve': 'admin',
  'POST /api/operators/:id/reset-mfa': 'admin',
  'POST /api/operators/:id/reset-password': 'admin',
  'POST /api/operators/:id/unlock': 'admin',
  'POST /api/operators/:id/sign-out-everywhere': 'admin',
  'GET /api/settings': 'admin',
  'PATCH /api/settings': 'admin',
  'GET /api/settings/entra-sign-in': 'admin',
  'PUT /api/settings/entra-sign-in': 'admin',
  'DELETE /api/settings/entra-sign-in': 'admin',
  'POST /api/settings/entra-sign-in/test': 'admin',
  'POST /api/settings/entra-sign-in/certificate': 'admin',
  'GET /api/settings/entra-sign-in/certificate.cer': 'admin',
  'GET /api/audit': 'viewer',
  'GET /api/overview': 'viewer',
  'GET /api/search': 'viewer',
  'GET /api/reports/utilisation': 'viewer',
  'GET /api/reports/utilisation/export': 'viewer',
  'GET /api/reports/ranges-running-out': 'viewer',
  'GET /api/reports/ranges-running-out/export': 'viewer',
  'GET /api/reports/licensed-without-number': 'viewer',
  'GET /api/reports/licensed-without-number/export': 'viewer',
  'GET /api/reports/teams-drift': 'viewer',
  'GET /api/reports/teams-drift/export': 'viewer',
  'GET /api/audit/export': 'viewer',
  'GET /api/me/preferences/:key': 'viewer',
  'PUT /api/me/preferences/:key': 'viewer',
  'GET /api/me/table-columns/:table': 'viewer',
  'PUT /api/me/table-columns/:table': 'viewer',
  'DELETE /api/me/table-columns/:table': 'viewer',
  'GET /api/tenants': 'viewer',
  'POST /api/tenants': 'admin',
  'POST /api/tenants/resolve-microsoft-tenant': 'admin',
  'GET /api/tenants/:tenantId': 'viewer',
  'PATCH /api/tenants/:tenantId': 'admin',
  'POST /api/tenants/:tenantId/archive': 'admin',
  'POST /api/tenants/:tenantId/restore': 'admin',
  'GET /api/tenants/:tenantId/sites': 'viewer',
  'POST /api/tenants/:tenantId/sites': 'operator',
  'PATCH /api/tenants/:tenantId/sites/:siteId': 'operator',
  'GET /api/tenants/:tenantId/ranges': 'viewer',
  'POST /api/tenants/:tenantId/ranges': 'operator',
  'GET /api/tenants/:tenantId/ranges/:rangeId': 'viewer',
  'GET /api/tenants/:tenantId/numbers': 'viewer',
  'POST /api/tenants/:tenantId/numbers': 'operator',
  'GET /api/tenants/:tenantId/numbers/facets': 'viewer',
  'GET /api/tenants/:tenantId/numbers/export': 'viewer',
  'POST /api/tenants/:tenantId/numbers/import': 'operator',
  'POST /api/tenants/:tenantId/numbers/allocate': 'operator',
  'GET /api/tenants/:tenantId/numbers/:numberId': 'viewer',
  'PATCH /api/tenants/:tenantId/numbers/:numberId': 'operator',
  'DELETE /api/tenants/:tenantId/numbers/:numberId': 'operator',
  'POST /api/tenants/:tenantId/numbers/bulk': 'operator',
  'POST /api/tenants/:tenantId/numbers/:numberId/lifecycle': 'operator',
  'GET /api/tenants/:tenantId/numbers/:numberId/history': 'viewer',
  'GET /api/tenants/:tenantId/utilisation': 'viewer',
  'GET /api/tenants/:tenantId/connections/teams': 'viewer',
  'PUT /api/tenants/:tenantId/connections/teams': 'admin',
  'DELETE /api/tenants/:tenantId/connections/teams': 'admin',
  'POST /api/tenants/:tenantId/connections/teams/certificate': 'admin',
  'POST /api/tenants/:tenantId/connections/teams/certificate/generate': 'admin',
  'GET /api/tenants/:tenantId/connections/teams/certificate.cer': 'viewer',
  'POST /api/tenants/:tenantId/connections/teams/test': 'operator',
  'POST /api/tenants/:tenantId/teams/sync': 'operator',
  'GET /api/tenants/:tenantId/teams/users': 'viewer',
  'GET /api/tenants/:tenantId/teams/directory': 'viewer',
  'GET /api/tenants/:tenantId/teams/users/:userId': 'viewer',
  'POST /api/tenants/:tenantId/teams/users/:userId/voice': 'operator',
  'GET /api/tenants/:tenantId/voice-changes': 'viewer',
  'GET /api/tenants/:tenantId/voice-changes/:changeId': 'viewer',
  'POST /api/tenants/:tenantId/voice-changes/:changeId/revert': 'operator',
  'GET /api/tenants/:tenantId/teams/policies': 'viewer',
  'POST /api/tenants/:tenantId/teams/policies': 'admin',
  'POST /api/tenants/:tenantId/teams/policies/refresh': 'admin',
  'GET /api/tenants/:tenantId/voice-apps': 'viewer',
  'POST /api/tenants/:tenantId/voice-apps/refresh': 'operator',
  'GET /api/tenants/:tenantId/voice-apps/export': 'viewer',
  'GET /api/tenants/:tenantId/teams/reconcile': 'viewer',
  'POST /api/tenants/:tenantId/teams/reconcile/fix': 'operator',
  'GET /api/tenants/:tenantId/voice-profiles': 'viewer',
  'POST /api/tenants/:tenantId/voice-profiles': 'operator',
  'PUT /api/tenants/:tenantId/voice-profiles/:profileId': 'operator',
  'DELETE /api/tenants/:tenantId/voice-profiles/:profileId': 'operator',
  'POST /api/tenants/:tenantId/teams/users/:userId/apply-profile': 'operator',
  'GET /api/tenants/:tenantId/bulk-assignments/template.csv': 'viewer',
  'POST /api/tenants/:tenantId/bulk-assignments': 'operator',
  'POST /api/tenants/:tenantId/bulk-assignments/from-selection': 'operator',
  'GET /api/tenants/:tenantId/bulk-assignments': 'viewer',
  'GET /api/tenants/:tenantId/bulk-assignments/:jobId': 'viewer',
  'POST /api/tenants/:tenantId/bulk-assignments/:jobId/run': 'operator',
  'POST /api/tenants/:tenantId/bulk-assignments/:jobId/cancel': 'operator',
  'POST /api/tenants/:tenantId/bulk-assignments/:jobId/retry': 'operator',
  'GET /api/tenants/:tenantId/bulk-assignments/:jobId/results.csv': 'viewer',
  'GET /api/tenants/:tenantId/emergency/locations': 'viewer',
  'POST /api/tenants/:tenantId/emergency/locations': 'operator',
  'POST /api/tenants/:tenantId/emergency/addresses': 'operator',
  'POST /api/tenants/:tenantId/emergency/locations/refresh': 'operator',
  'POST /api/tenants/:tenantId/emergency/locations/import': 'operator',
  'GET /api/tenants/:tenantId/emergency/defaults': 'viewer',
  'PUT /api/tenants/:tenantId/emergency/defaults/:kind/:id': 'operator',
  'GET /api/tenants/:tenantId/emergency/report': 'viewer',
  'POST /api/tenants/:tenantId/emergency/report/read-teams': 'operator',
  'POST /api/tenants/:tenantId/emergency/report/fix': 'operator',
  'PUT /api/tenants/:tenantId/numbers/:numberId/emergency-location': 'operator',
  'POST /api/tenants/:tenantId/voice-apps/resource-accounts': 'operator',
  'GET /api/tenants/:tenantId/voice-apps/resource-accounts/jobs/:jobId': 'viewer',
  'POST /api/tenants/:tenantId/voice-apps/resource-accounts/:objectId/number': 'operator',
  'DELETE /api/tenants/:tenantId/voice-apps/resource-accounts/:objectId/number': 'operator',
  'POST /api/tenants/:tenantId/lifecycle/onboard': 'operator',
  'POST /api/tenants/:tenantId/lifecycle/offboard': 'operator',
  'GET /api/tenants/:tenantId/lifecycle/licences': 'viewer',
  'GET /api/tenants/:tenantId/lifecycle/onboard-template.csv': 'viewer',
  'POST /api/tenants/:tenantId/lifecycle/onboard.csv': 'operator',
  'GET /api/tenants/:tenantId/lifecycle/jobs': 'viewer',
  'GET /api/tenants/:tenantId/lifecycle/jobs/:jobId': 'viewer',
  'POST /api/tenants/:tenantId/lifecycle/jobs/:jobId/retry': 'operator',
  'POST /api/tenants/:tenantId/lifecycle/jobs/:jobId/undo': 'operator',
  'POST /api/tenants/:tenantId/scheduled-changes': 'operator',
  'GET /api/tenants/:tenantId/scheduled-changes': 'viewer',
  'GET /api/scheduled-changes': 'viewer',
  'PATCH /api/tenants/:tenantId/scheduled-changes/:scheduledId': 'operator',
  'POST /api/tenants/:tenantId/scheduled-changes/:scheduledId/cancel': 'operator',
  'GET /api/tenants/:tenantId/connections/connectwise': 'viewer',
  'PUT /api/tenants/:tenantId/connections/connectwise': 'admin',
  'DELETE /api/tenants/:tenantId/connections/connectwise': 'admin',
  'POST /api/tenants/:tenantId/connections/connectwise/test': 'operator',
  'GET /api/tenants/:tenantId/connectwise/tickets': 'viewer',
  'GET /api/tenants/:tenantId/connectwise/tickets/:ticketId/statuses': 'viewer',
  'GET /api/tenants/:tenantId/connectwise/tickets/:ticketId/log-options': 'viewer',
  'GET /api/tenants/:tenantId/connectwise/choices': 'viewer',
  'GET /api/tenants/:tenantId/connectwise/boards/:boardId/statuses': 'viewer',
  'GET /api/connectwise/members': 'admin',
  'POST /api/tenants/:tenantId/voice-changes/:changeId/ticket-log/retry': 'operator',
  'GET /api/tenants/:tenantId/connections/threecx': 'viewer',
  'PUT /api/tenants/:tenantId/connections/threecx': 'admin',
  'DELETE /api/tenants/:tenantId/connections/threecx': 'admin',
  'POST /api/tenants/:tenantId/connections/threecx/test': 'operator',
  'GET /api/tenants/:tenantId/threecx/extensions': 'viewer',
  'POST /api/tenants/:tenantId/threecx/extensions': 'operator',
  'GET /api/tenants/:tenantId/threecx/extensions/:extensionId': 'viewer',
  'PATCH /api/tenants/:tenantId/threecx/extensions/:extensionId': 'operator',
  'POST /api/tenants/:tenantId/threecx/extensions/:extensionId/renumber': 'operator',
  'DELETE /api/tenants/:tenantId/threecx/extensions/:extensionId': 'operator',
  'GET /api/tenants/:tenantId/threecx/changes': 'viewer',
  'POST /api/tenants/:tenantId/threecx/changes/:changeId/revert': 'operator',
  'GET /api/tenants/:tenantId/threecx/dids': 'viewer',
  'POST /api/tenants/:tenantId/threecx/dids': 'operator',
  'PATCH /api/tenants/:tenantId/threecx/dids/:did': 'operator',
  'DELETE /api/tenants/:tenantId/threecx/dids/:did': 'operator',
  'GET /api/tenants/:tenantId/threecx/system': 'viewer',
  'GET /api/tenants/:tenantId/threecx/trunks': 'viewer',
  'GET /api/tenants/:tenantId/threecx/trunks/:trunkId': 'viewer',
  'PATCH /api/tenants/:tenantId/threecx/trunks/:trunkId': 'operator',
  'GET /api/tenants/:tenantId/threecx/reconcile': 'viewer',
  'POST /api/tenants/:tenantId/threecx/reconcile/fix': 'operator',
};

/** Fills every path parameter with a well-formed id (or a valid key). */
function concrete(url: string, tenantId = someId): string {
  return url.replace(':tenantId', tenantId).replace(':key', 'numbers.columns').replace(':ticketId', '123').replace(/:[a-zA-Z]+/g, someId);
}

const roleOrder = ['viewer', 'operator', 'admin'] as const;
const someId = '3f1c2a7e-5d4b-4c1a-9e8f-0a1b2c3d4e5f';

describe.each(dbTargets())('authorization table on %s', (target) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
  });

  it('the table and the app agree: every /api route is listed, with the access it declares', () => {
    const actual = Object.fromEntries(
      t.app.registeredRoutes.filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs')).map((r) => [`${r.method} ${r.url}`, r.access]),
    );
    expect(actual).toEqual(expected);
  });

  it('anonymous callers get 401 on every route that is not public', async () => {
    const anonymous = t.client();
    for (const [key, access] of Object.entries(expected)) {
      if (access === 'public') continue;
      const [method, url] = key.split(' ') as [string, string];
      const res = await anonymous.request(method, concrete(url), method === 'GET' || method === 'DELETE' ? undefined : {});
      expect(res.status, key).toBe(401);
    }
  });

  it('each role is refused (403) on routes above it and let through on routes at or below it', async () => {
    for (const role of roleOrder) {
      // One operator per role (signing in hashes a password, too slow per route); a route that
      // ended the caller's session shows as 401, and the call is repeated with a fresh operator.
      let { client } = await t.signedInAs(role);
      for (const [key, access] of Object.entries(expected)) {
        if (access === 'public' || access === 'session' || access === 'self') continue;
        const [method, url] = key.split(' ') as [string, string];
        const body = method === 'GET' || method === 'DELETE' ? undefined : {};
        let res = await client.request(method, concrete(url), body);
        if (res.status === 401) {
          ({ client } = await t.signedInAs(role));
          res = await client.request(method, concrete(url), body);
        }
        const allowed = roleOrder.indexOf(role) >= roleOrder.indexOf(access as (typeof roleOrder)[number]);
        if (allowed) expect([401, 403], `${role} ${key} should pass authorization (got ${res.status} ${JSON.stringify(res.body)})`).not.toContain(res.status);
        else expect(res.status, `${role} ${key}`).toBe(403);
      }
    }
  }, 120_000);

  it('an operator scoped to one tenant gets 404 for another tenant on every tenant route, for every method', async () => {
    const admin = await t.signedInAs('admin');
    const mine = (await admin.client.post('/api/tenants', { name: `Mine ${Math.random()}` })).body;
    const theirs = (await admin.client.post('/api/tenants', { name: `Theirs ${Math.random()}` })).body;
    const scoped = await t.signedInAs('admin'); // the highest role: scope must hold even for admins with a tenant list
    await admin.client.patch(`/api/operators/${scoped.operatorId}`, { allTenants: false, tenantIds: [mine.id] });
    const tenantRoutes = Object.keys(expected).filter((k) => k.includes(':tenantId'));
    expect(tenantRoutes.length).toBeGreaterThan(15);
    for (const key of tenantRoutes) {
      const [method, url] = key.split(' ') as [string, string];
      const res = await scoped.client.request(method, concrete(url, theirs.id), method === 'GET' || method === 'DELETE' ? undefined : {});
      expect(res.status, key).toBe(404);
      expect(res.body.error.message, key).toBe('Tenant was not found.');
    }
    expect((await scoped.client.get(`/api/tenants/${mine.id}/numbers`)).status).toBe(200);
    // The audit log shows the scoped admin nothing of the other tenant.
    const audit = (await scoped.client.get('/api/audit?limit=500')).body.events as Array<{ tenantId: string | null }>;
    expect(audit.some((e) => e.tenantId === theirs.id)).toBe(false);
    expect((await admin.client.get(`/api/audit?tenantId=${theirs.id}`)).body.events.length).toBeGreaterThan(0);
    // Read-only token of a scoped operator: same scope.
    const token = (await scoped.client.post('/api/me/tokens', { name: 'scoped', access: 'read' })).body.token;
    expect((await t.client().withToken(token).get(`/api/tenants/${theirs.id}/numbers/export`)).status).toBe(404);
  });

  it('an operator gets exactly the tenant scope the admin chose, and nothing by default', async () => {
    const { client: admin } = await t.signedInAs('admin');
    const one = (await admin.post('/api/tenants', { name: `Scope one ${Math.random()}` })).body;
    const two = (await admin.post('/api/tenants', { name: `Scope two ${Math.random()}` })).body;
    const create = (body: Record<string, unknown>) => admin.post('/api/operators', { email: `scope-${Math.random().toString(36).slice(2)}@msp.example`, displayName: 'Scope', role: 'operator', ...body });

    // Naming tenants means those tenants (this answered allTenants: true before).
    const named = await create({ tenantIds: [one.id] });
    expect(named.status).toBe(201);
    expect(named.body.operator).toMatchObject({ allTenants: false, tenantIds: [one.id] });
    // All tenants only when asked for in so many words.
    expect((await create({ allTenants: true })).body.operator).toMatchObject({ allTenants: true, tenantIds: [] });
    expect((await create({ allTenants: false, tenantIds: [] })).body.operator).toMatchObject({ allTenants: false, tenantIds: [] });
    // Both, or neither: refused with the field named, and nobody is created.
    const before = (await admin.get('/api/operators')).body.length;
    const both = await create({ allTenants: true, tenantIds: [one.id] });
    expect(both.status).toBe(400);
    expect(both.body.error.details.fields).toEqual([expect.objectContaining({ field: 'tenantIds' })]);
    const neither = await create({});
    expect(neither.status).toBe(400);
    expect(neither.body.error.message).toMatch(/Choose the tenant scope/);
    expect((await admin.get('/api/operators')).body.length).toBe(before);

    // Changing the scope: tenant ids alone limit an all-tenants operator to exactly those.
    const wide = (await create({ allTenants: true })).body.operator;
    expect((await admin.patch(`/api/operators/${wide.id}`, { tenantIds: [two.id] })).body).toMatchObject({ allTenants: false, tenantIds: [two.id] });
    expect((await admin.patch(`/api/operators/${wide.id}`, { allTenants: true, tenantIds: [one.id] })).status).toBe(400);
    expect((await admin.patch(`/api/operators/${wide.id}`, { displayName: 'Renamed' })).body).toMatchObject({ allTenants: false, tenantIds: [two.id] });
  });

  it('a new operator row, an Entra sign-in waiting for approval and an approval without a scope get no tenant', async () => {
    const [row] = await t.deps.db.insert(operators).values({ email: `raw-${Math.random()}@msp.example`, displayName: 'Raw', role: 'viewer', status: 'pending' }).returning();
    expect(row).toMatchObject({ allTenants: false, tenantIds: [] });
    const { client: admin } = await t.signedInAs('admin');
    const approved = await admin.post(`/api/operators/${row!.id}/approve`, { role: 'viewer' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'active', allTenants: false, tenantIds: [] });
  });

  it('a read-only API token can read but not write, and cannot manage credentials', async () => {
    const { client } = await t.signedInAs('admin');
    const created = await client.post('/api/me/tokens', { name: 'reader', access: 'read' });
    const reader = t.client().withToken(created.body.token);
    expect((await reader.get('/api/operators')).status).toBe(200);
    const write = await reader.patch('/api/settings', { lockoutMinutes: 20 });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('token_read_only');
    const rw = await client.post('/api/me/tokens', { name: 'writer', access: 'read-write' });
    const writer = t.client().withToken(rw.body.token);
    const mint = await writer.post('/api/me/tokens', { name: 'escalate', access: 'read-write' });
    expect(mint.status).toBe(403);
    expect(mint.body.error.code).toBe('session_required');
  });
});
