import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SKUS } from '../../../simulators/graph/catalog.ts';
import { seedConnectWise, startConnectWiseSimulator, type RunningConnectWiseSimulator } from '../../../simulators/index.ts';
import { auditEvents, lifecycleJobs, phoneNumbers } from '../../../src/db/schema/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { settledLifecycleJob } from '../../helpers/lifecycle.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * Joiners and leavers (#18) through the API, against the Graph simulator (licences as Graph's
 * subscribedSku / assignLicense pages describe them) and the ConnectWise simulator.
 */
describe.each(dbTargets())('onboarding and offboarding on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let cw: RunningConnectWiseSimulator;
  let admin: ApiClient;
  let tenantId: string;
  let numbers: Record<string, string>;
  let profileId: string;
  const phone = SKUS.TeamsPhoneStandard.skuId;
  const keys = { companyId: 'contoso_msp', publicKey: 'demo-public-key', privateKey: 'demo-private-key', clientId: '0b7c4a5e-2d1f-4e8a-9c3b-5f6a7d8e9f01' };
  const graphTenant = () => fx.graph.state.tenants.get(fx.microsoftTenantId)!;

  beforeAll(async () => {
    t = await startTestApp(target, {}, { withQueue: true });
    fx = await startTeamsSimulators({ users: 60, seed: 31 });
    fx.graph.knobs.set({ operationDelayMs: 50 });
    cw = await startConnectWiseSimulator({ port: 0, state: seedConnectWise(keys) });
    const signedIn = await t.signedInAs('admin');
    admin = signedIn.client;
    ({ tenantId, numbers } = await connectedTenant(admin, fx));
    await admin.patch(`/api/tenants/${tenantId}`, { connectwiseCompanyId: cw.state.companies[1]!.identifier });
    expect((await admin.request('PUT', `/api/tenants/${tenantId}/connections/connectwise`, { site: 'na.example', ...keys, baseUrl: cw.apiUrl, defaults: {} })).status).toBe(200);
    await admin.patch(`/api/operators/${signedIn.operatorId}`, { connectwiseMember: 'asmith' });
    for (const e164 of Object.keys(numbers).slice(0, 6)) await admin.patch(`/api/tenants/${tenantId}/numbers/${numbers[e164]}`, { tags: ['joiners'] });
    profileId = (await admin.post(`/api/tenants/${tenantId}/voice-profiles`, { name: 'Joiner', numberSource: { tag: 'joiners' }, policies: { OnlineVoiceRoutingPolicy: 'US-Domestic' } })).body.id;
  }, 120_000);
  afterAll(async () => {
    await t.close();
    await fx.close();
    await cw.close();
  });

  const openTicket = () => cw.state.tickets.find((x) => !x.closedFlag && x.company.identifier === cw.state.companies[1]!.identifier)!;
  const settled = (jobId: string) => settledLifecycleJob(admin, tenantId, jobId);
  const jobsOf = async (userId: string) => t.deps.db.select().from(lifecycleJobs).where(and(eq(lifecycleJobs.tenantId, tenantId), eq(lifecycleJobs.userId, userId)));

  it('onboards an unlicensed user end to end: dry run, licence from the pool, next free number, policies, ticket note and time, audit; then offboards them number first, licence last', async () => {
    const user = fx.seeded.byProfile.unlicensed[0]!;
    const ticket = openTicket();
    const body = { userId: user.id, profileId, licenceSkuIds: [phone], ticketId: String(ticket.id) };
    const freeBefore = graphTenant().subscriptions.get('TeamsPhoneStandard')!.enabled;

    const dry = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { ...body, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.ok).toBe(true);
    expect(dry.body.lines.map((l: any) => [l.step, l.action])).toEqual([['check', 'do'], ['usage_location', 'skip'], ['licence', 'do'], ['number', 'do'], ['voice', 'do'], ['threecx_extension', 'skip'], ['ticket', 'do']]);
    expect(user.licenses).toEqual(['E3']); // the dry run changed nothing
    expect(await jobsOf(user.id)).toEqual([]);

    const started = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, body);
    expect(started.status).toBe(202);
    const job = await settled(started.body.id);
    expect(job.status).toBe('succeeded');
    expect(job.steps.map((s: any) => [s.name, s.state])).toEqual([['check', 'succeeded'], ['usage_location', 'skipped'], ['licence', 'succeeded'], ['number', 'succeeded'], ['voice', 'succeeded'], ['threecx_extension', 'skipped'], ['ticket', 'succeeded']]);
    const e164 = job.steps[3].result.e164 as string;
    expect(Object.keys(numbers).slice(0, 6)).toContain(e164);
    // Teams: the licence, the number and the profile's policy.
    expect(user.licenses).toContain('TeamsPhoneStandard');
    expect(graphTenant().numbers.get(e164)!.assignmentTargetId).toBe(user.id);
    expect(user.policies.get('OnlineVoiceRoutingPolicy')).toBeTruthy();
    expect(freeBefore).toBe(graphTenant().subscriptions.get('TeamsPhoneStandard')!.enabled);
    // The inventory, the ticket and the audit log.
    const [row] = await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.e164, e164));
    expect(row).toMatchObject({ status: 'assigned', assigneeId: user.id });
    const note = cw.state.notes.find((n) => n.ticketId === ticket.id && String(n.text).includes(`UCR Manager reference: ${job.id}`));
    expect(note?.text).toContain('onboarding');
    expect(cw.state.timeEntries.some((e) => e.chargeToId === ticket.id && String(e.notes).includes(job.id))).toBe(true);
    const history = (await admin.get(`/api/audit?targetId=${user.id}&limit=200`)).body;
    const actions = (history.events ?? history.items).map((e: any) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['lifecycle.onboard_requested', 'lifecycle.step', 'teams.licence_assigned', 'voice.assign_number', 'lifecycle.onboarded']));
    const done = (history.events ?? history.items).find((e: any) => e.action === 'lifecycle.onboarded');
    expect(done.before).toMatchObject({ number: null });
    expect(done.after.status).toBe('succeeded');

    // Onboarding again is refused: the user already has a number.
    const again = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, body);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_onboarded');

    // The leaver: the number goes first, then the policies, the number cools as "leaver", the licence goes last.
    const leave = await admin.post(`/api/tenants/${tenantId}/lifecycle/offboard`, { userId: user.id, removeLicenceSkuIds: [phone], ticketId: String(ticket.id) });
    expect(leave.status).toBe(202);
    const left = await settled(leave.body.id);
    expect(left.status).toBe('succeeded');
    expect(left.steps.map((s: any) => [s.name, s.state])).toEqual([['check', 'succeeded'], ['remove_extension', 'skipped'], ['remove_number', 'succeeded'], ['reset_policies', 'succeeded'], ['hold_number', 'succeeded'], ['licence', 'succeeded'], ['ticket', 'succeeded']]);
    expect(graphTenant().numbers.get(e164)!.assignmentTargetId).toBeNull();
    expect(user.licenses).not.toContain('TeamsPhoneStandard');
    expect(user.policies.get('OnlineVoiceRoutingPolicy')).toBeUndefined();
    const [cooled] = await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.e164, e164));
    expect(cooled).toMatchObject({ status: 'cooling', reservationReason: 'leaver', assigneeId: null });
    const events = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.targetType, 'teams_user'), eq(auditEvents.targetId, user.id)));
    const removedAt = events.find((e) => e.action === 'voice.remove_number')!.id;
    const licenceAt = events.filter((e) => e.action === 'teams.licence_removed').map((e) => e.id);
    expect(licenceAt.length).toBe(1);
    expect(licenceAt[0]!).toBeGreaterThan(removedAt);
    expect(events.some((e) => e.action === 'lifecycle.offboarded')).toBe(true);
    expect(cw.state.notes.some((n) => n.ticketId === ticket.id && String(n.text).includes(`UCR Manager reference: ${left.id}`))).toBe(true);
  }, 120_000);

  it('refuses bad input with a specific error and changes nothing', async () => {
    const voiced = fx.seeded.byProfile.voiceDirectRouting[0]!;
    const already = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: voiced.id, profileId });
    expect([already.status, already.body.error.code]).toEqual([409, 'already_onboarded']);

    const ready = fx.seeded.byProfile.readyForVoice[0]!;
    const noNumberHere = await admin.post(`/api/tenants/${tenantId}/lifecycle/offboard`, { userId: ready.id });
    expect([noNumberHere.status, noNumberHere.body.error.code]).toEqual([409, 'no_number']);

    const emptyProfile = (await admin.post(`/api/tenants/${tenantId}/voice-profiles`, { name: 'Empty pool', numberSource: { tag: 'nothing-here' }, policies: {} })).body.id;
    const noFree = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: ready.id, profileId: emptyProfile });
    expect([noFree.status, noFree.body.error.code]).toEqual([409, 'no_free_number']);

    const unlicensed = fx.seeded.byProfile.unlicensed[1]!;
    const subscription = graphTenant().subscriptions.get('TeamsPhoneStandard')!;
    const saved = subscription.enabled;
    subscription.enabled = [...graphTenant().users.values()].filter((u) => u.licenses.includes('TeamsPhoneStandard')).length;
    const noLicence = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: unlicensed.id, profileId, licenceSkuIds: [phone] });
    subscription.enabled = saved;
    expect([noLicence.status, noLicence.body.error.code]).toEqual([409, 'no_licences_left']);
    expect(noLicence.body.error.message).toMatch(/No MCOEV licences left/);

    const noLocation = fx.seeded.byProfile.noUsageLocation[0]!;
    const missing = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: noLocation.id, profileId });
    expect([missing.status, missing.body.error.code]).toEqual([400, 'usage_location_missing']);

    for (const u of [voiced, ready, unlicensed, noLocation]) expect(await jobsOf(u.id)).toEqual([]);
    expect(unlicensed.licenses).toEqual(['E3']);
    const held = await t.deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenantId), eq(phoneNumbers.status, 'reserved')));
    expect(held.filter((n) => (n.reservationReason ?? '').startsWith('Onboarding'))).toEqual([]);
  }, 60_000);

  it('a failed step stops the job with the reason and what was done; retry goes on from that step; undo takes back what was done', async () => {
    const user = fx.seeded.byProfile.noUsageLocation[1]!;
    fx.graph.knobs.set({ skipNextOrders: 1 });
    const started = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: user.id, profileId, usageLocation: 'US' });
    expect(started.status).toBe(202);
    const failed = await settled(started.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/Assign the number and policies in Teams.*skipped/);
    expect(failed.steps.map((s: any) => s.state)).toEqual(['succeeded', 'succeeded', 'skipped', 'succeeded', 'failed', 'pending', 'pending']);
    expect(failed).toMatchObject({ canRetry: true, canUndo: true });
    expect(user.usageLocation).toBe('US');
    const e164 = failed.steps[3].result.e164 as string;
    expect(graphTenant().numbers.get(e164)!.assignmentTargetId).toBeNull();
    // The Overview lists the stopped job until it is retried.
    const overviewLines = async () => ((await admin.get('/api/overview')).body.items as Array<Record<string, any>>).filter((i) => i.kind === 'lifecycle_failed' && i.tenantId === tenantId);
    expect(await overviewLines()).toEqual([expect.objectContaining({ severity: 'error', title: `Onboarding of ${failed.userUpn} stopped at a failed step`, detail: failed.error, link: { page: 'lifecycle' } })]);

    const retried = await admin.post(`/api/tenants/${tenantId}/lifecycle/jobs/${failed.id}/retry`);
    expect(retried.status).toBe(202);
    const done = await settled(failed.id);
    expect(done.status).toBe('succeeded');
    expect(await overviewLines()).toEqual([]);
    // The steps done before the failure were not done again.
    expect(done.steps[3].result.e164).toBe(e164);
    expect(done.steps.slice(0, 4).map((s: any) => s.finishedAt)).toEqual(failed.steps.slice(0, 4).map((s: any) => s.finishedAt));
    expect(graphTenant().numbers.get(e164)!.assignmentTargetId).toBe(user.id);

    const undo = await admin.post(`/api/tenants/${tenantId}/lifecycle/jobs/${failed.id}/undo`);
    expect(undo.status).toBe(202);
    const undone = await settled(failed.id);
    expect(undone.status).toBe('undone');
    expect(graphTenant().numbers.get(e164)!.assignmentTargetId).toBeNull();
    expect(user.usageLocation).toBeNull();
    expect(user.policies.get('OnlineVoiceRoutingPolicy')).toBeUndefined();
    expect((await admin.post(`/api/tenants/${tenantId}/lifecycle/jobs/${failed.id}/undo`)).body.error.code).toBe('not_undoable');
  }, 120_000);

  it('a voice profile names the licence and usage location onboarding uses; bad ones are refused and change nothing', async () => {
    const profiles = `/api/tenants/${tenantId}/voice-profiles`;
    const unknownSku = await admin.post(profiles, { name: 'Starter pack', numberSource: { tag: 'joiners' }, policies: {}, licenceSkuIds: ['0b0b0b0b-0000-4000-8000-000000000001'] });
    expect([unknownSku.status, unknownSku.body.error.code]).toEqual([400, 'licence_unknown']);
    const badLocation = await admin.post(profiles, { name: 'Starter pack', numberSource: { tag: 'joiners' }, policies: {}, usageLocation: 'usa' });
    expect(badLocation.status).toBe(400);
    expect(JSON.stringify(badLocation.body)).toContain('two-letter country code');
    expect((await admin.get(profiles)).body.profiles.some((p: any) => p.name === 'Starter pack')).toBe(false);

    const pack = await admin.post(profiles, { name: 'Starter pack', numberSource: { tag: 'joiners' }, policies: {}, licenceSkuIds: [phone.toUpperCase()], usageLocation: 'GB' });
    expect(pack.status).toBe(201);
    expect(pack.body).toMatchObject({ licenceSkuIds: [phone.toLowerCase()], usageLocation: 'GB' });

    // An unlicensed joiner: the licence comes from the profile, no licence named in the request.
    const user = fx.seeded.byProfile.unlicensed[6]!;
    const dry = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: user.id, profileId: pack.body.id, dryRun: true });
    expect(dry.body.ok).toBe(true);
    expect(dry.body.lines.find((l: any) => l.step === 'licence')).toMatchObject({ action: 'do', message: expect.stringContaining(`Assign ${SKUS.TeamsPhoneStandard.skuPartNumber}`) });
    const job = await settled((await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: user.id, profileId: pack.body.id })).body.id);
    expect(job.status).toBe('succeeded');
    // The job keeps the profile's values; the usage location is only set where the user has none.
    expect(job.input).toMatchObject({ licenceSkuIds: [phone.toLowerCase()], usageLocation: 'GB' });
    expect(job.steps.find((s: any) => s.name === 'usage_location').state).toBe('skipped');
    expect(user.licenses).toContain('TeamsPhoneStandard');

    // A joiner without a usage location: the profile's is set; one named in the request wins.
    const nowhere = fx.seeded.byProfile.noUsageLocation[2]!;
    const fromProfile = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: nowhere.id, profileId: pack.body.id, dryRun: true });
    expect(fromProfile.body.lines.find((l: any) => l.step === 'usage_location')).toMatchObject({ action: 'do', message: 'Set the usage location to GB.' });
    const named = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: nowhere.id, profileId: pack.body.id, usageLocation: 'US', dryRun: true });
    expect(named.body.lines.find((l: any) => l.step === 'usage_location')).toMatchObject({ action: 'do', message: 'Set the usage location to US.' });
    expect(nowhere.usageLocation).toBeNull();
  }, 120_000);

  it('onboards the joiners of a CSV: each row checked first, then a job for each row that passed', async () => {
    const good = fx.seeded.byProfile.unlicensed[2]!;
    const voiced = fx.seeded.byProfile.voiceDirectRouting[1]!;
    const other = fx.seeded.byProfile.unlicensed[3]!;
    const csv = ['UserPrincipalName,Profile,PhoneNumber,Licence,UsageLocation,TicketId', `${good.userPrincipalName},Joiner,,MCOEV,,`, `${voiced.userPrincipalName},Joiner,,,,`, `${other.userPrincipalName},Nope,,,,`, `${good.userPrincipalName},Joiner,,,,`].join('\n');
    const send = (run: boolean) =>
      fetch(`${t.url}/api/tenants/${tenantId}/lifecycle/onboard.csv?run=${run}`, { method: 'POST', headers: { 'content-type': 'text/csv', cookie: `ucr_session=${admin.cookie}`, 'x-csrf-token': admin.csrfToken! }, body: csv }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const dry = await send(false);
    expect(dry.status).toBe(200);
    expect(dry.body.rows.map((r: any) => [r.line, r.ok, r.problem?.code ?? null])).toEqual([[2, true, null], [3, false, 'already_onboarded'], [4, false, 'profile_unknown'], [5, false, 'duplicate_user']]);
    expect(dry.body.started).toBe(0);
    expect(await jobsOf(good.id)).toEqual([]);

    const run = await send(true);
    expect(run.body.started).toBe(1);
    const job = await settled(run.body.rows[0].jobId);
    expect(job.status).toBe('succeeded');
    expect(good.licenses).toContain('TeamsPhoneStandard');
    expect([...graphTenant().numbers.values()].filter((n) => n.assignmentTargetId === good.id)).toHaveLength(1);
    expect(await jobsOf(voiced.id)).toEqual([]);
    const template = await admin.get(`/api/tenants/${tenantId}/lifecycle/onboard-template.csv`);
    expect(template.status).toBe(200);
  }, 120_000);
});
