import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedThreeCx, startThreeCxSimulator, type RunningThreeCxSimulator } from '../../../simulators/index.ts';
import { auditEvents, phoneNumbers } from '../../../src/db/schema/index.ts';
import { linkExtension } from '../../../src/features/numbers/number-store.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { settledLifecycleJob } from '../../helpers/lifecycle.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * Joiners and leavers on a tenant with Teams and 3CX (#18): onboarding creates the person's 3CX
 * extension with their Teams DID, offboarding deletes it; the number is held by both (the same
 * person's Teams user and extension, docs/decisions/0006) and never by two of one kind.
 */
describe.each(dbTargets())('onboarding and offboarding with 3CX on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let pbx: RunningThreeCxSimulator;
  let admin: ApiClient;
  let operatorId: string;
  let tenantId: string;
  let numbers: Record<string, string>;
  const apiClient = { clientId: 'ucr-api', clientSecret: 'pbx-secret-7f3a91c2' };
  const graphTenant = () => fx.graph.state.tenants.get(fx.microsoftTenantId)!;
  const pbxUser = (extension: string) => pbx.state.users.find((u) => u.Number === extension);
  const rowOf = async (id: string) => (await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.id, id)))[0]!;

  beforeAll(async () => {
    t = await startTestApp(target, {}, { withQueue: true });
    fx = await startTeamsSimulators({ users: 60, seed: 31 });
    fx.graph.knobs.set({ operationDelayMs: 30 });
    pbx = await startThreeCxSimulator({ port: 0, state: seedThreeCx({ userCount: 20, clientSecret: apiClient.clientSecret, adminPassword: 'pbx-admin-pw', adminSecurityCode: '123456' }) });
    ({ client: admin, operatorId } = await t.signedInAs('admin'));
    ({ tenantId, numbers } = await connectedTenant(admin, fx));
    expect((await admin.request('PUT', `/api/tenants/${tenantId}/connections/threecx`, { fqdn: 'pbx.customer.example', baseUrl: pbx.url, authMode: 'api_client', ...apiClient })).status).toBe(200);
    // 3CX integrated with Teams: the customer's direct routing numbers are DIDs of a PBX trunk too.
    pbx.state.trunks[0]!.DidNumbers.push(...Object.keys(numbers));
  }, 120_000);
  afterAll(async () => {
    await t.close();
    await fx.close();
    await pbx.close();
  });

  const settled = (jobId: string) => settledLifecycleJob(admin, tenantId, jobId);

  it('onboards with a 3CX extension holding the same DID, offboards it away, and undoes both', async () => {
    const user = fx.seeded.byProfile.readyForVoice[0]!;
    const [e164, numberId] = Object.entries(numbers)[0]!;
    const body = { userId: user.id, number: { numberId }, threecxExtension: '7001' };

    const dry = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { ...body, dryRun: true });
    expect(dry.body.lines.find((l: any) => l.step === 'threecx_extension')).toMatchObject({ action: 'do', message: expect.stringContaining('7001') });
    expect(pbxUser('7001')).toBeUndefined();

    const job = await settled((await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, body)).body.id);
    expect(job.status).toBe('succeeded');
    expect(job.steps.map((s: any) => [s.name, s.state])).toEqual([['check', 'succeeded'], ['usage_location', 'skipped'], ['licence', 'skipped'], ['number', 'succeeded'], ['voice', 'succeeded'], ['threecx_extension', 'succeeded'], ['ticket', 'skipped']]);
    // Both systems ring the person on the one number; the inventory shows both holders.
    expect(graphTenant().numbers.get(e164)!.assignmentTargetId).toBe(user.id);
    expect(pbxUser('7001')).toMatchObject({ OutboundCallerID: e164, EmailAddress: user.userPrincipalName.toLowerCase() });
    expect(await rowOf(numberId)).toMatchObject({ status: 'assigned', assigneeType: 'teams_user', assigneeId: user.id, linkedExtension: '7001' });
    const view = (await admin.get(`/api/tenants/${tenantId}/numbers/${numberId}`)).body;
    expect(view.linkedExtension).toMatchObject({ id: '7001' });
    const extension = (await admin.get(`/api/tenants/${tenantId}/threecx/extensions?search=7001`)).body.extensions.find((x: any) => x.number === '7001');
    expect(extension.did).toEqual({ numberId, e164 });

    // Undo goes last step first: the extension is deleted, then the number leaves Teams.
    const undone = await settled((await admin.post(`/api/tenants/${tenantId}/lifecycle/jobs/${job.id}/undo`)).body.id);
    expect(undone.status).toBe('undone');
    expect(pbxUser('7001')).toBeUndefined();
    expect(graphTenant().numbers.get(e164)!.assignmentTargetId).toBeNull();
    expect(await rowOf(numberId)).toMatchObject({ status: 'cooling', linkedExtension: null, assigneeId: null });

    // Onboard another joiner with an extension, then offboard them: the extension goes before the number.
    const joiner = fx.seeded.byProfile.readyForVoice[1]!;
    const [e164b, numberB] = Object.entries(numbers)[1]!;
    expect((await settled((await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: joiner.id, number: { numberId: numberB }, threecxExtension: '7002' })).body.id)).status).toBe('succeeded');
    const planOut = await admin.post(`/api/tenants/${tenantId}/lifecycle/offboard`, { userId: joiner.id, dryRun: true });
    expect(planOut.body.lines.find((l: any) => l.step === 'remove_extension')).toMatchObject({ action: 'do', message: expect.stringContaining('7002') });
    const left = await settled((await admin.post(`/api/tenants/${tenantId}/lifecycle/offboard`, { userId: joiner.id })).body.id);
    expect(left.status).toBe('succeeded');
    expect(left.steps.map((s: any) => [s.name, s.state])).toEqual([['check', 'succeeded'], ['remove_extension', 'succeeded'], ['remove_number', 'succeeded'], ['reset_policies', 'skipped'], ['hold_number', 'succeeded'], ['licence', 'skipped'], ['ticket', 'skipped']]);
    expect(pbxUser('7002')).toBeUndefined();
    expect(await rowOf(numberB)).toMatchObject({ status: 'cooling', linkedExtension: null, reservationReason: 'leaver' });
    const unlinked = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.targetId, numberB), eq(auditEvents.action, 'number.extension_unlinked')));
    expect(unlinked.length).toBe(1);

    // Undoing the leaver puts the number back on the Teams user, then the extension with it.
    const back = await settled((await admin.post(`/api/tenants/${tenantId}/lifecycle/jobs/${left.id}/undo`)).body.id);
    expect(back.status).toBe('undone');
    expect(graphTenant().numbers.get(e164b)!.assignmentTargetId).toBe(joiner.id);
    expect(pbxUser('7002')).toMatchObject({ OutboundCallerID: e164b });
    expect(await rowOf(numberB)).toMatchObject({ status: 'assigned', assigneeId: joiner.id, linkedExtension: '7002' });

    // Teams lets the number go while the extension still has it: it stays assigned, to the extension.
    const removal = await admin.post(`/api/tenants/${tenantId}/teams/users/${joiner.id}/voice`, { number: null });
    expect(removal.status).toBeLessThan(300);
    for (let i = 0; i < 100 && (await rowOf(numberB)).assigneeType !== 'threecx_extension'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await rowOf(numberB)).toMatchObject({ status: 'assigned', assigneeType: 'threecx_extension', assigneeId: '7002', linkedExtension: null });
  }, 180_000);

  it('refuses a taken or malformed extension number, and a tenant without 3CX, changing nothing', async () => {
    const user = fx.seeded.byProfile.readyForVoice[2]!;
    const [, numberId] = Object.entries(numbers)[2]!;
    const existing = pbx.state.users[0]!.Number;
    const taken = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: user.id, number: { numberId }, threecxExtension: existing });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'threecx_extension_taken']);
    expect(taken.body.error.message).toContain(existing);
    const malformed = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: user.id, number: { numberId }, threecxExtension: '70a1' });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body)).toContain('3CX extension number');
    expect(await rowOf(numberId)).toMatchObject({ status: 'available', linkedExtension: null });

    // 3CX switched off for the tenant: an extension number is refused, not silently dropped.
    expect((await admin.patch(`/api/tenants/${tenantId}`, { overrides: { threecx: false } })).status).toBe(200);
    const noPbx = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: user.id, number: { numberId }, threecxExtension: '7100' });
    expect((await admin.patch(`/api/tenants/${tenantId}`, { overrides: { threecx: null } })).status).toBe(200);
    expect([noPbx.status, noPbx.body.error.code]).toEqual([400, 'threecx_not_configured']);
    expect(await rowOf(numberId)).toMatchObject({ status: 'available', linkedExtension: null });
  }, 120_000);

  it('onboards joiners from a CSV with a ThreeCxExtension column: each extension checked first, then created with the DID', async () => {
    const ready = fx.seeded.byProfile.readyForVoice;
    const [good, taken, malformed] = [ready[5]!, ready[6]!, ready[7]!];
    const [[e164, numberId], [e164Taken, numberTaken]] = [Object.entries(numbers)[6]!, Object.entries(numbers)[7]!];
    const existing = pbx.state.users[1]!.Number;
    const csv = ['UserPrincipalName,PhoneNumber,ThreeCxExtension', `${good.userPrincipalName},${e164},7201`, `${taken.userPrincipalName},${e164Taken},${existing}`, `${malformed.userPrincipalName},,7a`].join('\n');
    const send = (run: boolean) =>
      fetch(`${t.url}/api/tenants/${tenantId}/lifecycle/onboard.csv?run=${run}`, { method: 'POST', headers: { 'content-type': 'text/csv', cookie: `ucr_session=${admin.cookie}`, 'x-csrf-token': admin.csrfToken! }, body: csv }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const dry = await send(false);
    expect(dry.status).toBe(200);
    expect(dry.body.rows.map((r: any) => [r.line, r.ok, r.problem?.code ?? null])).toEqual([[2, true, null], [3, false, 'threecx_extension_taken'], [4, false, 'threecx_extension_invalid']]);
    expect(dry.body.rows[0].plan.join(' ')).toContain('7201');
    expect(pbxUser('7201')).toBeUndefined();

    const run = await send(true);
    expect(run.body.started).toBe(1);
    expect((await settled(run.body.rows[0].jobId)).status).toBe('succeeded');
    expect(pbxUser('7201')).toMatchObject({ OutboundCallerID: e164 });
    expect(await rowOf(numberId)).toMatchObject({ status: 'assigned', assigneeType: 'teams_user', assigneeId: good.id, linkedExtension: '7201' });
    // The refused rows changed nothing.
    expect(await rowOf(numberTaken)).toMatchObject({ status: 'available', linkedExtension: null });
    expect(graphTenant().numbers.get(e164Taken)!.assignmentTargetId).toBeNull();
  }, 120_000);

  it('never lets two extensions hold one number, nor one extension two numbers, even at the same moment', async () => {
    const user = fx.seeded.byProfile.readyForVoice[3]!;
    const [, numberId] = Object.entries(numbers)[4]!;
    const job = await settled((await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: user.id, number: { numberId } })).body.id);
    expect(job.status).toBe('succeeded');
    const actor = { operatorId, email: 'admin@test', displayName: 'Admin', role: 'admin' as const, allTenants: true, tenantIds: [], via: 'session' as const };
    const info = { requestId: 'race', ip: undefined };
    const link = (extension: string) => t.deps.db.transaction((tx) => linkExtension(t.deps, tx, actor, tenantId, numberId, { teamsUserId: user.id, extension, name: null }, info));
    const outcomes = await Promise.allSettled([link('7301'), link('7302')]);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? 'linked' : (o.reason as { code?: string }).code)).sort()).toEqual(['linked', 'number_has_extension']);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason.code).toBe('number_has_extension');
    const holder = (await rowOf(numberId)).linkedExtension;
    expect(['7301', '7302']).toContain(holder);
    // The extension that holds this number cannot take another person's number as well.
    const second = fx.seeded.byProfile.readyForVoice[4]!;
    const [, otherId] = Object.entries(numbers)[5]!;
    expect((await settled((await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: second.id, number: { numberId: otherId } })).body.id)).status).toBe('succeeded');
    await expect(t.deps.db.transaction((tx) => linkExtension(t.deps, tx, actor, tenantId, otherId, { teamsUserId: second.id, extension: holder!, name: null }, info))).rejects.toMatchObject({ code: 'assignee_has_number' });
    // Nor a number that is not that Teams user's.
    await expect(t.deps.db.transaction((tx) => linkExtension(t.deps, tx, actor, tenantId, otherId, { teamsUserId: user.id, extension: '7303', name: null }, info))).rejects.toMatchObject({ code: 'number_not_users' });
    expect((await rowOf(otherId)).linkedExtension).toBeNull();
  }, 120_000);
});
