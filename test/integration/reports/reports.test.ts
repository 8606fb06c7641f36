import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileChecks } from '../../../src/db/schema/index.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { tenantWithRange } from '../../helpers/inventory.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';
import { twoCustomers } from '../search/fixture.ts';

/**
 * The cross-tenant reports (#19), each from the real rows, filterable by tenant, exported as
 * spreadsheet-safe CSV, and scoped like every other route.
 */
describe.each(dbTargets())('cross-tenant reports on %s', (target) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['signedInAs']>>['client'];
  let data: Awaited<ReturnType<typeof twoCustomers>>;
  let formula: Awaited<ReturnType<typeof tenantWithRange>>;

  beforeAll(async () => {
    t = await startTestApp(target);
    admin = (await t.signedInAs('admin')).client;
    data = await twoCustomers(t, admin);
    // A tenant whose name a spreadsheet would run as a formula, with a nearly full range.
    formula = await tenantWithRange(admin, { name: '=HYPERLINK("http://evil.example","x")', count: 10, start: '+12065550100' });
    for (const n of formula.numbers.slice(0, 9)) {
      const res = await admin.post(`/api/tenants/${formula.tenantId}/numbers/${n.id}/lifecycle`, { action: 'reserve', reason: 'Porting', until: new Date(t.clock.now().getTime() + 86_400_000).toISOString() });
      expect(res.status).toBe(200);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('utilisation: numbers by status per tenant and per range', async () => {
    const res = await admin.get('/api/reports/utilisation');
    expect(res.status).toBe(200);
    const alpha = res.body.tenants.find((x: any) => x.tenantId === data.alpha.tenantId);
    expect(alpha).toMatchObject({ total: 20, inUse: 3, percentInUse: 15, counts: { assigned: 3, available: 17, reserved: 0 } });
    expect(res.body.tenants.find((x: any) => x.tenantId === formula.tenantId)).toMatchObject({ total: 10, inUse: 9, percentInUse: 90 });
    expect(res.body.ranges.find((r: any) => r.rangeId === data.bravo.rangeId)).toMatchObject({ name: 'Main', size: 5, free: 4, inUse: 1, percentInUse: 20, startE164: '+14155550300', endE164: '+14155550304' });

    const one = await admin.get(`/api/reports/utilisation?tenantId=${data.bravo.tenantId}`);
    expect(one.body.tenants.map((x: any) => x.tenantId)).toEqual([data.bravo.tenantId]);
    expect(one.body.ranges.map((x: any) => x.tenantId)).toEqual([data.bravo.tenantId]);
  });

  it('utilisation as CSV: every cell spreadsheet-safe, numbers and formulas included', async () => {
    const res = await admin.get('/api/reports/utilisation/export');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="utilisation-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = (res.body as string).replace(/^\uFEFF/, '');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('level,tenant,range,first_number,last_number,size,available,reserved,assigned,cooling,blocked,retired,in_use,percent_in_use');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(lines.find((l) => l.startsWith('range,') && l.includes('14155550300'))).toContain(",Main,'+14155550300,'+14155550304,5,4,0,1,0,0,0,1,20");
    const events = await admin.get('/api/audit?action=report.exported');
    expect(events.body.events?.[0] ?? events.body.items?.[0]).toMatchObject({ action: 'report.exported', targetId: 'utilisation' });
  });

  it('ranges running out: 90 % in use, or fewer free than the setting', async () => {
    const ids = async () => (await admin.get('/api/reports/ranges-running-out')).body.ranges.map((r: any) => r.rangeId);
    const res = await admin.get('/api/reports/ranges-running-out');
    expect(res.body).toMatchObject({ fullPercent: 90, lowFree: 10 });
    // Default 10: Bravo's 5-number range (4 free) and the 90 %-reserved range; not Alpha's (17 free of 20).
    expect(await ids()).toEqual([formula.rangeId, data.bravo.rangeId]);
    expect((await admin.patch('/api/settings', { rangeLowFree: 0 })).status).toBe(200);
    // Saving a setting empties this node's settings cache, which the Overview reads too.
    expect((await admin.get('/api/settings')).body.rangeLowFree).toBe(0);
    expect(await ids()).toEqual([formula.rangeId]);
    expect((await admin.patch('/api/settings', { rangeLowFree: 18 })).status).toBe(200);
    expect(await ids()).toEqual([formula.rangeId, data.bravo.rangeId, data.alpha.rangeId]);
    const csv = await admin.get(`/api/reports/ranges-running-out/export?tenantId=${data.bravo.tenantId}`);
    expect(csv.headers.get('content-disposition')).toMatch(/filename="ranges-running-out-Bravo-[a-z0-9]+-\d{4}-\d{2}-\d{2}\.csv"/);
    expect((csv.body as string).trim().split('\n')).toHaveLength(2);
    await admin.patch('/api/settings', { rangeLowFree: 10 });
  });

  it('Teams Phone-licensed users without a number, from the stored directory, with when it was read', async () => {
    const res = await admin.get('/api/reports/licensed-without-number');
    expect(res.status).toBe(200);
    expect(res.body.users.map((u: any) => u.upn)).toEqual(['megan.bowen@alpha.example']);
    expect(res.body).toMatchObject({ total: 1, shown: 1 });
    const alpha = res.body.tenants.find((x: any) => x.tenantId === data.alpha.tenantId);
    expect(alpha).toMatchObject({ users: 1, directoryUsers: 3, directorySyncedAt: data.syncedAt.toISOString() });
    expect(res.body.tenants.find((x: any) => x.tenantId === data.bravo.tenantId)).toMatchObject({ users: 0, directoryUsers: 0, directorySyncedAt: null });
    const csv = await admin.get('/api/reports/licensed-without-number/export');
    expect((csv.body as string).replace(/^\uFEFF/, '').trim().split('\n')).toEqual(['tenant,upn,display_name,account_enabled,usage_location,enterprise_voice,directory_synced_at', expect.stringMatching(/^Alpha \w+,megan\.bowen@alpha\.example,Megan Bowen,true,US,true,\d{4}-/)]);
  });

  it('numbers assigned in UCR but not in Teams: counts per tenant, and unknown where the directory was never synced', async () => {
    const res = await admin.get('/api/reports/teams-drift');
    expect(res.status).toBe(200);
    expect(res.body.tenants.find((x: any) => x.tenantId === data.alpha.tenantId)).toMatchObject({ assignedInUcr: 3, notInTeams: 2, directorySyncedAt: data.syncedAt.toISOString(), lastReconcile: null });
    // Bravo's number is a 3CX extension's, and Bravo has no Teams directory: nothing is known.
    expect(res.body.tenants.find((x: any) => x.tenantId === data.bravo.tenantId)).toMatchObject({ assignedInUcr: 0, notInTeams: null, directorySyncedAt: null });
    expect(res.body.numbers.map((n: any) => [n.e164, n.teamsSays])).toEqual([
      ['+14255550102', 'The user has no number in Teams'],
      ['+14255550103', 'The user is not in the Teams directory'],
    ]);
    expect(res.body).toMatchObject({ total: 2, shown: 2 });

    // What the last comparison with Teams recorded (the reconcile engine's row) is shown beside it.
    const checkedAt = new Date(t.clock.now().getTime() - 3_600_000);
    await t.deps.db.insert(reconcileChecks).values({ tenantId: data.alpha.tenantId, system: 'teams', checkedAt, systemNumbers: 1, inventoryNumbers: 3, driftCount: 3, fixableCount: 2, byKind: { unassigned_in_system: 2, missing_in_inventory: 1 } });
    const again = await admin.get('/api/reports/teams-drift');
    expect(again.body.tenants.find((x: any) => x.tenantId === data.alpha.tenantId).lastReconcile).toEqual({ checkedAt: checkedAt.toISOString(), notInTeams: 2, drift: 3 });
    expect(again.body.tenants.find((x: any) => x.tenantId === data.bravo.tenantId).lastReconcile).toBeNull();
    const csv = (await admin.get(`/api/reports/teams-drift/export?tenantId=${data.alpha.tenantId}`)).body as string;
    expect(csv).toContain("'+14255550103,left.company@alpha.example,user-ghost,The user is not in the Teams directory,");
  });

  it("a scoped operator's reports hold only their tenants; another tenant is not found", async () => {
    const viewer = await t.signedInAs('viewer');
    await admin.patch(`/api/operators/${viewer.operatorId}`, { allTenants: false, tenantIds: [data.bravo.tenantId] });
    for (const name of ['utilisation', 'ranges-running-out', 'licensed-without-number', 'teams-drift']) {
      const res = await viewer.client.get(`/api/reports/${name}`);
      expect(res.status, name).toBe(200);
      const seen = new Set(JSON.stringify(res.body).match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g));
      expect(seen.has(data.alpha.tenantId) || seen.has(formula.tenantId), name).toBe(false);
      expect((await viewer.client.get(`/api/reports/${name}?tenantId=${data.alpha.tenantId}`)).status, name).toBe(404);
      const csv = (await viewer.client.get(`/api/reports/${name}/export`)).body as string;
      expect(csv.includes('Alpha') || csv.includes('HYPERLINK'), name).toBe(false);
      expect((await viewer.client.get(`/api/reports/${name}/export?tenantId=${data.alpha.tenantId}`)).status, name).toBe(404);
    }
  });
});
