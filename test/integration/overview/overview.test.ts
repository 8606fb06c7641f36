import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkJobRows, bulkJobs, tenantConnections, voiceChanges } from '../../../src/db/schema/index.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { tenantWithRange } from '../../helpers/inventory.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

const day = 24 * 60 * 60 * 1000;

/**
 * The Overview (L3) is the operator's work list: it is built from the real rows of every tenant the
 * operator may see, each line links to where it is fixed, and nothing of another tenant shows.
 */
describe.each(dbTargets())('overview on %s', (target) => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof tenantWithRange>>;
  let b: Awaited<ReturnType<typeof tenantWithRange>>;
  let admin: Awaited<ReturnType<TestApp['signedInAs']>>['client'];

  beforeAll(async () => {
    t = await startTestApp(target);
    admin = (await t.signedInAs('admin')).client;
    a = await tenantWithRange(admin, { name: 'Alpha', count: 5 });
    b = await tenantWithRange(admin, { name: 'Bravo', count: 20, start: '+14155550300' });
    const now = t.clock.now().getTime();
    const change = (tenantId: string, userUpn: string, status: 'pending' | 'succeeded' | 'failed', ageMs: number, extra: Partial<typeof voiceChanges.$inferInsert> = {}) => ({
      tenantId,
      userId: `user-${userUpn}`,
      userUpn,
      kind: 'assign_number' as const,
      status,
      before: { number: null, policies: {} },
      requested: { number: null, policies: {} },
      createdAt: new Date(now - ageMs),
      ...extra,
    });
    await t.deps.db.insert(voiceChanges).values([
      change(a.tenantId, 'waiting@alpha.example', 'pending', 60_000),
      change(a.tenantId, 'refused@alpha.example', 'failed', 2 * 60_000, { errorMessage: 'The user has no Teams Phone licence.' }),
      // Failed, then done again successfully: settled, not on the list.
      change(a.tenantId, 'fixed@alpha.example', 'failed', 3 * 60_000),
      change(a.tenantId, 'fixed@alpha.example', 'succeeded', 60_000),
      // Failed long ago: not today's work.
      change(a.tenantId, 'old@alpha.example', 'failed', 30 * day),
      change(b.tenantId, 'ticket@bravo.example', 'succeeded', 60_000, { ticketId: '7001', ticketLogStatus: 'failed', ticketLogError: 'The default Work Role is not valid for the selected location.' }),
    ] as never);
    const [running] = await t.deps.db.insert(bulkJobs).values({ tenantId: a.tenantId, fileName: 'joiners.csv', status: 'running', total: 3, startedAt: new Date(now - 60_000) }).returning();
    const [finished] = await t.deps.db.insert(bulkJobs).values({ tenantId: b.tenantId, fileName: 'movers.csv', status: 'completed', total: 2, finishedAt: new Date(now - 60_000) }).returning();
    const row = (jobId: string, rowNumber: number, state: 'pending' | 'succeeded' | 'failed') => ({ jobId, rowNumber, input: { upn: `u${rowNumber}@x.example`, phoneNumber: null, numberType: null, policies: {}, profile: null }, verdict: 'ok' as const, state });
    await t.deps.db.insert(bulkJobRows).values([row(running!.id, 1, 'succeeded'), row(running!.id, 2, 'pending'), row(running!.id, 3, 'pending'), row(finished!.id, 1, 'succeeded'), row(finished!.id, 2, 'failed')]);
    await t.deps.db.insert(tenantConnections).values({
      tenantId: a.tenantId,
      system: 'teams',
      settings: { clientId: 'app', authMethod: 'certificate', cloud: 'global', certificate: { x5tS256: 'x', sha1Hex: 'y', subject: 'CN=UCR', notAfter: new Date(now + 10 * day).toISOString(), publicPem: '' } },
      lastTestAt: new Date(now - 60_000),
      lastTestOk: false,
      lastTestResult: { ok: false, steps: [{ name: 'permissions', ok: false, message: 'The app lacks the Graph permission TeamsTelephoneNumber.ReadWrite.All.' }] },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists every kind of work item from the real rows, worst first, each with where to fix it', async () => {
    const res = await admin.get('/api/overview');
    expect(res.status).toBe(200);
    const items = res.body.items as Array<Record<string, any>>;
    const kinds = items.map((i) => `${i.kind}:${i.tenantName}`).sort();
    expect(kinds).toEqual(
      [
        'bulk_finished_with_errors:Bravo',
        'bulk_running:Alpha',
        'certificate_expiring:Alpha',
        'connection_failing:Alpha',
        'range_running_out:Alpha',
        'ticket_log_failed:Bravo',
        'voice_change_failed:Alpha',
        'voice_change_pending:Alpha',
      ].sort(),
    );
    expect(items.find((i) => i.kind === 'voice_change_failed')).toMatchObject({ severity: 'error', title: 'refused@alpha.example: number change failed', detail: 'The user has no Teams Phone licence.', link: { page: 'voice', user: 'user-refused@alpha.example' } });
    expect(items.find((i) => i.kind === 'bulk_running')).toMatchObject({ progress: { done: 1, total: 3 }, link: { page: 'bulk' } });
    expect(items.find((i) => i.kind === 'ticket_log_failed')).toMatchObject({ title: expect.stringContaining('#7001'), detail: expect.stringMatching(/Work Role/), changeId: expect.any(String) });
    expect(items.find((i) => i.kind === 'connection_failing')!.detail).toMatch(/TeamsTelephoneNumber.ReadWrite.All/);
    expect(items.find((i) => i.kind === 'range_running_out')!.detail).toBe('5 of 5 numbers free (0 % in use).');
    const severities = items.map((i) => i.severity);
    expect(severities).toEqual([...severities].sort((x, y) => ['error', 'warning', 'info'].indexOf(x) - ['error', 'warning', 'info'].indexOf(y)));
    expect(res.body.tenants).toBe(2);
  });

  it("shows a scoped operator only their own tenants' work", async () => {
    const viewer = await t.signedInAs('viewer');
    const scoped = await admin.patch(`/api/operators/${viewer.operatorId}`, { allTenants: false, tenantIds: [b.tenantId] });
    expect(scoped.status).toBe(200);
    const res = await viewer.client.get('/api/overview');
    expect(res.status).toBe(200);
    expect(res.body.tenants).toBe(1);
    expect(new Set(res.body.items.map((i: { tenantId: string }) => i.tenantId))).toEqual(new Set([b.tenantId]));
    expect(res.body.items.map((i: { kind: string }) => i.kind).sort()).toEqual(['bulk_finished_with_errors', 'ticket_log_failed']);

    const nobody = await t.signedInAs('viewer');
    await admin.patch(`/api/operators/${nobody.operatorId}`, { allTenants: false, tenantIds: [] });
    expect((await nobody.client.get('/api/overview')).body).toMatchObject({ tenants: 0, items: [] });
  });

  it('leaves archived tenants out', async () => {
    expect((await admin.post(`/api/tenants/${b.tenantId}/archive`, {})).status).toBeLessThan(300);
    const res = await admin.get('/api/overview');
    expect(res.body.items.some((i: { tenantId: string }) => i.tenantId === b.tenantId)).toBe(false);
  });
});
