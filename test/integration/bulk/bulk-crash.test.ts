import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { serverOnFreshData, startServerProcess, type ServerProcess } from '../../helpers/server-process.ts';
import { connectedTenant, startTeamsSimulators } from '../../helpers/teams-fixture.ts';

/**
 * A bulk job survives its worker being killed with SIGKILL mid-run: after a restart the job
 * resumes and ends in the same state an uninterrupted run reaches — every row done once,
 * no number given twice, no row lost.
 */
describe.each(dbTargets())('bulk assignment after SIGKILL on %s', (target) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('resumes to the same final state', async () => {
    const fx = await startTeamsSimulators({ users: 300, seed: 5 });
    cleanups.push(() => fx.close());
    fx.graph.knobs.set({ operationDelayMs: 600, latencyMs: 40 });
    const started = await serverOnFreshData(target, cleanups, 'crash test passphrase');
    const { env, admin } = started;
    let server: ServerProcess = started.server;
    cleanups.push(async () => void (await server.stop()));
    const { tenantId, numbers } = await connectedTenant(admin, fx);

    const users = fx.seeded.byProfile.readyForVoice.slice(0, 16);
    const free = Object.keys(numbers);
    expect(users.length).toBe(16);
    const wanted = new Map(users.map((u, i) => [u.id, free[i]!]));
    const csv = ['UserPrincipalName,PhoneNumber,VoiceRoutingPolicy', ...users.map((u) => `${u.userPrincipalName},${wanted.get(u.id)},US-International`)].join('\n');
    const dry = await fetch(`${server.url}/api/tenants/${tenantId}/bulk-assignments`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', cookie: `ucr_session=${admin.cookie}`, 'x-csrf-token': admin.csrfToken! },
      body: csv,
    }).then((r) => r.json());
    expect(dry.counts.pending).toBe(16);
    await admin.post(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}/run`);

    // Let it get some rows done, then kill the process that runs the job.
    for (let i = 0; i < 200; i++) {
      const job = (await admin.get(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}`)).body;
      if (job.counts.succeeded >= 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await server.stop('SIGKILL')).toBeNull();
    const midway = [...fx.graph.state.tenants.get(fx.microsoftTenantId)!.numbers.values()].filter((n) => n.assignmentTargetId && wanted.has(n.assignmentTargetId)).length;
    expect(midway).toBeLessThan(16);

    server = await startServerProcess(env);
    const again = new ApiClient(server.url, new Set());
    await again.login('admin@ucr.local', started.password);
    let job;
    for (let i = 0; i < 900; i++) {
      job = (await again.get(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}`)).body;
      if (job.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job.status).toBe('completed');
    expect(job.counts).toMatchObject({ succeeded: 16, failed: 0, pending: 0, running: 0 });

    // Teams: each user has exactly the number of their row; no number went to two users.
    const teamsNumbers = [...fx.graph.state.tenants.get(fx.microsoftTenantId)!.numbers.values()];
    for (const [userId, e164] of wanted) {
      const held = teamsNumbers.filter((n) => n.assignmentTargetId === userId).map((n) => n.telephoneNumber);
      expect(held).toEqual([e164]);
    }
    // The app: one voice change per user, and the inventory agrees with Teams.
    for (const userId of wanted.keys()) {
      const changes = (await again.get(`/api/tenants/${tenantId}/voice-changes?userId=${userId}`)).body.changes;
      expect(changes.filter((c: { status: string }) => c.status === 'succeeded')).toHaveLength(1);
    }
    const drift = (await again.get(`/api/tenants/${tenantId}/teams/reconcile`)).body.items.filter((i: { e164: string }) => [...wanted.values()].includes(i.e164));
    expect(drift).toEqual([]);
  }, 180_000);
});
