import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNumber } from '../../../simulators/graph/state.ts';
import { syncAllTeamsDirectories } from '../../../src/features/teams/jobs.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * "Drift found by the last reconcile" on the Overview (L3): each comparison of a tenant with Teams
 * (an operator opening Reconcile, or the nightly sync) keeps its outcome, the Overview lists the
 * tenants whose numbers disagree, and a fix takes the line away without calling Teams again.
 */
describe.each(dbTargets())('overview drift lines on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let admin: ApiClient;
  let tenantId: string;
  let tenantName: string;

  beforeAll(async () => {
    t = await startTestApp(target);
    fx = await startTeamsSimulators({ users: 10 });
    t.secrets.add(fx.clientSecret);
    admin = (await t.signedInAs('admin')).client;
    ({ tenantId } = await connectedTenant(admin, fx, 'Drift Co'));
    tenantName = 'Drift Co';
  });
  afterAll(async () => {
    await t.close();
    await fx.close();
  });

  const driftLines = async () => ((await admin.get('/api/overview')).body.items as Array<Record<string, any>>).filter((i) => i.kind === 'drift_found' && i.tenantId === tenantId);

  it('shows no drift line before any comparison', async () => {
    expect(await driftLines()).toEqual([]);
  });

  it('the nightly sync compares the numbers and the Overview lists what differs, linked to Reconcile', async () => {
    const tenant = fx.graph.state.tenants.get(fx.microsoftTenantId)!;
    addNumber(tenant, { telephoneNumber: '+14258889001', numberType: 'directRouting' });
    addNumber(tenant, { telephoneNumber: '+14258889002', numberType: 'directRouting' });
    const expected = (await admin.get(`/api/tenants/${tenantId}/teams/reconcile`)).body.items.length as number;
    expect(expected).toBeGreaterThanOrEqual(2);

    // Start from nothing recorded, so the line below comes from the nightly run alone.
    await t.deps.db.execute(`delete from reconcile_checks`);
    expect(await driftLines()).toEqual([]);
    const run = await syncAllTeamsDirectories(t.deps);
    expect(run.failed).toBe(0);

    const [line] = await driftLines();
    expect(line).toMatchObject({ severity: 'warning', tenantName, title: `Teams and the inventory disagree on ${expected} numbers`, link: { page: 'reconcile' } });
    expect(line!.detail).toContain('not in the inventory');
  });

  it('a scoped operator without this tenant sees no drift line of it', async () => {
    expect(await driftLines()).toHaveLength(1);
    const outsider = await t.signedInAs('operator');
    expect((await admin.patch(`/api/operators/${outsider.operatorId}`, { allTenants: false, tenantIds: [] })).status).toBe(200);
    const items = (await outsider.client.get('/api/overview')).body.items as Array<{ tenantId: string }>;
    expect(items.filter((i) => i.tenantId === tenantId)).toEqual([]);
  });
  it('fixing the drift takes the line away', async () => {
    const fixed = await admin.post(`/api/tenants/${tenantId}/teams/reconcile/fix`, { numbers: 'all' });
    expect(fixed.status).toBe(200);
    const left = (await admin.get(`/api/tenants/${tenantId}/teams/reconcile`)).body.items.filter((i: { fix: string | null }) => i.fix !== null);
    expect(left).toEqual([]);
    expect(fixed.body.skipped).toBe(0);
    expect(await driftLines()).toEqual([]);
  });

});
