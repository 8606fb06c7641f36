import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, phoneNumbers } from '../../../src/db/schema/index.ts';
import { syncAllTeamsDirectories } from '../../../src/features/teams/jobs.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('Teams voice on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let admin: ApiClient;
  let tenantId: string;
  let numbers: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp(target, {}, { withQueue: true });
    fx = await startTeamsSimulators();
    t.secrets.add(fx.clientSecret);
    admin = (await t.signedInAs('admin')).client;
    ({ tenantId, numbers } = await connectedTenant(admin, fx));
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await fx.close();
  });

  const readyUsers = () => fx.seeded.byProfile.readyForVoice;
  const free = () => Object.keys(numbers);
  const inventory = async (e164: string) => (await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.e164, e164)))[0]!;
  async function settled(changeId: string) {
    for (let i = 0; i < 150; i++) {
      const change = await admin.get(`/api/tenants/${tenantId}/voice-changes/${changeId}`);
      if (change.body.status !== 'pending') return change.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('change still pending');
  }
  const voice = (userId: string, body: object) => admin.post(`/api/tenants/${tenantId}/teams/users/${userId}/voice`, body);

  it('the nightly job syncs every connected tenant, and one failing tenant does not stop the others', async () => {
    const broken = (await admin.post('/api/tenants', { name: 'Broken connection', primaryDomain: 'broken.example' })).body;
    await admin.request('PUT', `/api/tenants/${broken.id}/connections/teams`, { clientId: 'no-such-app', authMethod: 'secret', clientSecret: 'x', cloud: 'custom', loginBaseUrl: fx.entra.url, graphBaseUrl: fx.graph.url });
    expect(await syncAllTeamsDirectories(t.deps)).toEqual({ synced: 1, failed: 1 });
  });

  it('the directory is synced and searchable as you type; secrets never come back', async () => {
    const user = readyUsers()[0]!;
    const found = await admin.get(`/api/tenants/${tenantId}/teams/users?search=${encodeURIComponent(user.userPrincipalName.slice(0, 5))}`);
    expect(found.body.users.map((u: { upn: string }) => u.upn)).toContain(user.userPrincipalName.toLowerCase());
    const all = await admin.get(`/api/tenants/${tenantId}/teams/users?limit=5`);
    expect(all.status).toBe(200);
    expect(all.body.users).toHaveLength(5);
    const connection = await admin.get(`/api/tenants/${tenantId}/connections/teams`);
    expect(connection.body).toMatchObject({ configured: true, clientSecretSet: true, authMethod: 'secret' });
    expect(JSON.stringify(connection.body)).not.toContain(fx.clientSecret);
    const test = await admin.post(`/api/tenants/${tenantId}/connections/teams/test`);
    expect(test.body.ok).toBe(true);
  });

  it('assigns a number with a voice routing policy: pending, then confirmed by Teams; the inventory follows', async () => {
    const user = readyUsers()[0]!;
    const e164 = free()[0]!;
    const started = await voice(user.id, { number: { numberId: numbers[e164] }, policies: { OnlineVoiceRoutingPolicy: 'US-International', TenantDialPlan: 'US-Redmond' }, ticketId: '4711' });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'pending', kind: 'assign_number' });
    expect((await inventory(e164)).status).toBe('reserved'); // held for the user while Teams works
    const done = await settled(started.body.id);
    expect(done).toMatchObject({ status: 'succeeded', errorMessage: null });
    const live = (await admin.get(`/api/tenants/${tenantId}/teams/users/${user.id}?live=true`)).body;
    expect(live.numbers.map((n: { telephoneNumber: string }) => n.telephoneNumber)).toEqual([e164]);
    expect(live.policies.OnlineVoiceRoutingPolicy.name).toBe('US-International');
    expect(live.policies.TenantDialPlan.name).toBe('US-Redmond');
    const row = await inventory(e164);
    expect(row).toMatchObject({ status: 'assigned', assigneeId: user.id });
    const events = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.targetType, 'teams_user'), eq(auditEvents.targetId, user.id)));
    expect(events.map((e) => e.action)).toEqual(['voice.assign_number_requested', 'voice.assign_number']);
    expect(events.every((e) => e.ticketId === '4711')).toBe(true);
  });

  it('changing the number sends the old one to cooling; removing sends the last one to cooling too', async () => {
    const user = readyUsers()[1]!;
    const [first, second] = [free()[1]!, free()[2]!];
    expect((await settled((await voice(user.id, { number: { numberId: numbers[first] } })).body.id)).status).toBe('succeeded');
    const secondCall = await voice(user.id, { number: { numberId: numbers[second] } });
    const change = await settled(secondCall.body.id);
    expect(change).toMatchObject({ status: 'succeeded', before: { number: { e164: first } }, requested: { number: { e164: second } } });
    expect((await inventory(first)).status).toBe('cooling');
    expect((await inventory(second)).status).toBe('assigned');
    const removed = await settled((await voice(user.id, { number: null })).body.id);
    expect(removed).toMatchObject({ status: 'succeeded', kind: 'remove_number' });
    expect((await inventory(second)).status).toBe('cooling');
    const live = (await admin.get(`/api/tenants/${tenantId}/teams/users/${user.id}?live=true`)).body;
    expect(live.numbers).toEqual([]);
  });

  it('without the PowerShell bridge, Refresh from Teams says exactly what to set up and changes nothing', async () => {
    const before = (await admin.get(`/api/tenants/${tenantId}/teams/policies`)).body;
    expect(before).toMatchObject({ refreshedAt: null, powershellBridge: false });
    const refused = await admin.post(`/api/tenants/${tenantId}/teams/policies/refresh`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('powershell_not_configured');
    expect(refused.body.error.message).toMatch(/install PowerShell 7 and the MicrosoftTeams module.*UCR_PWSH_PATH.*Teams certificate.*Teams Administrator role/);
    expect((await admin.get(`/api/tenants/${tenantId}/teams/policies`)).body).toEqual(before);
  });

  it('assigns and removes every policy type', async () => {
    const user = readyUsers()[2]!;
    const catalog = (await admin.get(`/api/tenants/${tenantId}/teams/policies`)).body.types as Array<{ policyType: string }>;
    expect(catalog).toHaveLength(13);
    const names: Record<string, string> = {
      OnlineVoiceRoutingPolicy: 'US-Domestic',
      TenantDialPlan: 'UK-London',
      TeamsCallingPolicy: 'AllowCalling',
      CallingLineIdentity: 'MainLine',
      TeamsCallHoldPolicy: 'CustomHoldMusic',
      TeamsEmergencyCallingPolicy: 'Notify-Security',
      TeamsEmergencyCallRoutingPolicy: 'US-911',
      TeamsMeetingPolicy: 'RestrictedMeetings',
      TeamsVoiceApplicationsPolicy: 'FrontDesk',
      OnlineVoicemailPolicy: 'TranscriptionOff',
      OnlineAudioConferencingRoutingPolicy: 'ConfRouting-US',
      TeamsAudioConferencingPolicy: 'TollFree-US',
      TeamsCallParkPolicy: 'ParkAllowed',
    };
    const set = await voice(user.id, { policies: names });
    expect(set.status).toBe(202);
    expect(set.body).toMatchObject({ status: 'succeeded', kind: 'policies' });
    const live = (await admin.get(`/api/tenants/${tenantId}/teams/users/${user.id}?live=true`)).body;
    for (const [type, name] of Object.entries(names)) expect(live.policies[type]?.name, type).toBe(name);
    const cleared = await voice(user.id, { policies: { TeamsMeetingPolicy: null } });
    expect(cleared.body.status).toBe('succeeded');
    const after = (await admin.get(`/api/tenants/${tenantId}/teams/users/${user.id}?live=true`)).body;
    expect(after.policies.TeamsMeetingPolicy?.assignmentType ?? null).not.toBe('direct');
    const unknown = await voice(user.id, { policies: { TeamsCallingPolicy: 'NoSuchPolicy' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/no TeamsCallingPolicy named "NoSuchPolicy"/);
  });

  it('reverts a number change, and refuses a revert whose old number was taken meanwhile', async () => {
    const user = readyUsers()[3]!;
    const other = readyUsers()[4]!;
    const [a, b] = [free()[3]!, free()[4]!];
    await settled((await voice(user.id, { number: { numberId: numbers[a] }, policies: { OnlineVoiceRoutingPolicy: 'UK-National' } })).body.id);
    const change = await settled((await voice(user.id, { number: { numberId: numbers[b] }, policies: { OnlineVoiceRoutingPolicy: 'US-Domestic' } })).body.id);
    expect((await inventory(a)).status).toBe('cooling');

    const reverted = await settled((await admin.post(`/api/tenants/${tenantId}/voice-changes/${change.id}/revert`, {})).body.id);
    expect(reverted).toMatchObject({ status: 'succeeded', kind: 'revert', revertOf: change.id });
    expect((await inventory(a))).toMatchObject({ status: 'assigned', assigneeId: user.id });
    expect((await inventory(b)).status).toBe('cooling');
    const live = (await admin.get(`/api/tenants/${tenantId}/teams/users/${user.id}?live=true`)).body;
    expect(live.numbers[0].telephoneNumber).toBe(a);
    expect(live.policies.OnlineVoiceRoutingPolicy.name).toBe('UK-National');

    // Now b is cooling; give a third number to the user, then have someone else take b... b is cooling, so take c instead:
    const c = free()[5]!;
    const third = await settled((await voice(user.id, { number: { numberId: numbers[c] } })).body.id);
    expect((await inventory(a)).status).toBe('cooling');
    // Someone else gets a (it cooled down and was handed out): a revert of "a → c" must refuse and change nothing.
    await t.deps.db.update(phoneNumbers).set({ status: 'available', coolingUntil: null }).where(eq(phoneNumbers.e164, a));
    await settled((await voice(other.id, { number: { numberId: numbers[a] } })).body.id);
    const refused = await admin.post(`/api/tenants/${tenantId}/voice-changes/${third.id}/revert`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(new RegExp(`previous number \\${a} is now assigned to`));
    expect((await inventory(c))).toMatchObject({ status: 'assigned', assigneeId: user.id });
    expect((await inventory(a))).toMatchObject({ status: 'assigned', assigneeId: other.id });
  });

  it('a tenant refusal is shown in plain words and leaves the inventory as it was', async () => {
    const unlicensed = fx.seeded.byProfile.unlicensed[0]!;
    const e164 = free()[6]!;
    const refused = await voice(unlicensed.id, { number: { numberId: numbers[e164] } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/no Teams Phone licence/);
    expect((await inventory(e164)).status).toBe('available');

    // An Operator Connect number Teams does not have: the order fails asynchronously.
    const stranger = (await admin.post(`/api/tenants/${tenantId}/numbers`, { number: '+14155559876', kind: 'operator_connect' })).body;
    const user = readyUsers()[5]!;
    const failed = await settled((await voice(user.id, { number: { numberId: stranger.id } })).body.id);
    expect(failed.status).toBe('failed');
    expect(failed.errorMessage).toBe('Teams does not have this number. Calling Plan and Operator Connect numbers must be in the tenant (acquired, ported or provisioned by the operator) before they can be assigned.');
    expect((await inventory('+14155559876')).status).toBe('available');
    const rollback = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'number.assignment_rolled_back'), eq(auditEvents.targetId, stranger.id)));
    expect(rollback).toHaveLength(1);
  });

  it('assigns a Direct Routing number Teams has never seen: the assignment uploads it', async () => {
    // Teams docs, "Enable users for Direct Routing": "If you don't upload the phone numbers, you can
    // still assign numbers to users. Assigning a number to a user automatically uploads the number".
    const fresh = (await admin.post(`/api/tenants/${tenantId}/numbers`, { number: '+14155559877', kind: 'direct_routing' })).body;
    const user = readyUsers()[7]!;
    expect(fx.graph.state.tenants.get(fx.microsoftTenantId)!.numbers.has('+14155559877')).toBe(false);
    const done = await settled((await voice(user.id, { number: { numberId: fresh.id } })).body.id);
    expect(done.status).toBe('succeeded');
    expect(await inventory('+14155559877')).toMatchObject({ status: 'assigned', assigneeId: user.id });
    expect(fx.graph.state.tenants.get(fx.microsoftTenantId)!.numbers.get('+14155559877')).toMatchObject({ numberType: 'directRouting', assignmentTargetId: user.id });
  });

  it('survives throttling by honouring Retry-After, and reuses its token', async () => {
    const statsBefore = (await fetch(`${fx.entra.url}/_sim/stats`).then((r) => r.json())) as { requests: number };
    fx.graph.knobs.set({ throttleRps: 3 });
    try {
      const results = await Promise.all(readyUsers().slice(0, 6).map((u) => admin.get(`/api/tenants/${tenantId}/teams/users/${u.id}?live=true`)));
      expect(results.map((r) => r.status)).toEqual(Array(results.length).fill(200));
      const stats = (await fetch(`${fx.graph.url}/_sim/stats`).then((r) => r.json())) as { throttled: number };
      expect(stats.throttled).toBeGreaterThan(0);
    } finally {
      fx.graph.knobs.set({ throttleRps: null });
    }
    const statsAfter = (await fetch(`${fx.entra.url}/_sim/stats`).then((r) => r.json())) as { requests: number };
    expect(statsAfter.requests - statsBefore.requests).toBe(0); // the cached token served all of those calls
  });

  it('reconcile finds drift both ways and fixes it with one click', async () => {
    // Teams assigns numbers the inventory has never heard of (the seeded voice users).
    const drift = (await admin.get(`/api/tenants/${tenantId}/teams/reconcile`)).body;
    const missing = drift.items.filter((i: { kind: string }) => i.kind === 'missing_in_inventory');
    expect(missing.length).toBeGreaterThan(0);
    const assignedMissing = missing.find((i: { system: { assigned: boolean } }) => i.system.assigned);
    expect(assignedMissing.fix).toMatch(/as assigned to/);
    // Numbers on resource accounts (auto attendants, call queues) are taken too, not free.
    const resourceNumbers = [...fx.graph.state.tenants.get(fx.microsoftTenantId)!.numbers.values()].filter((n) => n.assignmentStatus === 'voiceApplicationAssigned');
    for (const n of resourceNumbers) expect(missing.find((i: { e164: string }) => i.e164 === n.telephoneNumber)?.system.assigned, n.telephoneNumber).toBe(true);

    // And the inventory claims an assignment Teams does not have.
    const ghost = (await admin.post(`/api/tenants/${tenantId}/numbers`, { number: '+14155559001', kind: 'direct_routing' })).body;
    await admin.post(`/api/tenants/${tenantId}/numbers/${ghost.id}/lifecycle`, { action: 'assign', assignee: { type: 'teams_user', id: 'ghost-user', upn: 'ghost@example.com' } });
    // And a number Teams assigns that the inventory has free.
    const freeInInventory = missing.find((i: { system: { assigned: boolean } }) => i.system.assigned)!;
    const added = (await admin.post(`/api/tenants/${tenantId}/numbers`, { number: freeInInventory.e164, kind: 'direct_routing' })).body;

    const again = (await admin.get(`/api/tenants/${tenantId}/teams/reconcile`)).body.items as Array<{ kind: string; e164: string }>;
    expect(again.find((i) => i.e164 === '+14155559001')?.kind).toBe('unassigned_in_system');
    expect(again.find((i) => i.e164 === freeInInventory.e164)?.kind).toBe('free_in_inventory');

    const fixed = await admin.post(`/api/tenants/${tenantId}/teams/reconcile/fix`, { numbers: 'all' });
    expect(fixed.status).toBe(200);
    expect(fixed.body.fixed).toBe(again.length);
    expect((await admin.get(`/api/tenants/${tenantId}/teams/reconcile`)).body.items).toEqual([]);
    expect((await inventory('+14155559001')).status).toBe('cooling');
    expect((await inventory(added.e164))).toMatchObject({ status: 'assigned', assigneeId: freeInInventory.system.assigneeId });
  });

  it('a profile gives the next free number of its range and its policies', async () => {
    const e164 = free()[7]!;
    await admin.patch(`/api/tenants/${tenantId}/numbers/${numbers[e164]}`, { tags: ['profile-pool'] });
    const profile = await admin.post(`/api/tenants/${tenantId}/voice-profiles`, { name: 'US user', numberSource: { tag: 'profile-pool' }, policies: { OnlineVoiceRoutingPolicy: 'US-Domestic', TenantDialPlan: 'US-Redmond' } });
    expect(profile.status).toBe(201);
    const user = readyUsers()[6]!;
    const applied = await admin.post(`/api/tenants/${tenantId}/teams/users/${user.id}/apply-profile`, { profileId: profile.body.id });
    expect(applied.status).toBe(202);
    const done = await settled(applied.body.id);
    expect(done).toMatchObject({ status: 'succeeded', requested: { number: { e164 }, policies: { OnlineVoiceRoutingPolicy: 'US-Domestic', TenantDialPlan: 'US-Redmond' } } });
    expect((await inventory(e164))).toMatchObject({ status: 'assigned', assigneeId: user.id });
    // The pool is empty now: the next application refuses and changes nothing.
    const empty = await admin.post(`/api/tenants/${tenantId}/teams/users/${readyUsers()[7]!.id}/apply-profile`, { profileId: profile.body.id });
    expect(empty.status).toBe(409);
    expect(empty.body.error.code).toBe('no_free_number');
  });
});
