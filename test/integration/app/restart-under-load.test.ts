import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { serverOnFreshData, startServerProcess, type ServerProcess } from '../../helpers/server-process.ts';
import { connectedTenant, startTeamsSimulators } from '../../helpers/teams-fixture.ts';

/**
 * The real server (`ucr serve`) takes concurrent writes — new sites, new numbers, reservations,
 * each carrying a unique marker — while a bulk job runs; it is killed with SIGKILL mid-stream and
 * started again on the same database. Then: every write that was answered 2xx is there exactly
 * once with exactly one audit event; every write refused or never answered is either fully there
 * (row and audit event) or not at all; the bulk job completes with every row done once, no number
 * given twice.
 */
type Kind = 'site' | 'number' | 'reserve';
type Write = { kind: Kind; marker: string; numberId?: string; outcome: 'ok' | 'refused' | 'unanswered'; id?: string };

describe.each(dbTargets())('restart under load on %s', (target) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('keeps every answered write exactly once and resumes the bulk job', async () => {
    const fx = await startTeamsSimulators({ users: 300, seed: 9 });
    cleanups.push(() => fx.close());
    fx.graph.knobs.set({ operationDelayMs: 600, latencyMs: 30 });
    const started = await serverOnFreshData(target, cleanups, 'restart test passphrase');
    const { env, admin } = started;
    let server: ServerProcess = started.server;
    cleanups.push(async () => void (await server.stop()));
    const token = (await admin.post('/api/me/tokens', { name: 'load', access: 'read-write' })).body.token as string;
    const { tenantId, numbers } = await connectedTenant(admin, fx);
    const free = Object.keys(numbers);

    // The bulk job: 12 users, each their own number from the simulator's free ones.
    const users = fx.seeded.byProfile.readyForVoice.slice(0, 12);
    const wanted = new Map(users.map((u, i) => [u.id, free[i]!]));
    const csv = ['UserPrincipalName,PhoneNumber,VoiceRoutingPolicy', ...users.map((u) => `${u.userPrincipalName},${wanted.get(u.id)},US-International`)].join('\n');
    const dry = await fetch(`${server.url}/api/tenants/${tenantId}/bulk-assignments`, { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` }, body: csv }).then((r) => r.json());
    expect(dry.counts.pending).toBe(12);

    // Numbers for reservations: added now, one per reservation, never part of the bulk job.
    const reservable: Array<{ id: string; e164: string }> = [];
    for (let i = 0; i < 60; i++) {
      const e164 = `+1425555${String(1000 + i)}`;
      const added = await admin.post(`/api/tenants/${tenantId}/numbers`, { number: e164, kind: 'direct_routing' });
      expect(added.status).toBe(201);
      reservable.push({ id: added.body.id, e164 });
    }

    const writes: Write[] = [];
    let url = server.url;
    let stop = false;
    let sequence = 0;
    const run = async (id: number) => {
      while (!stop) {
        const n = sequence++;
        const kind: Kind = (['site', 'number', 'reserve'] as const)[n % 3]!;
        const marker = `w${id}-${n}-${randomBytes(3).toString('hex')}`;
        const write: Write = { kind, marker, outcome: 'unanswered' };
        let request: { path: string; body: object };
        if (kind === 'site') request = { path: `/api/tenants/${tenantId}/sites`, body: { name: `Site ${marker}` } };
        else if (kind === 'number') request = { path: `/api/tenants/${tenantId}/numbers`, body: { number: `+1425777${String(1000 + n).slice(-4)}`, kind: 'direct_routing', notes: marker } };
        else {
          const number = reservable[Math.floor(n / 3)];
          if (!number) break;
          write.numberId = number.id;
          request = { path: `/api/tenants/${tenantId}/numbers/${number.id}/lifecycle`, body: { action: 'reserve', reason: marker, until: new Date(Date.now() + 86_400_000).toISOString() } };
        }
        writes.push(write);
        try {
          const response = await fetch(`${url}${request.path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(request.body), signal: AbortSignal.timeout(10_000) });
          const body = (await response.json()) as { id?: string };
          write.outcome = response.ok ? 'ok' : 'refused';
          write.id = body.id;
        } catch {
          write.outcome = 'unanswered'; // killed mid-request, or not listening: outcome unknown to the caller
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };

    await admin.post(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}/run`);
    const writers = [1, 2, 3, 4].map(run);
    // Kill once the bulk job is under way and plenty of writes were answered.
    for (let i = 0; i < 300; i++) {
      const job = (await admin.get(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}`)).body;
      if (job.counts.succeeded >= 3 && writes.filter((w) => w.outcome === 'ok').length >= 30) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await server.stop('SIGKILL')).toBeNull();
    await new Promise((r) => setTimeout(r, 300)); // writers see the dead server
    server = await startServerProcess(env);
    url = server.url;
    await new Promise((r) => setTimeout(r, 1500)); // more writes against the restarted server
    stop = true;
    await Promise.all(writers);

    const again = new ApiClient(server.url, new Set());
    await again.login('admin@ucr.local', started.password);
    let job;
    for (let i = 0; i < 900; i++) {
      job = (await again.get(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}`)).body;
      if (job.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job.status).toBe('completed');
    expect(job.counts).toMatchObject({ succeeded: 12, failed: 0, pending: 0, running: 0 });

    // Every write: answered 2xx → there exactly once; otherwise all or nothing. Audit agrees.
    const sites = (await again.get(`/api/tenants/${tenantId}/sites`)).body.sites as Array<{ id: string; name: string }>;
    const inventory = (await again.get(`/api/tenants/${tenantId}/numbers?limit=500`)).body.numbers as Array<{ id: string; e164: string; notes: string; status: string; reservation: { reason: string | null } | null; assignee: { id: string } | null }>;
    const auditFor = async (targetId: string) => ((await again.get(`/api/audit?targetId=${encodeURIComponent(targetId)}&limit=50`)).body.events as Array<{ action: string }>).map((e) => e.action);
    const counts = { ok: 0, refused: 0, unanswered: 0 };
    for (const write of writes) {
      counts[write.outcome] += 1;
      let found: Array<{ id: string }>;
      let actions: string[] = [];
      if (write.kind === 'site') {
        found = sites.filter((s) => s.name === `Site ${write.marker}`);
        if (found[0]) actions = (await auditFor(found[0].id)).filter((a) => a === 'site.created');
      } else if (write.kind === 'number') {
        found = inventory.filter((row) => row.notes === write.marker);
        if (found[0]) actions = await auditFor(found[0].id);
      } else {
        found = inventory.filter((row) => row.id === write.numberId && row.status === 'reserved' && row.reservation?.reason === write.marker);
        if (found[0]) actions = (await auditFor(found[0].id)).filter((a) => a === 'number.reserve');
      }
      const label = `${write.kind} ${write.marker} (${write.outcome})`;
      if (write.outcome === 'ok') {
        expect(found.length, label).toBe(1);
        if (write.id) expect(found[0]!.id, label).toBe(write.id);
      } else {
        expect(found.length, label).toBeLessThanOrEqual(1);
      }
      expect(actions.length, `${label}: audit events`).toBe(found.length);
    }
    expect(counts.ok).toBeGreaterThanOrEqual(30);

    // The bulk job: each user has exactly their row's number in Teams, one succeeded change each, no number held twice.
    const teamsNumbers = [...fx.graph.state.tenants.get(fx.microsoftTenantId)!.numbers.values()];
    for (const [userId, e164] of wanted) {
      expect(teamsNumbers.filter((n) => n.assignmentTargetId === userId).map((n) => n.telephoneNumber)).toEqual([e164]);
      const changes = (await again.get(`/api/tenants/${tenantId}/voice-changes?userId=${userId}`)).body.changes as Array<{ status: string }>;
      expect(changes.filter((c) => c.status === 'succeeded')).toHaveLength(1);
    }
    const assigned = inventory.filter((row) => row.status === 'assigned').map((row) => row.assignee?.id);
    expect(new Set(assigned).size).toBe(assigned.length);
    expect(inventory.filter((row) => [...wanted.values()].includes(row.e164)).every((row) => row.status === 'assigned')).toBe(true);
  }, 240_000);
});
