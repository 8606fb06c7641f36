import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, phoneNumbers } from '../../../src/db/schema/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

type Change = { id: string; status: string; kind: string; userId: string; userUpn: string; ticketId: string | null; operatorId: string | null; operator: string | null; revertible: boolean; createdAt: string; revertOf: string | null };

/** Issue #17 items 4 and 5: the tenant-wide voice-change list, its revert, and the number drawer's actions. */
describe.each(dbTargets())('Voice changes for the whole tenant on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let admin: ApiClient;
  let operator: ApiClient;
  let adminId: string;
  let operatorId: string;
  let tenantId: string;
  let numbers: Record<string, string>;
  const made: Change[] = [];

  beforeAll(async () => {
    t = await startTestApp(target, {}, { withQueue: true });
    fx = await startTeamsSimulators();
    t.secrets.add(fx.clientSecret);
    const signedAdmin = await t.signedInAs('admin');
    admin = signedAdmin.client;
    adminId = signedAdmin.operatorId;
    const signedOperator = await t.signedInAs('operator', { email: 'engineer@msp.example' });
    operator = signedOperator.client;
    operatorId = signedOperator.operatorId;
    ({ tenantId, numbers } = await connectedTenant(admin, fx));
    await admin.patch(`/api/operators/${operatorId}`, { allTenants: false, tenantIds: [tenantId] });
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await fx.close();
  });

  const users = () => fx.seeded.byProfile.readyForVoice;
  const free = () => Object.keys(numbers);
  const inventory = async (e164: string) => (await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.e164, e164)))[0]!;
  const list = async (query: string, client = admin) => client.get(`/api/tenants/${tenantId}/voice-changes?${query}`);
  async function settled(changeId: string): Promise<Change> {
    for (let i = 0; i < 150; i++) {
      const change = await admin.get(`/api/tenants/${tenantId}/voice-changes/${changeId}`);
      if (change.body.status !== 'pending') return change.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('change still pending');
  }
  const voice = async (client: ApiClient, userId: string, body: object) => {
    const started = await client.post(`/api/tenants/${tenantId}/teams/users/${userId}/voice`, body);
    if (started.status !== 202) throw new Error(JSON.stringify(started.body));
    const done = await settled(started.body.id);
    made.push(done);
    return done;
  };
  const ids = (body: { changes: Change[] }) => body.changes.map((c) => c.id);

  it('lists every change of the tenant newest first, with who made it and whether it can be reverted', async () => {
    const [u0, u1, u2] = [users()[0]!, users()[1]!, users()[2]!];
    await voice(admin, u0.id, { number: { numberId: numbers[free()[0]!] }, ticketId: '5001' });
    await voice(operator, u1.id, { number: { numberId: numbers[free()[1]!] }, ticketId: '5002' });
    await voice(operator, u2.id, { policies: { OnlineVoiceRoutingPolicy: 'US-Domestic' } });
    await voice(admin, u0.id, { policies: { TenantDialPlan: 'US-Redmond' }, ticketId: '5001' });
    // A change Teams refused is listed too, and is not revertible (an Operator Connect number Teams does not have).
    const stranger = (await admin.post(`/api/tenants/${tenantId}/numbers`, { number: '+14155559876', kind: 'operator_connect' })).body;
    const refused = await voice(admin, users()[5]!.id, { number: { numberId: stranger.id } });
    expect(refused.status).toBe('failed');

    const all = await list('limit=200');
    expect(all.status).toBe(200);
    expect(ids(all.body)).toEqual([...made].reverse().map((c) => c.id));
    expect(all.body.nextCursor).toBeNull();
    const byId = new Map((all.body.changes as Change[]).map((c) => [c.id, c]));
    expect(byId.get(made[0]!.id)).toMatchObject({ operatorId: adminId, revertible: false }); // u0 was changed again since
    expect(byId.get(made[3]!.id)).toMatchObject({ operatorId: adminId, revertible: true });
    expect(byId.get(made[1]!.id)).toMatchObject({ operatorId, revertible: true });
    expect(byId.get(made[1]!.id)!.operator).toMatch(/.+/);
    expect(byId.get(made[4]!.id)).toMatchObject({ status: 'failed', revertible: false });
    // The single change carries the same two facts.
    expect((await admin.get(`/api/tenants/${tenantId}/voice-changes/${made[3]!.id}`)).body).toMatchObject({ revertible: true, operatorId: adminId });
  });

  it('filters by user (id or part of the UPN), operator, ticket, status and time, and several at once', async () => {
    const u0 = users()[0]!;
    const byUserId = await list(`user=${encodeURIComponent(u0.id)}`);
    expect(ids(byUserId.body)).toEqual([made[3]!.id, made[0]!.id]);
    const upnPart = made[1]!.userUpn.split('@')[0]!.toUpperCase();
    expect(ids((await list(`user=${encodeURIComponent(upnPart)}`)).body)).toContain(made[1]!.id);
    expect(ids((await list(`user=${encodeURIComponent(upnPart)}`)).body)).not.toContain(made[0]!.id);
    // % is a literal, not a wildcard.
    expect((await list('user=%25')).body.changes).toEqual([]);

    expect(ids((await list(`operator=${operatorId}`)).body)).toEqual([made[2]!.id, made[1]!.id]);
    expect(ids((await list(`ticket=5001`)).body)).toEqual([made[3]!.id, made[0]!.id]);
    const statuses = (await list('status=failed')).body.changes as Change[];
    expect(statuses.every((c) => c.status === 'failed')).toBe(true);
    expect(ids((await list('status=succeeded,failed&limit=200')).body)).toHaveLength(made.length);

    const from = made[1]!.createdAt;
    const to = made[3]!.createdAt;
    expect(ids((await list(`from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).body)).toEqual([made[3]!.id, made[2]!.id, made[1]!.id]);
    expect(ids((await list(`from=${encodeURIComponent(from)}&operator=${adminId}&ticket=5001`)).body)).toEqual([made[3]!.id]);
    expect((await list('from=2999-01-01')).body.changes).toEqual([]);
    expect(ids((await list(`ids=${made[0]!.id},${made[2]!.id}`)).body)).toEqual([made[2]!.id, made[0]!.id]);
  });

  it('pages by keyset: every change exactly once, in order, and the filters hold across pages', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { body: { changes: Change[]; nextCursor: string | null } } = await list(`limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.body.changes.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page.body));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toEqual([...made].reverse().map((c) => c.id));
    expect(pages).toBe(Math.ceil(made.length / 2));
    const first = await list(`operator=${operatorId}&limit=1`);
    expect(ids(first.body)).toEqual([made[2]!.id]);
    const second = await list(`operator=${operatorId}&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(ids(second.body)).toEqual([made[1]!.id]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('refuses bad filters with a 400 naming the field, and lists nothing', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['from=yesterday', 'querystring.from', /must be a date like/],
      ['to=2026-13-45', 'querystring.to', /date/],
      ['status=done', 'querystring.status', /must be pending, succeeded or failed/],
      ['status=succeeded,nope', 'querystring.status', /must be pending, succeeded or failed/],
      ['operator=bob', 'querystring.operator', /must be an operator id/],
      ['ticket=T-12', 'querystring.ticket', /must be a ticket number/],
      ['cursor=bm90LWEtY3Vyc29y', 'querystring.cursor', /is not a cursor from this list/],
      ['from=2026-02-01&to=2026-01-01', 'querystring.to', /must not be before from/],
      ['ids=1,2', 'querystring.ids', /must be change ids/],
    ];
    for (const [query, field, message] of cases) {
      const res = await list(query);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe('validation_failed');
      const fields = res.body.error.details.fields as Array<{ field: string; message: string }>;
      expect(fields.find((f) => f.field.startsWith(field))?.message, query).toMatch(message);
    }
  });

  it('an operator outside the tenant sees nothing: the list, one change and revert are 404', async () => {
    const outsider = await t.signedInAs('operator', { email: 'outsider@msp.example' });
    const other = (await admin.post('/api/tenants', { name: 'Other customer', primaryDomain: 'other.example' })).body;
    await admin.patch(`/api/operators/${outsider.operatorId}`, { allTenants: false, tenantIds: [other.id] });
    expect((await list('', outsider.client)).status).toBe(404);
    expect((await outsider.client.get(`/api/tenants/${tenantId}/voice-changes/${made[3]!.id}`)).status).toBe(404);
    expect((await outsider.client.post(`/api/tenants/${tenantId}/voice-changes/${made[3]!.id}/revert`, {})).status).toBe(404);
    // A change id of this tenant asked for under the outsider's own tenant is not found either.
    expect((await outsider.client.get(`/api/tenants/${other.id}/voice-changes?ids=${made[3]!.id}`)).body.changes).toEqual([]);
    expect((await outsider.client.get(`/api/tenants/${other.id}/voice-changes/${made[3]!.id}`)).status).toBe(404);
    // A viewer in scope reads the list but cannot revert.
    const viewer = await t.signedInAs('viewer', { email: 'viewer@msp.example' });
    expect((await list('', viewer.client)).status).toBe(200);
    expect((await viewer.client.post(`/api/tenants/${tenantId}/voice-changes/${made[3]!.id}/revert`, {})).status).toBe(403);
  });

  it('reverts from the list; the audit events name the change; a taken old number is a conflict that changes nothing', async () => {
    const u1 = users()[1]!;
    const original = made[1]!; // u1 got free()[1]
    const second = await voice(operator, u1.id, { number: { numberId: numbers[free()[2]!] } });
    expect((await inventory(free()[1]!)).status).toBe('cooling');
    const row = (await list(`user=${u1.id}`)).body.changes as Change[];
    expect(row.map((c) => [c.id, c.revertible])).toEqual([
      [second.id, true],
      [original.id, false],
    ]);
    // The audit events of the change carry its id, so the audit log can offer Revert on them.
    const events = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.targetType, 'teams_user'), eq(auditEvents.targetId, u1.id)));
    const completion = events.find((e) => e.action === 'voice.assign_number' && (e.after as { changeId?: string }).changeId === second.id);
    expect(completion).toBeDefined();

    // The previous number cooled and went to someone else: the revert is refused, and nothing changes.
    await t.deps.db.update(phoneNumbers).set({ status: 'available', coolingUntil: null }).where(eq(phoneNumbers.e164, free()[1]!));
    const taker = users()[3]!;
    await voice(admin, taker.id, { number: { numberId: numbers[free()[1]!] } });
    const refused = await operator.post(`/api/tenants/${tenantId}/voice-changes/${second.id}/revert`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('revert_conflict');
    expect(refused.body.error.message).toContain(`previous number ${free()[1]!} is now assigned to`);
    expect(await inventory(free()[2]!)).toMatchObject({ status: 'assigned', assigneeId: u1.id });
    expect((await list(`user=${u1.id}`)).body.changes).toHaveLength(2);

    // Without a conflict: u2's policy change is reverted from the list.
    const u2 = users()[2]!;
    const policyChange = ((await list(`user=${u2.id}`)).body.changes as Change[])[0]!;
    expect(policyChange.revertible).toBe(true);
    const started = await operator.post(`/api/tenants/${tenantId}/voice-changes/${policyChange.id}/revert`, { ticketId: '5003' });
    expect(started.status).toBe(202);
    const reverted = await settled(started.body.id);
    expect(reverted).toMatchObject({ status: 'succeeded', kind: 'revert', revertOf: policyChange.id, ticketId: '5003' });
    const live = (await admin.get(`/api/tenants/${tenantId}/teams/users/${u2.id}?live=true`)).body;
    expect(live.policies.OnlineVoiceRoutingPolicy?.assignmentType ?? null).not.toBe('direct');
    const after = (await list(`user=${u2.id}`)).body.changes as Change[];
    expect(after.map((c) => [c.kind, c.revertible])).toEqual([
      ['revert', true],
      ['policies', false],
    ]);
    // Reverting the older one now is a conflict too.
    expect((await operator.post(`/api/tenants/${tenantId}/voice-changes/${policyChange.id}/revert`, {})).body.error.code).toBe('revert_conflict');
  });

  it('from the number: remove it from its Teams user (the number cools), and revert gives it back', async () => {
    const holder = users()[4]!;
    const e164 = free()[3]!;
    await voice(admin, holder.id, { number: { numberId: numbers[e164] }, policies: { OnlineVoiceRoutingPolicy: 'US-International', TeamsCallingPolicy: 'AllowCalling' } });
    const held = (await admin.get(`/api/tenants/${tenantId}/numbers/${numbers[e164]}`)).body;
    expect(held).toMatchObject({ status: 'assigned', assignee: { type: 'teams_user', id: holder.id } });

    // The drawer says which number it saw: another number on the user is a conflict and nothing changes.
    const moved = await operator.post(`/api/tenants/${tenantId}/teams/users/${holder.id}/voice`, { number: null, expectedNumber: free()[4]! });
    expect(moved.status).toBe(409);
    expect(moved.body.error.code).toBe('number_moved');
    expect(moved.body.error.message).toContain(`they have ${e164} now`);
    expect((await inventory(e164)).status).toBe('assigned');
    const bad = await operator.post(`/api/tenants/${tenantId}/teams/users/${holder.id}/voice`, { number: null, expectedNumber: 'call me' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].field).toBe('expectedNumber');

    const removed = await voice(operator, holder.id, { number: null, expectedNumber: e164, ticketId: '5004' });
    expect(removed).toMatchObject({ status: 'succeeded', kind: 'remove_number', ticketId: '5004' });
    expect(await inventory(e164)).toMatchObject({ status: 'cooling', assigneeId: null });
    expect((await admin.get(`/api/tenants/${tenantId}/teams/users/${holder.id}?live=true`)).body.numbers).toEqual([]);
    const audit = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'voice.remove_number'), eq(auditEvents.targetId, holder.id)));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ ticketId: '5004', result: 'success' });

    const back = await settled((await operator.post(`/api/tenants/${tenantId}/voice-changes/${removed.id}/revert`, {})).body.id);
    expect(back).toMatchObject({ status: 'succeeded', kind: 'revert', revertOf: removed.id });
    expect(await inventory(e164)).toMatchObject({ status: 'assigned', assigneeId: holder.id });
    const live = (await admin.get(`/api/tenants/${tenantId}/teams/users/${holder.id}?live=true`)).body;
    expect(live.numbers.map((n: { telephoneNumber: string }) => n.telephoneNumber)).toEqual([e164]);
  });

  it("from the number: reset its user's policies to the tenant's, and revert puts them back", async () => {
    const holder = users()[4]!;
    const reset = await voice(operator, holder.id, { resetPolicies: true, expectedNumber: free()[3]! });
    expect(reset).toMatchObject({ status: 'succeeded', kind: 'policies' });
    expect((reset as unknown as { requested: { policies: Record<string, string | null> } }).requested.policies).toMatchObject({ OnlineVoiceRoutingPolicy: null, TeamsCallingPolicy: null });
    let live = (await admin.get(`/api/tenants/${tenantId}/teams/users/${holder.id}?live=true`)).body;
    for (const type of ['OnlineVoiceRoutingPolicy', 'TeamsCallingPolicy']) expect(live.policies[type]?.assignmentType ?? null, type).not.toBe('direct');
    expect(await inventory(free()[3]!)).toMatchObject({ status: 'assigned', assigneeId: holder.id }); // the number stays

    const nothing = await operator.post(`/api/tenants/${tenantId}/teams/users/${holder.id}/voice`, { resetPolicies: true });
    expect(nothing.status).toBe(400);
    expect(nothing.body.error.message).toMatch(/Nothing to reset: .* has no policies assigned directly/);
    const both = await operator.post(`/api/tenants/${tenantId}/teams/users/${holder.id}/voice`, { resetPolicies: true, policies: { TeamsCallingPolicy: 'AllowCalling' } });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/not both/);

    const back = await settled((await operator.post(`/api/tenants/${tenantId}/voice-changes/${reset.id}/revert`, {})).body.id);
    expect(back.status).toBe('succeeded');
    live = (await admin.get(`/api/tenants/${tenantId}/teams/users/${holder.id}?live=true`)).body;
    expect(live.policies.OnlineVoiceRoutingPolicy.name).toBe('US-International');
    expect(live.policies.TeamsCallingPolicy.name).toBe('AllowCalling');
  });
});
