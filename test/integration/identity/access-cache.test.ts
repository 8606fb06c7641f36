import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../../src/db/connection.ts';
import { ACCESS_LISTENER_NAME } from '../../../src/features/identity/access-cache.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/** Counts the statements a database handle's pool sends (not the LISTEN connection), letting every one through unchanged. */
function countQueries(database: Database): { count(): number; stop(): void } {
  const spy = database.kind === 'postgres' ? vi.spyOn(database.pool, 'query') : vi.spyOn(database.pglite, 'query');
  return { count: () => spy.mock.calls.length, stop: () => spy.mockRestore() };
}

async function queriesDuring(database: Database, work: () => Promise<void>): Promise<number> {
  const counter = countQueries(database);
  try {
    await work();
    return counter.count();
  } finally {
    counter.stop();
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!condition()) throw new Error(`gave up waiting: ${what}`);
}

/**
 * Two nodes of one installation: each its own HTTP app, access cache and listener; on PostgreSQL
 * each its own pool and LISTEN connection. On PGlite (one process only) both apps share the one
 * embedded database, each with its own listen() subscription.
 */
describe.each(dbTargets())('access cache across two nodes on %s', (target) => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp(target);
    b = await startTestApp(target, {}, { nodeOf: a });
  });
  afterAll(async () => {
    expectNoSecretsInLogs(a);
    expectNoSecretsInLogs(b);
    await b.close();
    await a.close();
  });

  async function tokenOf(client: ApiClient, access: 'read' | 'read-write' = 'read'): Promise<{ token: string; id: string }> {
    const created = await client.post('/api/me/tokens', { name: `cache-${access}`, access });
    expect(created.status).toBe(201);
    return { token: created.body.token, id: created.body.apiToken.id };
  }

  /** Makes node B hold the caller in its cache, and shows it does: the second request reads nothing. */
  async function warmOnB(client: ApiClient): Promise<void> {
    expect((await client.get('/api/me/access')).status).toBe(200);
    expect(await queriesDuring(b.testDb.database, async () => expect((await client.get('/api/me/access')).status).toBe(200))).toBe(0);
  }

  it('after the first request a token and a session cost no database statement', async () => {
    expect(a.app.accessCache.tokens.isLive).toBe(true);
    const op = await a.signedInAs('viewer');
    const bearer = a.client().withToken((await tokenOf(op.client)).token);
    expect((await bearer.get('/api/me/access')).status).toBe(200);
    expect((await op.client.get('/api/me/access')).status).toBe(200);
    const statements = await queriesDuring(a.testDb.database, async () => {
      for (let i = 0; i < 5; i++) {
        expect((await bearer.get('/api/me/access')).status).toBe(200);
        expect((await op.client.get('/api/me/access')).status).toBe(200);
      }
    });
    expect(statements).toBe(0);
    // The same requests on a node that has not seen the caller yet do read the database.
    expect(await queriesDuring(b.testDb.database, async () => expect((await bearer.on(b.url).get('/api/me/access')).status).toBe(200))).toBeGreaterThan(0);
  });

  it('a token revoked on node A is refused by node B at its next request', async () => {
    const op = await a.signedInAs('operator');
    const { token, id } = await tokenOf(op.client);
    const onB = b.client().withToken(token);
    await warmOnB(onB);
    expect((await op.client.delete(`/api/me/tokens/${id}`)).status).toBe(200);
    const refused = await onB.get('/api/me/access');
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid_token');
  });

  it('an operator disabled on node A loses token and session on node B at the next request', async () => {
    const admin = await a.signedInAs('admin');
    const op = await a.signedInAs('operator');
    const tokenOnB = b.client().withToken((await tokenOf(op.client)).token);
    const sessionOnB = op.client.on(b.url);
    await warmOnB(tokenOnB);
    await warmOnB(sessionOnB);
    expect((await admin.client.patch(`/api/operators/${op.operatorId}`, { status: 'disabled' })).status).toBe(200);
    expect((await tokenOnB.get('/api/me/access')).status).toBe(401);
    expect((await sessionOnB.get('/api/me/access')).status).toBe(401);
  });

  it('a tenant-scope change on node A applies on node B at the next request, both ways', async () => {
    const admin = await a.signedInAs('admin');
    const tenant = (await admin.client.post('/api/tenants', { name: `Scope ${target}` })).body as { id: string };
    const op = await a.signedInAs('viewer');
    expect((await admin.client.patch(`/api/operators/${op.operatorId}`, { allTenants: false, tenantIds: [tenant.id] })).status).toBe(200);
    const onB = b.client().withToken((await tokenOf(op.client)).token);
    expect((await onB.get(`/api/tenants/${tenant.id}`)).status).toBe(200);
    await warmOnB(onB);
    expect((await admin.client.patch(`/api/operators/${op.operatorId}`, { tenantIds: [] })).status).toBe(200);
    expect((await onB.get(`/api/tenants/${tenant.id}`)).status).toBe(404);
    await warmOnB(onB);
    expect((await admin.client.patch(`/api/operators/${op.operatorId}`, { tenantIds: [tenant.id] })).status).toBe(200);
    expect((await onB.get(`/api/tenants/${tenant.id}`)).status).toBe(200);
  });

  it('a role change on node A applies to a token on node B at the next request', async () => {
    const admin = await a.signedInAs('admin');
    const op = await a.signedInAs('admin');
    const onB = b.client().withToken((await tokenOf(op.client)).token);
    await warmOnB(onB);
    expect((await onB.get('/api/operators')).status).toBe(200);
    expect((await admin.client.patch(`/api/operators/${op.operatorId}`, { role: 'viewer' })).status).toBe(200);
    expect((await onB.get('/api/operators')).status).toBe(403);
  });

  it('signing out on node A ends the session on node B', async () => {
    const op = await a.signedInAs('viewer');
    const onB = op.client.on(b.url);
    await warmOnB(onB);
    expect((await op.client.post('/api/auth/logout')).status).toBeLessThan(300);
    expect((await onB.get('/api/me/access')).status).toBe(401);
  });

  it.runIf(target === 'postgres')('when its LISTEN connection drops, a node reads the database for every request until it is back', async () => {
    const op = await a.signedInAs('viewer');
    const { token, id } = await tokenOf(op.client);
    const onB = b.client().withToken(token);
    await warmOnB(onB);
    const admin = new pg.Client({ connectionString: b.testDb.url });
    await admin.connect();
    try {
      const cut = await admin.query('select pg_terminate_backend(pid) as cut from pg_stat_activity where application_name = $1 and datname = current_database()', [ACCESS_LISTENER_NAME]);
      expect(cut.rows.length).toBe(2); // one listener per node
    } finally {
      await admin.end();
    }
    await until(() => !b.app.accessCache.tokens.isLive || b.app.accessCache.tokens.size === 0, 'node B notices the lost listener');
    // Whatever B held is gone: the next request reads the database again.
    expect(await queriesDuring(b.testDb.database, async () => expect((await onB.get('/api/me/access')).status).toBe(200))).toBeGreaterThan(0);
    await until(() => b.app.accessCache.tokens.isLive, 'node B listens again');
    await warmOnB(onB);
    // And notifications reach it again.
    expect((await op.client.delete(`/api/me/tokens/${id}`)).status).toBe(200);
    expect((await onB.get('/api/me/access')).status).toBe(401);
  });
});
