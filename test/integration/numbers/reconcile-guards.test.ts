import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedThreeCx, startThreeCxSimulator, type RunningThreeCxSimulator } from '../../../simulators/index.ts';
import { phoneNumbers } from '../../../src/db/schema/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

type Drift = { kind: string; e164: string; numberId: string | null; fix: string | null; reason: string | null; system: { assigned: boolean; assigneeId: string | null } | null };

/**
 * The reconcile engine's guards, for both systems: a number another tenant holds is skipped with
 * its reason while the rest of the batch is fixed; a retired or a blocked number is never marked
 * assigned, and says why.
 */
describe.each(dbTargets())('reconcile guards on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let pbx: RunningThreeCxSimulator;
  let admin: ApiClient;
  let otherTenant: string;

  beforeAll(async () => {
    t = await startTestApp(target);
    fx = await startTeamsSimulators({ users: 30 });
    pbx = await startThreeCxSimulator({ port: 0, state: seedThreeCx({ userCount: 40, clientSecret: 'pbx-guard-secret' }) });
    t.secrets.add(fx.clientSecret);
    t.secrets.add('pbx-guard-secret');
    admin = (await t.signedInAs('admin')).client;
    otherTenant = (await admin.post('/api/tenants', { name: 'Another customer' })).body.id;
  });
  afterAll(async () => {
    await t.close();
    await fx.close();
    await pbx.close();
  });

  const rowsOf = (e164: string) => t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.e164, e164));
  async function addNumber(tenantId: string, e164: string, kind: string, action?: 'retire' | 'block') {
    const added = await admin.post(`/api/tenants/${tenantId}/numbers`, { number: e164, kind });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    if (action) expect((await admin.post(`/api/tenants/${tenantId}/numbers/${added.body.id}/lifecycle`, { action })).status).toBe(200);
  }

  /** The same story on either system: `assigned` are numbers the system gives to someone, none of them in this tenant's inventory yet. */
  async function guardsHold(base: string, tenantId: string, kind: string) {
    const first = (await admin.get(`${base}/reconcile`)).body.items as Drift[];
    const assigned = first.filter((i) => i.kind === 'missing_in_inventory' && i.system?.assigned).map((i) => i.e164);
    expect(assigned.length).toBeGreaterThan(4);
    const [held, retired, blocked, chosen] = assigned as [string, string, string, string];
    await addNumber(otherTenant, held, kind);
    await addNumber(tenantId, retired, kind, 'retire');
    await addNumber(tenantId, blocked, kind, 'block');

    const drift = (await admin.get(`${base}/reconcile`)).body.items as Drift[];
    const item = (e164: string) => drift.find((i) => i.e164 === e164)!;
    expect(item(held)).toMatchObject({ kind: 'missing_in_inventory', fix: null, reason: expect.stringMatching(/Another tenant's inventory holds this number/) });
    expect(item(retired)).toMatchObject({ kind: 'free_in_inventory', fix: null, reason: expect.stringMatching(/A number that is retired cannot be marked assigned\. Restore it first\./) });
    expect(item(blocked)).toMatchObject({ kind: 'free_in_inventory', fix: null, reason: expect.stringMatching(/A number that is blocked cannot be marked assigned\. Unblock it first\./) });
    expect(item(chosen).fix).toMatch(/as assigned to/);

    // Chosen by hand: the held number is skipped with its reason, the other one is fixed.
    const some = await admin.post(`${base}/reconcile/fix`, { numbers: [held, chosen] });
    expect(some.status).toBe(200);
    expect(some.body).toEqual({ fixed: 1, skipped: 1, skips: [{ e164: held, reason: item(held).reason }] });
    expect(await rowsOf(chosen)).toMatchObject([{ tenantId, status: 'assigned', assigneeId: item(chosen).system!.assigneeId }]);

    // All of it: every fixable number is fixed; the three guarded ones are skipped, each with its reason, and left as they were.
    const fixable = drift.filter((i) => i.fix !== null && i.e164 !== chosen).length;
    const all = await admin.post(`${base}/reconcile/fix`, { numbers: 'all' });
    expect(all.status).toBe(200);
    expect(all.body.fixed).toBe(fixable);
    expect(Object.fromEntries(all.body.skips.map((s: { e164: string; reason: string }) => [s.e164, s.reason]))).toEqual({ [held]: item(held).reason, [retired]: item(retired).reason, [blocked]: item(blocked).reason });
    expect(await rowsOf(held)).toMatchObject([{ tenantId: otherTenant, status: 'available' }]);
    expect(await rowsOf(retired)).toMatchObject([{ tenantId, status: 'retired', assigneeId: null }]);
    expect(await rowsOf(blocked)).toMatchObject([{ tenantId, status: 'blocked', assigneeId: null }]);
    const left = (await admin.get(`${base}/reconcile`)).body.items as Drift[];
    expect(left.map((i) => i.e164).sort()).toEqual([held, retired, blocked].sort());
  }

  it('Teams: skips a number another tenant holds and refuses to mark a retired or blocked number assigned; fixes the rest', async () => {
    const { tenantId } = await connectedTenant(admin, fx);
    await guardsHold(`/api/tenants/${tenantId}/teams`, tenantId, 'direct_routing');
  });

  it('3CX: skips a DID another tenant holds and refuses to mark a retired or blocked DID assigned; fixes the rest', async () => {
    const tenantId = (await admin.post('/api/tenants', { name: '3CX guarded customer' })).body.id as string;
    const saved = await admin.request('PUT', `/api/tenants/${tenantId}/connections/threecx`, { fqdn: 'pbx.guarded.example', baseUrl: pbx.url, authMode: 'api_client', clientId: 'ucr-api', clientSecret: 'pbx-guard-secret' });
    expect(saved.status).toBe(200);
    await guardsHold(`/api/tenants/${tenantId}/threecx`, tenantId, 'threecx_did');
  });
});
