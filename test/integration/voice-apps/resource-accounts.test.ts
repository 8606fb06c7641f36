import { fileURLToPath } from 'node:url';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKUS } from '../../../simulators/graph/catalog.ts';
import { consumedUnits } from '../../../simulators/graph/state.ts';
import { auditEvents, phoneNumbers, resourceAccountJobs } from '../../../src/db/schema/index.ts';
import { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { serverOnFreshData, startServerProcess, type ServerProcess } from '../../helpers/server-process.ts';
import { settledStepJob } from '../../helpers/lifecycle.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

const fakePwsh = fileURLToPath(new URL('../../fixtures/fake-pwsh.mjs', import.meta.url));

/** Switches the tenant to certificate authentication, which the PowerShell bridge signs in with. */
async function useCertificate(admin: ApiClient, fx: TeamsFixture, tenantId: string) {
  await admin.request('PUT', `/api/tenants/${tenantId}/connections/teams`, { clientId: fx.clientId, authMethod: 'certificate', cloud: 'custom', loginBaseUrl: fx.entra.url, graphBaseUrl: fx.graph.url });
  const generated = await admin.post(`/api/tenants/${tenantId}/connections/teams/certificate/generate`);
  await fetch(`${fx.entra.url}/_sim/tenants/${fx.microsoftTenantId}/apps/${fx.clientId}/certificates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pem: generated.body.certificatePem }) });
}

async function settledJob(admin: ApiClient, tenantId: string, jobId: string) {
  return settledStepJob(admin, `/api/tenants/${tenantId}/voice-apps/resource-accounts/jobs/${jobId}`, ['queued', 'running']);
}

describe.each(dbTargets())('resource accounts: numbers and creation on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let admin: ApiClient;
  let tenantId: string;
  let numbers: Record<string, string>;
  let nextNumber = 0;
  const freeNumber = () => Object.keys(numbers)[nextNumber++]!;
  const simTenant = () => fx.graph.state.tenants.get(fx.microsoftTenantId)!;
  const inventory = async (e164: string) => (await t.deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenantId), eq(phoneNumbers.e164, e164))))[0]!;
  async function settled(changeId: string) {
    for (let i = 0; i < 150; i++) {
      const change = await admin.get(`/api/tenants/${tenantId}/voice-changes/${changeId}`);
      if (change.body.status !== 'pending') return change.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('change still pending');
  }
  /** A resource account the way New-CsOnlineApplicationInstance leaves it: no licence, no usage location. */
  async function bareResourceAccount(name: string) {
    const r = await fetch(`${fx.graph.url}/_sim/tenants/${fx.microsoftTenantId}/voice-apps/application-instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ UserPrincipalName: `${name.toLowerCase().replace(/ /g, '.')}@${fx.domain}`, ApplicationId: 'ce933385-9390-45d1-9512-c8d228074e07', DisplayName: name }),
    });
    return (await r.json()) as { ObjectId: string };
  }
  /** A licensed resource account with a usage location and no number. */
  async function readyResourceAccount(name: string) {
    const made = await bareResourceAccount(name);
    const user = simTenant().users.get(made.ObjectId)!;
    user.licenses.push('TeamsPhoneResourceAccount');
    user.usageLocation = 'US';
    return made.ObjectId;
  }

  beforeAll(async () => {
    fx = await startTeamsSimulators({ users: 40, seed: 23 });
    // The stand-in for pwsh reads and writes the simulated tenant's voice apps.
    process.env.FAKE_PWSH_GRAPH_URL = fx.graph.url;
    t = await startTestApp(target, { UCR_PWSH_PATH: fakePwsh }, { withQueue: true });
    t.secrets.add(fx.clientSecret);
    admin = (await t.signedInAs('admin')).client;
    ({ tenantId, numbers } = await connectedTenant(admin, fx));
    await useCertificate(admin, fx, tenantId);
    // Room in the Teams Phone Resource Account pool for every account these tests license.
    simTenant().subscriptions.get('TeamsPhoneResourceAccount')!.enabled += 20;
  }, 300_000);
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await fx.close();
  });

  it('assigns a service number to a resource account as a voice change; the inventory shows the account; revert takes it off again', async () => {
    const objectId = await readyResourceAccount('Main line AA');
    const e164 = freeNumber();
    const assigned = await admin.post(`/api/tenants/${tenantId}/voice-apps/resource-accounts/${objectId}/number`, { number: { numberId: numbers[e164] } });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(202);
    expect(assigned.body.kind).toBe('assign_number');
    expect((await settled(assigned.body.id)).status).toBe('succeeded');
    // Teams: the number is a voice application's (Graph's assignmentStatus voiceApplicationAssigned).
    expect(simTenant().numbers.get(e164)).toMatchObject({ assignmentTargetId: objectId, assignmentStatus: 'voiceApplicationAssigned' });
    const row = await inventory(e164);
    expect(row).toMatchObject({ status: 'assigned', assigneeId: objectId, assigneeName: 'Main line AA (resource account)' });

    const reverted = await admin.post(`/api/tenants/${tenantId}/voice-changes/${assigned.body.id}/revert`, {});
    expect(reverted.status, JSON.stringify(reverted.body)).toBe(202);
    expect((await settled(reverted.body.id)).status).toBe('succeeded');
    expect(simTenant().numbers.get(e164)!.assignmentStatus).toBe('unassigned');
    expect((await inventory(e164)).status).toBe('cooling');
  });

  it('removes a resource account\'s number with DELETE; a second removal is refused with no_number', async () => {
    const objectId = await readyResourceAccount('Sales CQ');
    const e164 = freeNumber();
    const assigned = await admin.post(`/api/tenants/${tenantId}/voice-apps/resource-accounts/${objectId}/number`, { number: { e164 } });
    expect((await settled(assigned.body.id)).status).toBe('succeeded');
    const removed = await admin.request('DELETE', `/api/tenants/${tenantId}/voice-apps/resource-accounts/${objectId}/number`, {});
    expect(removed.status, JSON.stringify(removed.body)).toBe(202);
    expect(removed.body.kind).toBe('remove_number');
    expect((await settled(removed.body.id)).status).toBe('succeeded');
    expect(simTenant().numbers.get(e164)!.assignmentStatus).toBe('unassigned');
    const again = await admin.request('DELETE', `/api/tenants/${tenantId}/voice-apps/resource-accounts/${objectId}/number`, {});
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    expect(again.body.error.code).toBe('no_number');
  });

  it('a number already used is refused with number_in_use and nothing changes', async () => {
    const first = await readyResourceAccount('Support AA');
    const second = await readyResourceAccount('Billing AA');
    const e164 = freeNumber();
    expect((await settled((await admin.post(`/api/tenants/${tenantId}/voice-apps/resource-accounts/${first}/number`, { number: { numberId: numbers[e164] } })).body.id)).status).toBe('succeeded');
    const before = await inventory(e164);
    const refused = await admin.post(`/api/tenants/${tenantId}/voice-apps/resource-accounts/${second}/number`, { number: { numberId: numbers[e164] } });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.code).toBe('number_in_use');
    expect(refused.body.error.message).toContain('Support AA (resource account)');
    expect(await inventory(e164)).toEqual(before);
    expect(simTenant().numbers.get(e164)!.assignmentTargetId).toBe(first);
    const changes = (await admin.get(`/api/tenants/${tenantId}/voice-changes?userId=${second}`)).body.changes;
    expect(changes).toEqual([]);
  });

  it('a user is not a resource account: not_a_resource_account', async () => {
    const user = fx.seeded.byProfile.readyForVoice[0]!;
    const refused = await admin.post(`/api/tenants/${tenantId}/voice-apps/resource-accounts/${user.id}/number`, { number: { numberId: numbers[Object.keys(numbers)[15]!] } });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.code).toBe('not_a_resource_account');
  });

  it('Teams refusing the number (an unlicensed resource account) fails the change with teams_resource_account_refused; the number goes back as it was', async () => {
    const bare = await bareResourceAccount('Unlicensed AA');
    const e164 = freeNumber();
    const before = await inventory(e164);
    const asked = await admin.post(`/api/tenants/${tenantId}/voice-apps/resource-accounts/${bare.ObjectId}/number`, { number: { numberId: numbers[e164] } });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    const failed = await settled(asked.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.errorCode).toBe('teams_resource_account_refused');
    expect(failed.errorMessage).toMatch(/Teams Phone Resource Account licence/);
    expect((await inventory(e164)).status).toBe(before.status);
    expect(simTenant().numbers.get(e164)!.assignmentStatus).toBe('unassigned');
  });

  it('creates a resource account in one job: account, Graph visibility, usage location and licence, number, association — each step audited', async () => {
    const aa = await (await fetch(`${fx.graph.url}/_sim/tenants/${fx.microsoftTenantId}/voice-apps/auto-attendants`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Name: 'Main menu', LanguageId: 'en-US', TimeZoneId: 'UTC' }) })).json();
    const e164 = freeNumber();
    const upn = `mainline@${fx.domain}`;
    const started = await admin.post(`/api/tenants/${tenantId}/voice-apps/resource-accounts`, { displayName: 'Main line', userPrincipalName: upn, type: 'aa', usageLocation: 'US', number: { numberId: numbers[e164] }, associateWith: aa.Id });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const job = await settledJob(admin, tenantId, started.body.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('succeeded');
    expect(job.steps.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([['create_account', 'succeeded'], ['wait_visible', 'succeeded'], ['licence', 'succeeded'], ['number', 'succeeded'], ['associate', 'succeeded']]);
    const account = [...simTenant().users.values()].find((u) => u.userPrincipalName === upn)!;
    expect(account).toMatchObject({ accountType: 'resourceAccount', usageLocation: 'US', licenses: ['TeamsPhoneResourceAccount'] });
    expect(job.objectId).toBe(account.id);
    expect(simTenant().numbers.get(e164)).toMatchObject({ assignmentTargetId: account.id, assignmentStatus: 'voiceApplicationAssigned' });
    expect(simTenant().autoAttendants.get(aa.Id)!.ApplicationInstances).toContain(account.id);
    expect(await inventory(e164)).toMatchObject({ status: 'assigned', assigneeName: 'Main line (resource account)' });
    const steps = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'resource_account.step'), eq(auditEvents.tenantId, tenantId)));
    expect(steps.filter((e) => (e.after as { jobId: string }).jobId === job.id).map((e) => (e.after as { step: string }).step).sort()).toEqual(['associate', 'create_account', 'licence', 'number', 'wait_visible']);
    const [done] = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'resource_account.created'), eq(auditEvents.targetId, account.id)));
    expect(done).toBeDefined();
  });

  it('a UPN already taken is refused with upn_taken before anything is created', async () => {
    const taken = fx.seeded.byProfile.readyForVoice[1]!.userPrincipalName;
    const users = simTenant().users.size;
    const refused = await admin.post(`/api/tenants/${tenantId}/voice-apps/resource-accounts`, { displayName: 'Clash', userPrincipalName: taken, type: 'cq', usageLocation: 'US' });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.code).toBe('upn_taken');
    expect(simTenant().users.size).toBe(users);
    expect(await t.deps.db.select().from(resourceAccountJobs).where(eq(resourceAccountJobs.userPrincipalName, taken.toLowerCase()))).toEqual([]);
  });

  it('an empty licence pool is refused with licence_pool_empty and nothing is created', async () => {
    const subscriptions = simTenant().subscriptions;
    const was = subscriptions.get('TeamsPhoneResourceAccount')!;
    subscriptions.set('TeamsPhoneResourceAccount', { enabled: consumedUnits(simTenant(), 'TeamsPhoneResourceAccount') });
    try {
      const users = simTenant().users.size;
      const upn = `reception@${fx.domain}`;
      const refused = await admin.post(`/api/tenants/${tenantId}/voice-apps/resource-accounts`, { displayName: 'Reception', userPrincipalName: upn, type: 'aa', usageLocation: 'US' });
      expect(refused.status, JSON.stringify(refused.body)).toBe(409);
      expect(refused.body.error.code).toBe('licence_pool_empty');
      expect(refused.body.error.message).toMatch(/No Microsoft Teams Phone Resource Account licence is left/);
      expect(simTenant().users.size).toBe(users);
      expect(await t.deps.db.select().from(resourceAccountJobs).where(eq(resourceAccountJobs.userPrincipalName, upn))).toEqual([]);
    } finally {
      subscriptions.set('TeamsPhoneResourceAccount', was);
    }
  });

  it('a number already used, or an auto attendant that does not exist, is refused before anything is created', async () => {
    const used = Object.keys(numbers)[0]!; // assigned and reverted (cooling) in the first test
    const refused = await admin.post(`/api/tenants/${tenantId}/voice-apps/resource-accounts`, { displayName: 'Nope', userPrincipalName: `nope@${fx.domain}`, type: 'aa', usageLocation: 'US', number: { numberId: numbers[used] } });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.code).toBe('number_in_use');
    const missing = await admin.post(`/api/tenants/${tenantId}/voice-apps/resource-accounts`, { displayName: 'Nope', userPrincipalName: `nope@${fx.domain}`, type: 'aa', usageLocation: 'US', associateWith: '00000000-0000-4000-8000-000000000000' });
    expect(missing.status, JSON.stringify(missing.body)).toBe(400);
    expect(missing.body.error.message).toMatch(/has no auto attendant/);
    expect([...simTenant().users.values()].some((u) => u.userPrincipalName === `nope@${fx.domain}`)).toBe(false);
  });

  it('the licence SKU the job assigns is the simulator\'s Teams Phone Resource Account', () => {
    expect(SKUS.TeamsPhoneResourceAccount).toMatchObject({ skuId: '440eaaa8-b3e0-484b-a8be-62870b9ba70a', skuPartNumber: 'PHONESYSTEM_VIRTUALUSER' });
  });
});

/**
 * The worker creating a resource account is killed (SIGKILL) while Teams carries out the number
 * order. After a restart the job goes on from that step: one account, one licence, one voice change.
 */
describe.each(dbTargets())('creating a resource account after SIGKILL on %s', (target) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('resumes from the step it was on without repeating one', async () => {
    const fx = await startTeamsSimulators({ users: 30, seed: 29 });
    cleanups.push(() => fx.close());
    const started = await serverOnFreshData(target, cleanups, 'resource account crash passphrase', { UCR_PWSH_PATH: fakePwsh, FAKE_PWSH_GRAPH_URL: fx.graph.url });
    const { env, admin } = started;
    let server: ServerProcess = started.server;
    cleanups.push(async () => void (await server.stop()));
    const { tenantId, numbers } = await connectedTenant(admin, fx);
    await useCertificate(admin, fx, tenantId);
    const e164 = Object.keys(numbers)[0]!;
    const upn = `frontdesk@${fx.domain}`;
    fx.graph.knobs.set({ operationDelayMs: 4000 });
    const job = await admin.post(`/api/tenants/${tenantId}/voice-apps/resource-accounts`, { displayName: 'Front desk', userPrincipalName: upn, type: 'cq', usageLocation: 'US', number: { numberId: numbers[e164] } });
    expect(job.status, JSON.stringify(job.body)).toBe(202);
    let numberRunning = false;
    for (let i = 0; i < 600 && !numberRunning; i++) {
      const view = (await admin.get(`/api/tenants/${tenantId}/voice-apps/resource-accounts/jobs/${job.body.id}`)).body;
      numberRunning = view.steps.find((s: { name: string }) => s.name === 'number').state === 'running';
      if (!numberRunning) await new Promise((r) => setTimeout(r, 50));
    }
    expect(numberRunning).toBe(true);
    expect(await server.stop('SIGKILL')).toBeNull();
    fx.graph.knobs.set({ operationDelayMs: 200 });

    server = await startServerProcess(env, 'serve', 180_000);
    const again = new ApiClient(server.url, new Set());
    await again.login('admin@ucr.local', started.password);
    const view = await settledJob(again, tenantId, job.body.id);
    expect(view.status).toBe('succeeded');
    expect(view.steps.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([['create_account', 'succeeded'], ['wait_visible', 'succeeded'], ['licence', 'succeeded'], ['number', 'succeeded'], ['associate', 'skipped']]);
    const sim = fx.graph.state.tenants.get(fx.microsoftTenantId)!;
    const accounts = [...sim.users.values()].filter((u) => u.userPrincipalName === upn);
    expect(accounts).toHaveLength(1);
    expect(accounts[0]!.licenses).toEqual(['TeamsPhoneResourceAccount']);
    expect(sim.numbers.get(e164)!.assignmentTargetId).toBe(accounts[0]!.id);
    const changes = (await again.get(`/api/tenants/${tenantId}/voice-changes?userId=${accounts[0]!.id}`)).body.changes;
    expect(changes).toHaveLength(1);
    expect(changes[0].status).toBe('succeeded');
    const events = (await again.get(`/api/audit?targetId=${accounts[0]!.id}&limit=500`)).body;
    const list = (events.events ?? events.items) as Array<{ action: string; after: { state?: string; step?: string } }>;
    expect(list.filter((e) => e.action === 'teams.licence_assigned')).toHaveLength(1);
    const finished = list.filter((e) => e.action === 'resource_account.step' && e.after?.state !== 'running').map((e) => e.after.step).sort();
    expect(finished).toEqual(['associate', 'create_account', 'licence', 'number', 'wait_visible']);
  }, 400_000);
});
