import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../src/db/connection.ts';
import { teamsDirectorySyncs } from '../../../src/db/schema/index.ts';
import { DIRECTORY_REFRESH_QUEUE } from '../../../src/features/teams/directory.ts';
import { declareDirectoryRefreshJobs, workDirectoryRefreshJobs } from '../../../src/features/teams/jobs.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * Opening a tenant's users refreshes a stale directory in the background, once, whichever node
 * (of two on one database) is asked, and without the list waiting for it.
 */
describe.each(dbTargets())('Fresh Teams user lists on %s', (target) => {
  let nodeA: TestApp;
  let nodeB: TestApp;
  let onA: ApiClient;
  let onB: ApiClient;
  let fx: TeamsFixture;
  let tenantId: string;

  beforeAll(async () => {
    nodeA = await startTestApp(target, {}, { withQueue: true });
    // The second node shares the first's queue on the embedded database (one process holds it).
    nodeB = await startTestApp(target, {}, { nodeOf: nodeA, ...(target === 'postgres' ? { withQueue: true } : {}) });
    if (!nodeB.deps.queue) nodeB.deps.queue = nodeA.deps.queue;
    await declareDirectoryRefreshJobs(nodeA.deps.queue!);
    fx = await startTeamsSimulators({ users: 30, seed: 5 });
    nodeA.secrets.add(fx.clientSecret);
    nodeB.secrets.add(fx.clientSecret);
    const admin = await nodeA.signedInAs('admin');
    onA = admin.client;
    onB = admin.client.on(nodeB.url);
    ({ tenantId } = await connectedTenant(onA, fx));
  });
  afterAll(async () => {
    expectNoSecretsInLogs(nodeA);
    expectNoSecretsInLogs(nodeB);
    if (nodeB.deps.queue === nodeA.deps.queue) delete nodeB.deps.queue;
    await nodeB.close();
    await nodeA.close();
    await fx.close();
  });

  const refreshJobs = async () => (await queryRows<{ n: number }>(nodeA.deps.db, sql`select count(*)::int as n from pgboss.job where name = ${DIRECTORY_REFRESH_QUEUE}`))[0]!.n;
  const syncRow = async () => (await nodeA.deps.db.select().from(teamsDirectorySyncs).where(eq(teamsDirectorySyncs.tenantId, tenantId)))[0];

  it('a list synced just now is fresh: opening it queues nothing and shows the sync time', async () => {
    const synced = (await syncRow())!.syncedAt!;
    const list = await onA.get(`/api/tenants/${tenantId}/teams/users?search=a`);
    expect(list.status).toBe(200);
    expect(list.body.directory).toEqual({ syncedAt: synced.toISOString(), refreshing: false, staleAfterMinutes: 15 });
    expect((await onB.get(`/api/tenants/${tenantId}/teams/directory`)).body.refreshing).toBe(false);
    expect(await refreshJobs()).toBe(0);
  });

  it('a stale list opened on two nodes at once queues exactly one sync, and the lists answer at once', async () => {
    const old = new Date(Date.now() - 16 * 60_000);
    await nodeA.deps.db.update(teamsDirectorySyncs).set({ syncedAt: old }).where(eq(teamsDirectorySyncs.tenantId, tenantId));
    const [a, b, c] = await Promise.all([
      onA.get(`/api/tenants/${tenantId}/teams/users?search=a`),
      onB.get(`/api/tenants/${tenantId}/teams/users?search=a`),
      onB.get(`/api/tenants/${tenantId}/teams/directory`),
    ]);
    for (const answer of [a, b]) {
      expect(answer.status).toBe(200);
      expect(answer.body.users.length).toBeGreaterThan(0);
      // Still the old list: the answer did not wait for the sync.
      expect(answer.body.directory).toMatchObject({ syncedAt: old.toISOString(), refreshing: true });
    }
    expect(c.body).toMatchObject({ syncedAt: old.toISOString(), refreshing: true });
    expect(await refreshJobs()).toBe(1);
    // Opened again while it waits: still one.
    await onA.get(`/api/tenants/${tenantId}/teams/directory`);
    expect(await refreshJobs()).toBe(1);

    // A worker (on either node) does it; the list is fresh again and opening it queues nothing more.
    await workDirectoryRefreshJobs(nodeA.deps.queue!, nodeA.deps, { pollingIntervalSeconds: 0.5 });
    let fresh: { syncedAt: string | null; refreshing: boolean } | undefined;
    for (let i = 0; i < 200 && !(fresh && !fresh.refreshing); i++) {
      await new Promise((r) => setTimeout(r, 100));
      fresh = (await onB.get(`/api/tenants/${tenantId}/teams/directory`)).body;
    }
    expect(fresh!.refreshing).toBe(false);
    expect(new Date(fresh!.syncedAt!).getTime()).toBeGreaterThan(old.getTime());
    expect(await refreshJobs()).toBe(1);
  });

  it('the staleness is an installation setting, validated', async () => {
    expect((await onA.get('/api/settings')).body.usersStaleMinutes).toBe(15);
    for (const [value, message] of [
      [0, 'must be at least 1 minute'],
      [1441, 'must be at most 1440 minutes (a day)'],
      [2.5, 'must be whole minutes'],
      ['ten', 'must be a number of minutes'],
    ] as const) {
      const refused = await onA.patch('/api/settings', { usersStaleMinutes: value });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details.fields).toContainEqual({ field: 'usersStaleMinutes', message });
    }
    expect((await onA.get('/api/settings')).body.usersStaleMinutes).toBe(15);
    const saved = await onA.patch('/api/settings', { usersStaleMinutes: 60 });
    expect(saved.status).toBe(200);
    expect(saved.body.usersStaleMinutes).toBe(60);
    // The last sync is minutes old: fresh under an hour's setting.
    expect((await onB.get(`/api/tenants/${tenantId}/teams/directory`)).body).toMatchObject({ refreshing: false, staleAfterMinutes: 60 });
  });
});
