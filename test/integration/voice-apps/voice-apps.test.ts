import { fileURLToPath } from 'node:url';
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedVoiceApps, type SeededVoiceApps } from '../../../simulators/index.ts';
import { auditEvents } from '../../../src/db/schema/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

// The Voice apps page's API (issue #20, read side) on the real server: resource accounts from
// Graph (userConfigurations accountType resourceAccount, numberAssignments, assignedLicenses +
// subscribedSkus), auto attendants and call queues through the PowerShell bridge (the simulated
// pwsh, simulators/teams-powershell/pwsh.mjs), cached in the database. Vendor sources are in
// docs/external-apis.md: learn.microsoft.com/graph/api/resources/teamsadministration-teamsuserconfiguration
// (accountType), …/teamsadministration-numberassignment (assignmentTargetId), learn.microsoft.com/powershell/module/teams/get-csautoattendant,
// …/get-cscallqueue, learn.microsoft.com/powershell/module/skype/get-csonlineapplicationinstance (ApplicationId).
const fakePwsh = fileURLToPath(new URL('../../fixtures/fake-pwsh.mjs', import.meta.url));
const MALICIOUS = `<img src=x onerror="alert('aa')">&Co`;

describe.each(dbTargets())('voice apps on %s', (target) => {
  let fx: TeamsFixture;
  let t: TestApp;
  let bare: TestApp;
  let admin: ApiClient;
  let tenantId: string;
  let seeded: SeededVoiceApps;
  const base = () => `/api/tenants/${tenantId}/voice-apps`;

  beforeAll(async () => {
    fx = await startTeamsSimulators({ users: 60, seed: 29 });
    const users = fx.seeded.byProfile.voiceDirectRouting;
    seeded = seedVoiceApps(fx.seeded.tenant, { agents: users.slice(0, 4), receptionist: users[4]!, numbers: { mainLine: '+14255550100', support: '+14255550101' } });
    process.env.FAKE_PWSH_GRAPH_URL = fx.graph.url;
    t = await startTestApp(target, { UCR_PWSH_PATH: fakePwsh });
    t.secrets.add(fx.clientSecret);
    admin = (await t.signedInAs('admin')).client;
    ({ tenantId } = await connectedTenant(admin, fx));
    // The bridge signs in with the Teams certificate.
    await admin.request('PUT', `/api/tenants/${tenantId}/connections/teams`, { clientId: fx.clientId, authMethod: 'certificate', cloud: 'custom', loginBaseUrl: fx.entra.url, graphBaseUrl: fx.graph.url });
    const generated = await admin.post(`/api/tenants/${tenantId}/connections/teams/certificate/generate`);
    await fetch(`${fx.entra.url}/_sim/tenants/${fx.microsoftTenantId}/apps/${fx.clientId}/certificates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pem: generated.body.certificatePem }) });
  });
  afterEach(() => {
    delete process.env.FAKE_PWSH_ANSWER;
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t?.close();
    await bare?.close();
    await fx?.close();
  });

  it('lists nothing before the first read, and says the bridge is set up', async () => {
    const before = await admin.get(base());
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ refreshedAt: null, resourceAccounts: [], autoAttendants: [], callQueues: [], powershell: { configured: true, pwshPath: true, certificate: true, setup: null } });
  });

  it('reads resource accounts, auto attendants and call queues through the bridge, caches them with the time, and audits the refresh', async () => {
    const refreshed = await admin.post(`${base()}/refresh`);
    expect(refreshed.status).toBe(200);
    const body = refreshed.body;
    expect(body.bridge).toEqual({ status: 'read', code: null, message: null });
    expect(Date.parse(body.refreshedAt)).toBeGreaterThan(Date.now() - 60_000);
    const main = body.resourceAccounts.find((a: { objectId: string }) => a.objectId === seeded.mainLine.id);
    expect(main).toMatchObject({ displayName: 'Contoso Main Line', type: 'aa', phoneNumbers: ['+14255550100'], licences: ['Teams Phone Resource Account'], hasResourceAccountLicence: true, serves: [{ kind: 'autoAttendant', id: seeded.autoAttendantId, name: 'Contoso Main Line' }] });
    expect(body.resourceAccounts.find((a: { objectId: string }) => a.objectId === seeded.salesAccount.id)).toMatchObject({ type: 'cq', phoneNumbers: [], serves: [{ kind: 'callQueue', name: 'Contoso Sales' }] });
    // The seeded tenant's other resource accounts (no ApplicationId given: auto attendant accounts) are listed too.
    expect(body.resourceAccounts.length).toBe(fx.seeded.byProfile.resourceAccount.length + 3);

    const [aa] = body.autoAttendants;
    expect(aa).toMatchObject({ identity: seeded.autoAttendantId, name: 'Contoso Main Line', languageId: 'en-US', timeZoneId: 'Pacific Standard Time' });
    const receptionist = fx.seeded.byProfile.voiceDirectRouting[4]!;
    expect(aa.defaultCallFlow.options).toEqual([
      { dtmf: 'Tone1', action: 'TransferCallToTarget', target: { type: 'ApplicationEndpoint', id: seeded.salesAccount.id, label: 'Contoso Sales Queue → call queue Contoso Sales' } },
      { dtmf: 'Tone2', action: 'TransferCallToTarget', target: { type: 'ApplicationEndpoint', id: seeded.supportAccount.id, label: 'Contoso Support Queue (+14255550101) → call queue Contoso Support' } },
      { dtmf: 'Tone0', action: 'TransferCallToTarget', target: { type: 'User', id: receptionist.id, label: `${receptionist.displayName} <${receptionist.userPrincipalName}>` } },
    ]);
    expect(aa.businessHours.days.find((d: { day: string }) => d.day === 'Friday')).toEqual({ day: 'Friday', ranges: [{ start: '08:30:00', end: '16:00:00' }] });
    expect(aa.businessHours.callFlow.options[0]).toMatchObject({ dtmf: 'Automatic', target: { type: 'SharedVoicemail' } });
    expect(aa.holidays).toEqual([{ scheduleName: 'Christmas 2026', ranges: [{ start: '2026-12-24T12:00:00', end: '2026-12-27T00:00:00' }], callFlow: expect.objectContaining({ name: 'Contoso Main Line holiday' }) }]);

    const support = body.callQueues.find((q: { identity: string }) => q.identity === seeded.supportQueueId);
    expect(support).toMatchObject({ name: 'Contoso Support', languageId: 'en-GB', routingMethod: 'RoundRobin', timeout: { seconds: 300, action: 'Forward', target: { type: 'ExternalPstn', label: '+14255550199' } }, overflow: { calls: 50, action: 'Forward', target: { type: 'User', id: receptionist.id } } });
    expect(support.agents.map((a: { optIn: boolean }) => a.optIn)).toEqual([true, false]);
    expect(support.groups).toHaveLength(1);

    // Cached: the read answers without pwsh, and another node of the installation sees the same read.
    const cached = await admin.get(base());
    expect(cached.body).toEqual(body);
    const other = await startTestApp(target, {}, { nodeOf: t });
    try {
      // The same session (it is in the shared database) on the other node.
      const seen = (await (await fetch(`${other.url}${base()}`, { headers: { cookie: `ucr_session=${admin.cookie}` } })).json()) as typeof body;
      expect(seen.refreshedAt).toBe(body.refreshedAt);
      expect(seen.autoAttendants).toEqual(body.autoAttendants);
    } finally {
      await other.close();
    }
    const audits = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.action, 'voice_apps.refreshed')));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.after).toMatchObject({ autoAttendants: 1, callQueues: 2, bridge: 'read' });
  });

  it('a refresh replaces the cached read and its time', async () => {
    const before = (await admin.get(base())).body;
    (fx.seeded.tenant.callQueues.get(seeded.salesQueueId) as Record<string, unknown>).Name = 'Contoso Sales (renamed)';
    t.clock.advance(60_000);
    const after = (await admin.post(`${base()}/refresh`)).body;
    expect(Date.parse(after.refreshedAt)).toBeGreaterThan(Date.parse(before.refreshedAt));
    expect(after.callQueues.map((q: { name: string }) => q.name)).toContain('Contoso Sales (renamed)');
    expect((await admin.get(base())).body.refreshedAt).toBe(after.refreshedAt);
  });

  it('exports a printable page with the call flow, and escapes what customers typed', async () => {
    await fetch(`${fx.graph.url}/_sim/tenants/${fx.microsoftTenantId}/voice-apps/auto-attendants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Name: MALICIOUS, LanguageId: 'en-US', TimeZoneId: 'UTC', DefaultCallFlow: { Id: 'f1', Name: MALICIOUS, Menu: { Name: 'm', MenuOptions: [{ DtmfResponse: 'Tone1', Action: 'TransferCallToTarget', CallTarget: { Id: 'tel:+15550001', Type: 'ExternalPstn' } }] } }, CallFlows: [], CallHandlingAssociations: [], Schedules: [] }),
    });
    await admin.post(`${base()}/refresh`);
    const response = await fetch(`${t.url}${base()}/export`, { headers: { cookie: `ucr_session=${admin.cookie}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<script|src="http|href="http/i);
    expect(html).toContain('Auto attendant: Contoso Main Line');
    // The diagram: each menu key with an arrow to its target.
    expect(html).toMatch(/Press 1<\/span><span class="arrow" aria-hidden="true">→<\/span><span class="box target">TransferCallToTarget: Contoso Sales Queue → call queue Contoso Sales \(renamed\)/);
    expect(html).toContain('Christmas 2026');
    expect(html).toContain('Call queue: Contoso Support');
    expect(html).toContain('+14255550100');
    expect(html).not.toContain(MALICIOUS);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(&#39;aa&#39;)&quot;&gt;&amp;Co');
  });

  it('keeps Graph’s part and names the bridge’s own error when the bridge fails', async () => {
    process.env.FAKE_PWSH_ANSWER = 'access-denied';
    const refreshed = await admin.post(`${base()}/refresh`);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.bridge).toMatchObject({ status: 'failed', code: 'teams_permission_missing' });
    expect(refreshed.body.bridge.message).toMatch(/Teams Administrator role/);
    expect(refreshed.body.resourceAccounts.find((a: { objectId: string }) => a.objectId === seeded.mainLine.id)).toMatchObject({ phoneNumbers: ['+14255550100'], type: 'unknown' });
    expect(refreshed.body.autoAttendants).toEqual([]);
  });

  it('refuses an operator outside the tenant on every voice apps route, and a viewer’s refresh', async () => {
    const scoped = await t.signedInAs('operator');
    const mine = (await admin.post('/api/tenants', { name: `Other ${Math.random()}` })).body;
    await admin.patch(`/api/operators/${scoped.operatorId}`, { allTenants: false, tenantIds: [mine.id] });
    for (const [method, path] of [['GET', base()], ['POST', `${base()}/refresh`], ['GET', `${base()}/export`]] as const) {
      const res = await scoped.client.request(method, path, method === 'POST' ? {} : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const viewer = (await t.signedInAs('viewer')).client;
    expect((await viewer.post(`${base()}/refresh`)).status).toBe(403);
    expect((await viewer.get(base())).status).toBe(200);
  });

  it('without a bridge lists resource accounts and numbers from Graph and says exactly what to set up', async () => {
    bare = await startTestApp(target);
    const bareAdmin = (await bare.signedInAs('admin')).client;
    const { tenantId: bareTenant } = await connectedTenant(bareAdmin, fx);
    const refreshed = await bareAdmin.post(`/api/tenants/${bareTenant}/voice-apps/refresh`);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.bridge).toEqual({ status: 'not_configured', code: null, message: null });
    expect(refreshed.body.powershell).toMatchObject({ configured: false, pwshPath: false, certificate: false });
    expect(refreshed.body.powershell.setup).toMatch(/install PowerShell 7 and the MicrosoftTeams module.*UCR_PWSH_PATH.*certificate on this tenant’s Teams connection.*Teams Administrator role/);
    const support = refreshed.body.resourceAccounts.find((a: { objectId: string }) => a.objectId === seeded.supportAccount.id);
    expect(support).toMatchObject({ displayName: 'Contoso Support Queue', type: 'unknown', phoneNumbers: ['+14255550101'], licences: ['Teams Phone Resource Account'], serves: [] });
    expect(refreshed.body.autoAttendants).toEqual([]);
  });
});
