import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listEmergencyLocationsWithPowerShell, listPoliciesWithPowerShell, runCmdlets, type BridgeCredentials } from '../../../src/connectors/teams/powershell-bridge.ts';
import { associateResourceAccounts, createResourceAccount, listAutoAttendants, listCallQueues, listResourceAccounts, VOICE_APP_IDS } from '../../../src/connectors/teams/voice-apps.ts';
import { startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';

// The bridge against the stand-in for pwsh (test/fixtures/fake-pwsh.mjs), whose tenant lives in the
// Graph simulator. No database is involved: these are connector calls. Vendor sources (also in docs/external-apis.md):
// learn.microsoft.com/powershell/module/skype/new-csonlineapplicationinstance (ApplicationIds, parameters),
// learn.microsoft.com/powershell/module/skype/get-csonlineapplicationinstance (output fields),
// learn.microsoft.com/powershell/module/teams/get-csautoattendant and …/get-cscallqueue (output fields, -First 100),
// learn.microsoft.com/powershell/module/skype/new-csonlineapplicationinstanceassociation (-Identities -ConfigurationId -ConfigurationType),
// learn.microsoft.com/microsoftteams/teams-powershell-application-authentication (roles; cmdlets unsupported app-only),
// learn.microsoft.com/powershell/module/microsoft.powershell.core/import-module (module not found wording).
const fakePwsh = fileURLToPath(new URL('../../fixtures/fake-pwsh.mjs', import.meta.url));
const privateKeyPem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC-test-key\n-----END PRIVATE KEY-----\n';

describe('Teams PowerShell bridge: allow-listed cmdlets, errors, voice applications', () => {
  let fx: TeamsFixture;
  let credentials: BridgeCredentials;
  const options = { pwshPath: fakePwsh };
  const voiceApps = async () => (await fetch(`${fx.graph.url}/_sim/tenants/${fx.microsoftTenantId}/voice-apps`)).json();
  const seed = async (kind: 'auto-attendants' | 'call-queues', body: Record<string, unknown>) =>
    (await fetch(`${fx.graph.url}/_sim/tenants/${fx.microsoftTenantId}/voice-apps/${kind}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json();

  beforeAll(async () => {
    fx = await startTeamsSimulators({ users: 40, seed: 23 });
    process.env.FAKE_PWSH_GRAPH_URL = fx.graph.url;
    credentials = { tenant: fx.microsoftTenantId, appId: fx.clientId, certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', privateKeyPem };
  });
  afterEach(() => {
    delete process.env.FAKE_PWSH_ANSWER;
    delete process.env.FAKE_PWSH_LOG;
  });
  afterAll(async () => {
    delete process.env.FAKE_PWSH_GRAPH_URL;
    await fx.close();
  });

  it('refuses a cmdlet, a parameter or a value off the allow-list before pwsh starts, and changes nothing', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'pwsh-')), 'calls.log');
    process.env.FAKE_PWSH_LOG = log;
    const before = await voiceApps();
    const refused = [
      [{ cmdlet: 'Remove-CsOnlineApplicationInstanceAssociation', parameters: { Identities: ['x'] } }],
      [{ cmdlet: 'Get-CsAutoAttendant' }, { cmdlet: 'Invoke-Expression', parameters: {} }],
      [{ cmdlet: 'New-CsOnlineApplicationInstance', parameters: { UserPrincipalName: 'a@b.example', ApplicationId: VOICE_APP_IDS.aa, DisplayName: 'A', Force: true } }],
      [{ cmdlet: 'New-CsOnlineApplicationInstance', parameters: { UserPrincipalName: 'a@b.example', ApplicationId: 'not-a-guid; Remove-Item', DisplayName: 'A' } }],
      [{ cmdlet: 'Get-CsCallQueue', parameters: { First: '100' } }],
      [{ cmdlet: 'toString' }],
      [],
    ];
    for (const calls of refused) await expect(runCmdlets(options, credentials, calls)).rejects.toMatchObject({ status: 400, code: 'cmdlet_not_allowed' });
    expect(existsSync(log)).toBe(false);
    expect(await voiceApps()).toEqual(before);
  });

  it('names each failure: pwsh missing, module missing, admin role missing, app-only refusal, cmdlet failure without the key', async () => {
    await expect(listAutoAttendants({ pwshPath: '/nonexistent/pwsh' }, credentials)).rejects.toMatchObject({ code: 'teams_powershell_not_found', message: expect.stringContaining('PowerShell was not found at /nonexistent/pwsh') });
    process.env.FAKE_PWSH_ANSWER = 'module-missing';
    await expect(listCallQueues(options, credentials)).rejects.toMatchObject({ code: 'teams_module_missing', message: expect.stringContaining('Install-Module MicrosoftTeams') });
    process.env.FAKE_PWSH_ANSWER = 'access-denied';
    await expect(listResourceAccounts(options, credentials)).rejects.toMatchObject({ code: 'teams_permission_missing', message: expect.stringContaining('Teams Administrator role') });
    process.env.FAKE_PWSH_ANSWER = 'app-auth-unsupported';
    await expect(createResourceAccount(options, credentials, { userPrincipalName: `aa-new@${fx.domain}`, displayName: 'New', type: 'aa' })).rejects.toMatchObject({ code: 'teams_app_auth_unsupported', message: expect.stringContaining('New-CsOnlineApplicationInstance') });
    await expect(listAutoAttendants(options, credentials)).resolves.toBeInstanceOf(Array); // other cmdlets still run in that mode
    delete process.env.FAKE_PWSH_ANSWER;
    const taken = [...fx.seeded.tenant.users.values()][0]!.userPrincipalName;
    const failure = await createResourceAccount(options, credentials, { userPrincipalName: taken, displayName: 'Clash', type: 'cq' }).then(
      () => new Error('created a resource account with a UPN already taken'),
      (e: Error) => e,
    );
    expect(failure).toMatchObject({ code: 'teams_cmdlet_failed', message: expect.stringContaining('New-CsOnlineApplicationInstance failed: A conflicting object') });
    expect(failure.message).not.toContain('PRIVATE KEY');
    expect(failure.message).not.toContain('test-key');
  });

  it('existing reads run on the runner: policies and emergency locations', async () => {
    const policies = await listPoliciesWithPowerShell(options, credentials, ['OnlineVoiceRoutingPolicy', 'TenantDialPlan']);
    expect(policies.OnlineVoiceRoutingPolicy).toEqual([{ name: 'Global', description: '' }, { name: 'OnlineVoiceRoutingPolicy-FromPowerShell', description: `Read by the bridge for ${fx.microsoftTenantId}` }]);
    expect(policies.TenantDialPlan?.map((p) => p.name)).toContain('TenantDialPlan-FromPowerShell');
    const lis = await listEmergencyLocationsWithPowerShell(options, credentials);
    expect(lis.addresses.length).toBeGreaterThan(0);
    expect(lis.locations.every((l) => l.LocationId && l.CivicAddressId)).toBe(true);
  });

  it('reads resource accounts, auto attendants and call queues as the cmdlets show them (lone item or list, enum names or numbers)', async () => {
    const seededAccounts = [...fx.seeded.tenant.users.values()].filter((u) => u.accountType === 'resourceAccount');
    expect(seededAccounts.length).toBeGreaterThan(0);
    const accounts = await listResourceAccounts(options, credentials);
    expect(accounts.map((a) => a.objectId).sort()).toEqual(seededAccounts.map((u) => u.id).sort());
    expect(accounts.every((a) => a.type === 'aa' && a.applicationId === VOICE_APP_IDS.aa)).toBe(true);
    expect(accounts.filter((a) => a.phoneNumber).every((a) => /^\+\d+$/.test(a.phoneNumber!))).toBe(true);

    const aa = await seed('auto-attendants', {
      Name: 'Main line', LanguageId: 'en-US', TimeZoneId: 'Pacific Standard Time',
      DefaultCallFlow: { Id: 'flow-1', Name: 'Business hours', Menu: { Name: 'Main menu', MenuOptions: { DtmfResponse: 'Tone1', Action: 'TransferCallToTarget', CallTarget: { Id: seededAccounts[0]!.id, Type: 'ApplicationEndpoint' } } } },
      CallFlows: { Id: 'flow-2', Name: 'After hours', Menu: { Name: 'Closed', MenuOptions: [{ DtmfResponse: 'Automatic', Action: 'DisconnectCall', CallTarget: null }] } },
      CallHandlingAssociations: [{ Type: 'AfterHours', ScheduleId: 'sched-1', CallFlowId: 'flow-2', Priority: 1, Enabled: true }],
      Schedules: [
        { Id: 'sched-1', Name: 'After hours', Type: 'WeeklyRecurrence', WeeklyRecurrentSchedule: { MondayHours: [{ Start: '00:00:00', End: '09:00:00' }, { Start: '17:00:00', End: '1.00:00:00' }], TuesdayHours: [], IsEnabled: true }, FixedSchedule: null },
        { Id: 'sched-2', Name: 'Holidays', Type: 'Fixed', WeeklyRecurrentSchedule: null, FixedSchedule: { DateTimeRanges: { Start: '2026-12-25T00:00:00', End: '2026-12-26T00:00:00' } } },
      ],
    });
    const attendants = await listAutoAttendants(options, credentials);
    expect(attendants).toEqual([
      {
        identity: aa.Id, name: 'Main line', languageId: 'en-US', timeZoneId: 'Pacific Standard Time',
        defaultCallFlow: { id: 'flow-1', name: 'Business hours', menu: { name: 'Main menu', options: [{ dtmfResponse: 'Tone1', action: 'TransferCallToTarget', callTarget: { id: seededAccounts[0]!.id, type: 'ApplicationEndpoint' } }] } },
        callFlows: [{ id: 'flow-2', name: 'After hours', menu: { name: 'Closed', options: [{ dtmfResponse: 'Automatic', action: 'DisconnectCall', callTarget: null }] } }],
        callHandlingAssociations: [{ type: 'AfterHours', scheduleId: 'sched-1', callFlowId: 'flow-2', priority: 1, enabled: true }],
        schedules: [
          { id: 'sched-1', name: 'After hours', type: 'WeeklyRecurrence', weekly: { Monday: [{ start: '00:00:00', end: '09:00:00' }, { start: '17:00:00', end: '1.00:00:00' }], Tuesday: [] }, fixed: null },
          { id: 'sched-2', name: 'Holidays', type: 'Fixed', weekly: null, fixed: [{ start: '2026-12-25T00:00:00', end: '2026-12-26T00:00:00' }] },
        ],
        applicationInstances: [],
      },
    ]);

    // Enum values as numbers (ConvertTo-Json without -EnumsAsStrings) and lone items are read too.
    await seed('call-queues', {
      Name: 'Sales', Agents: { ObjectId: seededAccounts[0]!.id, OptIn: true }, DistributionLists: 'a4b2c6d8-0000-4000-8000-000000000001', RoutingMethod: 2,
      TimeoutThreshold: 1200, TimeoutAction: 'Forward', TimeoutActionTarget: { Id: 'tel:+14255550100', Type: 'Phone' }, OverflowThreshold: 50, OverflowAction: 0, OverflowActionTarget: null, LanguageId: 'en-US',
    });
    const queues = await listCallQueues(options, credentials);
    expect(queues).toEqual([
      expect.objectContaining({ name: 'Sales', agents: [{ objectId: seededAccounts[0]!.id, optIn: true }], distributionLists: ['a4b2c6d8-0000-4000-8000-000000000001'], routingMethod: '2', timeoutThreshold: 1200, timeoutAction: 'Forward', timeoutActionTarget: { id: 'tel:+14255550100', type: 'Phone' }, overflowThreshold: 50, overflowAction: '0', overflowActionTarget: null, languageId: 'en-US', applicationInstances: [] }),
    ]);
  });

  it('creates a call queue resource account and links it to the queue; refuses a UPN already taken and an unknown configuration', async () => {
    const queue = await seed('call-queues', { Name: 'Support', Agents: [], DistributionLists: [], RoutingMethod: 'Attendant', TimeoutThreshold: 1200, TimeoutAction: 'Disconnect', OverflowThreshold: 50, OverflowAction: 'DisconnectWithBusy', LanguageId: 'en-GB' });
    const upn = `cq-support@${fx.domain}`;
    const account = await createResourceAccount(options, credentials, { userPrincipalName: upn, displayName: 'Support queue', type: 'cq' });
    expect(account).toMatchObject({ userPrincipalName: upn, displayName: 'Support queue', type: 'cq', applicationId: VOICE_APP_IDS.cq, phoneNumber: null });
    expect((await listResourceAccounts(options, credentials)).find((a) => a.userPrincipalName === upn)).toEqual(account);
    await expect(createResourceAccount(options, credentials, { userPrincipalName: upn, displayName: 'Again', type: 'cq' })).rejects.toMatchObject({ code: 'teams_cmdlet_failed' });

    await expect(associateResourceAccounts(options, credentials, { resourceAccountIds: [account.objectId], configurationId: 'no-such-queue', configurationType: 'CallQueue' })).rejects.toMatchObject({ code: 'teams_cmdlet_failed', message: expect.stringContaining('no-such-queue') });
    expect((await listCallQueues(options, credentials)).find((q) => q.identity === queue.Identity)?.applicationInstances).toEqual([]);

    expect(await associateResourceAccounts(options, credentials, { resourceAccountIds: [account.objectId], configurationId: queue.Identity, configurationType: 'CallQueue' })).toEqual([{ id: account.objectId, result: 'Success' }]);
    expect((await listCallQueues(options, credentials)).find((q) => q.identity === queue.Identity)?.applicationInstances).toEqual([account.objectId]);
  });
  // Get-CsCallQueue and Get-CsAutoAttendant answer 100 unless paged with -First/-Skip
  // (learn.microsoft.com/powershell/module/teams/get-cscallqueue, "gets the first 100 call queues";
  // techcommunity.microsoft.com/discussions/teamsdeveloper/4442755, paging with -First 100 -Skip n).
  it('reads every call queue and auto attendant past the cmdlets\' first 100, page by page', async () => {
    const before = (await listCallQueues(options, credentials)).length;
    for (let i = 0; i < 205; i++) await seed('call-queues', { Name: `Queue ${String(i).padStart(3, '0')}`, Agents: [], DistributionLists: [], RoutingMethod: 'Attendant', TimeoutThreshold: 1200, TimeoutAction: 'Disconnect', OverflowThreshold: 50, OverflowAction: 'DisconnectWithBusy', LanguageId: 'en-US' });
    const queues = await listCallQueues(options, credentials);
    expect(queues).toHaveLength(before + 205);
    expect(new Set(queues.map((q) => q.identity)).size).toBe(before + 205);
    expect(queues.map((q) => q.name)).toContain('Queue 204');

    const attendantsBefore = (await listAutoAttendants(options, credentials)).length;
    for (let i = 0; i < 101 - attendantsBefore; i++) await seed('auto-attendants', { Name: `Attendant ${i}`, LanguageId: 'en-US', TimeZoneId: 'UTC', DefaultCallFlow: null, CallFlows: [], CallHandlingAssociations: [], Schedules: [], ApplicationInstances: [] });
    expect(await listAutoAttendants(options, credentials)).toHaveLength(Math.max(101, attendantsBefore));
  });
});
