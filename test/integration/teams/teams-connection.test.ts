import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { dumpDatabase, expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

const fakePwsh = fileURLToPath(new URL('../../fixtures/fake-pwsh.mjs', import.meta.url));
const pwshLog = path.join(mkdtempSync(path.join(tmpdir(), 'pwsh-')), 'calls.jsonl');
process.env.FAKE_PWSH_LOG = pwshLog;

describe.each(dbTargets())('Teams connection set-up on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let limited: TeamsFixture;
  let admin: ApiClient;

  beforeAll(async () => {
    t = await startTestApp(target, { UCR_PWSH_PATH: fakePwsh, FAKE_PWSH_LOG: pwshLog });
    fx = await startTeamsSimulators({ users: 5 });
    limited = await startTeamsSimulators({ users: 5, permissions: ['User.Read.All', 'TeamsUserConfiguration.Read.All'] });
    t.secrets.add(fx.clientSecret);
    t.secrets.add(limited.clientSecret);
    admin = (await t.signedInAs('admin')).client;
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await fx.close();
    await limited.close();
  });

  // A Microsoft tenant id belongs to one tenant only; further test tenants name the same Microsoft tenant by domain.
  async function tenantFor(f: TeamsFixture, name: string) {
    const byId = await admin.post('/api/tenants', { name, microsoftTenantId: f.microsoftTenantId });
    if (byId.status === 201) return byId.body.id as string;
    return (await admin.post('/api/tenants', { name, primaryDomain: f.domain })).body.id as string;
  }
  const custom = (f: TeamsFixture) => ({ cloud: 'custom', loginBaseUrl: f.entra.url, graphBaseUrl: f.graph.url });

  it('certificate authentication: generated here, uploaded to Entra ID, tested; the private key never leaves', async () => {
    const tenantId = await tenantFor(fx, 'Cert tenant');
    expect((await admin.request('PUT', `/api/tenants/${tenantId}/connections/teams`, { clientId: fx.clientId, authMethod: 'certificate', ...custom(fx) })).status).toBe(200);
    const generated = await admin.post(`/api/tenants/${tenantId}/connections/teams/certificate/generate`);
    expect(generated.status).toBe(200);
    expect(generated.body.certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(JSON.stringify(generated.body)).not.toMatch(/PRIVATE KEY/);
    const download = await fetch(`${t.url}/api/tenants/${tenantId}/connections/teams/certificate.cer`, { headers: { cookie: `ucr_session=${admin.cookie}` } });
    expect(await download.text()).toBe(generated.body.certificatePem);

    // Before the certificate is on the app registration, Entra refuses it, and the test says what to do.
    const refused = await admin.post(`/api/tenants/${tenantId}/connections/teams/test`);
    expect(refused.body.ok).toBe(false);
    expect(refused.body.steps[0].message).toMatch(/certificate was refused/i);

    // The admin uploads the certificate to the app registration (here: the simulator's admin endpoint).
    const uploaded = await fetch(`${fx.entra.url}/_sim/tenants/${fx.microsoftTenantId}/apps/${fx.clientId}/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pem: generated.body.certificatePem }),
    });
    expect(uploaded.status).toBeLessThan(300);
    const ok = await admin.post(`/api/tenants/${tenantId}/connections/teams/test`);
    expect(ok.body).toMatchObject({ ok: true, missingPermissions: [] });
    const connection = (await admin.get(`/api/tenants/${tenantId}/connections/teams`)).body;
    expect(connection).toMatchObject({ configured: true, authMethod: 'certificate', certificate: { privateKeySet: true, thumbprint: generated.body.thumbprint } });
    const dump = await dumpDatabase(t);
    expect(dump).not.toMatch(/BEGIN PRIVATE KEY/);

    // The optional PowerShell bridge fills the policy catalog, signing in with the same certificate.
    const before = (await admin.get(`/api/tenants/${tenantId}/teams/policies`)).body;
    expect(before).toMatchObject({ refreshedAt: null, powershellBridge: true });
    const startedAt = Date.now();
    const refreshed = await admin.post(`/api/tenants/${tenantId}/teams/policies/refresh`);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.byType.TenantDialPlan).toBe(2);
    expect(refreshed.body.byType.TeamsAudioConferencingPolicy).toBe(2);
    expect(refreshed.body.byType.TeamsCallParkPolicy).toBe(2);
    const after = (await admin.get(`/api/tenants/${tenantId}/teams/policies`)).body;
    expect(after.refreshedAt).toBe(refreshed.body.refreshedAt);
    expect(Date.parse(after.refreshedAt)).toBeGreaterThanOrEqual(startedAt - 1000);
    const conferencing = (after.types as Array<{ policyType: string; label: string; policies: Array<{ name: string }> }>).find((c) => c.policyType === 'TeamsAudioConferencingPolicy')!;
    expect(conferencing.label).toBe('Audio conferencing policy');
    expect(conferencing.policies.map((p) => p.name)).toContain('TeamsAudioConferencingPolicy-FromPowerShell');
    const audit = (await admin.get(`/api/audit?action=teams_policy.refreshed_with_powershell`)).body.events as Array<{ tenantId: string }>;
    expect(audit.filter((e) => e.tenantId === tenantId)).toHaveLength(1);
    const catalog = (await admin.get(`/api/tenants/${tenantId}/teams/policies`)).body.types as Array<{ policyType: string; policies: Array<{ name: string; source: string }> }>;
    expect(catalog.find((c) => c.policyType === 'OnlineVoiceRoutingPolicy')!.policies).toContainEqual(expect.objectContaining({ name: 'OnlineVoiceRoutingPolicy-FromPowerShell', source: 'powershell' }));
    // Without an Entra admin role on the app, the cmdlets answer Access Denied: the error names the role to assign.
    process.env.FAKE_PWSH_ANSWER = 'access-denied';
    try {
      const denied = await admin.post(`/api/tenants/${tenantId}/teams/policies/refresh`);
      expect(denied.status).toBe(502);
      expect(denied.body.error.message).toBe(
        'Teams PowerShell signed in as the app but refused its cmdlets (Access Denied): the app registration has no Entra admin role. In Entra ID › Roles and administrators, assign the Teams Administrator role (or Teams Communications Administrator) to the app, wait a few minutes for it to apply, then try again.',
      );
    } finally {
      delete process.env.FAKE_PWSH_ANSWER;
    }
    // Inputs travel on stdin: the script text handed to pwsh holds no tenant, app id or key.
    const calls = readFileSync(pwshLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { args: string[] });
    const script = calls.at(-1)!.args.join(' ');
    expect(script).not.toContain(fx.microsoftTenantId);
    expect(script).not.toContain(fx.clientId);
    expect(script).not.toMatch(/PRIVATE KEY/);
  });

  it('the PowerShell bridge needs certificate authentication and says so', async () => {
    const tenantId = await tenantFor(fx, 'Secret-only tenant');
    await admin.request('PUT', `/api/tenants/${tenantId}/connections/teams`, { clientId: fx.clientId, authMethod: 'secret', clientSecret: fx.clientSecret, ...custom(fx) });
    const refused = await admin.post(`/api/tenants/${tenantId}/teams/policies/refresh`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/signs in with the Teams certificate/);
  });

  it('names the missing Graph permissions in plain words', async () => {
    const tenantId = await tenantFor(limited, 'Limited tenant');
    await admin.request('PUT', `/api/tenants/${tenantId}/connections/teams`, { clientId: limited.clientId, authMethod: 'secret', clientSecret: limited.clientSecret, ...custom(limited) });
    const result = (await admin.post(`/api/tenants/${tenantId}/connections/teams/test`)).body;
    expect(result.ok).toBe(false);
    expect(result.missingPermissions.sort()).toEqual(['TeamsPolicyUserAssign.ReadWrite.All', 'TeamsTelephoneNumber.ReadWrite.All']);
    expect(result.steps.find((s: { name: string }) => s.name === 'Graph permissions').message).toMatch(/TeamsTelephoneNumber\.ReadWrite\.All — to list, assign and remove phone numbers/);
  });

  it('a wrong secret and an unknown app are explained, and bad uploads are refused with the reason', async () => {
    const tenantId = await tenantFor(fx, 'Wrong secret tenant');
    await admin.request('PUT', `/api/tenants/${tenantId}/connections/teams`, { clientId: fx.clientId, authMethod: 'secret', clientSecret: 'not-the-secret', ...custom(fx) });
    expect((await admin.post(`/api/tenants/${tenantId}/connections/teams/test`)).body.steps[0].message).toMatch(/client secret is wrong or has expired/);
    await admin.request('PUT', `/api/tenants/${tenantId}/connections/teams`, { clientId: 'no-such-app', authMethod: 'secret', clientSecret: 'x', ...custom(fx) });
    expect((await admin.post(`/api/tenants/${tenantId}/connections/teams/test`)).body.steps[0].message).toMatch(/app registration \(client id\) was not found/);
    const badPfx = await admin.post(`/api/tenants/${tenantId}/connections/teams/certificate`, { pfxBase64: Buffer.from('not a pfx file at all').toString('base64'), password: 'x' });
    expect(badPfx.status).toBe(400);
    expect(badPfx.body.error.message).toMatch(/PFX file could not be opened/);
    const noSecret = await admin.request('PUT', `/api/tenants/${(await tenantFor(fx, 'No secret'))}/connections/teams`, { clientId: fx.clientId, authMethod: 'secret', ...custom(fx) });
    expect(noSecret.status).toBe(400);
  });

  it("keeps the client secret's expiry date the admin read in Entra ID, and the Overview warns 30 days before", async () => {
    const tenantId = await tenantFor(fx, 'Secret expiry tenant');
    const url = `/api/tenants/${tenantId}/connections/teams`;
    const soon = new Date(t.clock.now().getTime() + 10 * 86_400_000).toISOString().slice(0, 10);
    const bad = await admin.request('PUT', url, { clientId: fx.clientId, authMethod: 'secret', clientSecret: fx.clientSecret, clientSecretExpiresOn: '2027-02-30', ...custom(fx) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain('clientSecretExpiresOn');
    expect((await admin.get(url)).body.configured).toBe(false);

    const saved = await admin.request('PUT', url, { clientId: fx.clientId, authMethod: 'secret', clientSecret: fx.clientSecret, clientSecretExpiresOn: soon, ...custom(fx) });
    expect(saved.status).toBe(200);
    expect(saved.body.clientSecretExpiresOn).toBe(soon);
    // Saved again without the secret or the date: both are kept.
    expect((await admin.request('PUT', url, { clientId: fx.clientId, authMethod: 'secret', ...custom(fx) })).body.clientSecretExpiresOn).toBe(soon);
    const warning = ((await admin.get('/api/overview')).body.items as Array<Record<string, any>>).find((i) => i.kind === 'secret_expiring' && i.tenantId === tenantId);
    expect(warning).toMatchObject({ severity: 'warning', title: 'Teams client secret expires soon', link: { page: 'connections' } });
    expect(warning!.detail).toContain(soon);

    // A new secret without a date: the old secret's expiry is not the new one's.
    const renewed = await admin.request('PUT', url, { clientId: fx.clientId, authMethod: 'secret', clientSecret: `${fx.clientSecret}`, ...custom(fx) });
    expect(renewed.body.clientSecretExpiresOn).toBeNull();
    expect(((await admin.get('/api/overview')).body.items as Array<Record<string, any>>).filter((i) => i.kind === 'secret_expiring' && i.tenantId === tenantId)).toEqual([]);
  });

  it('a switched-off Teams integration answers with a clear message', async () => {
    const tenantId = (await admin.post('/api/tenants', { name: 'No Teams', primaryDomain: fx.domain, overrides: { teams: false } })).body.id;
    const res = await admin.post(`/api/tenants/${tenantId}/teams/sync`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/Teams is switched off for No Teams/);
  });
});
