/**
 * Operator sign-in with Entra ID set up in Settings (issue #17, item 8), against the Entra ID
 * simulator: bad input is named and changes nothing; a save applies on both nodes of one
 * database without a restart (a real sign-in goes through); "Test" runs discovery and a
 * client-credential request; the environment wins where it is set; the secret is never answered,
 * never audited and never plain in the database.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEntraSimulator, type RunningEntraSimulator } from '../../../simulators/index.ts';
import type { EntraTenant } from '../../../simulators/entra/state.ts';
import { decryptSecret, keyFromMaterial } from '../../../src/core/secret-box.ts';
import { appSettings, auditEvents } from '../../../src/db/schema/index.ts';
import { reencryptAll } from '../../../src/features/kernel/key-rotation.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { dumpDatabase, expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('Entra sign-in set up in Settings on %s', (target) => {
  let sim: RunningEntraSimulator;
  let home: EntraTenant;
  let nodeA: TestApp;
  let nodeB: TestApp;
  let admin: ApiClient;
  const clientId = randomUUID();
  const clientSecret = `settings-secret-${randomBytes(12).toString('base64url')}`;

  beforeAll(async () => {
    sim = await startEntraSimulator();
    home = sim.state.addTenant({ displayName: 'Settings MSP', domains: ['settings-msp.example'] });
    nodeA = await startTestApp(target);
    nodeB = await startTestApp(target, {}, { nodeOf: nodeA });
    for (const node of [nodeA, nodeB]) node.secrets.add(clientSecret);
    sim.state.addApp(home.id, { clientId, secrets: [clientSecret], redirectUris: [`${nodeA.url}/api/auth/entra/callback`, `${nodeB.url}/api/auth/entra/callback`] });
    sim.state.addUser(home.id, { userPrincipalName: 'sam.settings@settings-msp.example', displayName: 'Sam Settings' });
    admin = (await nodeA.signedInAs('admin')).client;
  });
  afterAll(async () => {
    expectNoSecretsInLogs(nodeA);
    expectNoSecretsInLogs(nodeB);
    await nodeB.close();
    await nodeA.close();
    await sim.close();
  });

  const good = () => ({ tenant: 'settings-msp.example', clientId, clientSecret, authority: sim.url });
  const entraAudit = () => nodeA.deps.db.select().from(auditEvents).where(like(auditEvents.action, 'settings.entra_sign_in%'));

  it('refuses bad input field by field and changes nothing', async () => {
    const before = (await admin.get('/api/settings/entra-sign-in')).body;
    expect(before).toMatchObject({ enabled: false, tenant: null, clientId: null, clientSecretSet: false, authority: 'https://login.microsoftonline.com', fromEnvironment: [] });
    expect(before.redirectUri).toBe(`${nodeA.url}/api/auth/entra/callback`);
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ tenant: '72f988bf-86f1-41af-91ab-2d7cd011db4' }, 'tenant', /not a valid tenant id/],
      [{ tenant: 'common' }, 'tenant', /not common, organizations or consumers/],
      [{ tenant: 'not a domain' }, 'tenant', /neither a tenant id/],
      [{ clientId: 'abc-123' }, 'clientId', /not a valid application \(client\) id/],
      [{ redirectUri: 'http://ucr.example.com/api/auth/entra/callback' }, 'redirectUri', /must use https:\/\//],
      [{ redirectUri: 'https://ucr.example.com/somewhere-else' }, 'redirectUri', /must end in \/api\/auth\/entra\/callback/],
      [{ authority: 'http://login.example.com' }, 'authority', /must use https:\/\//],
    ];
    for (const [body, field, message] of cases) {
      const refused = await admin.request('PUT', '/api/settings/entra-sign-in', { ...good(), ...body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.details.fields.find((f: { field: string }) => f.field === field)?.message).toMatch(message);
    }
    expect((await admin.get('/api/settings/entra-sign-in')).body).toEqual(before);
    expect(await nodeA.deps.db.select().from(appSettings).where(eq(appSettings.key, 'entraSignIn'))).toHaveLength(0);
    expect(await entraAudit()).toHaveLength(0);
  });

  it('tests the form in place without saving: discovery, then client id and secret', async () => {
    const wrong = await admin.post('/api/settings/entra-sign-in/test', { ...good(), clientSecret: 'not-the-secret' });
    expect(wrong.status).toBe(200);
    expect(wrong.body.ok).toBe(false);
    expect(wrong.body.tenantId).toBe(home.id);
    expect(wrong.body.steps[0]).toMatchObject({ name: 'Discovery', ok: true });
    expect(wrong.body.steps[1].message).toMatch(/AADSTS7000215/);

    const unknown = await admin.post('/api/settings/entra-sign-in/test', { ...good(), tenant: 'nobody-here.example' });
    expect(unknown.body.ok).toBe(false);
    expect(unknown.body.steps).toHaveLength(1);
    expect(unknown.body.steps[0].message).toMatch(/Microsoft knows no tenant "nobody-here.example"/);

    const ok = await admin.post('/api/settings/entra-sign-in/test', good());
    expect(ok.body).toMatchObject({ ok: true, tenantId: home.id });
    expect(JSON.stringify(ok.body)).not.toContain(clientSecret);
    // Tested, not saved.
    expect((await admin.get('/api/settings/entra-sign-in')).body.enabled).toBe(false);
    expect((await entraAudit()).map((e) => e.action)).toEqual(['settings.entra_sign_in_tested', 'settings.entra_sign_in_tested', 'settings.entra_sign_in_tested']);
  });

  it('a save applies at once on both nodes (no restart) and a real sign-in goes through node B; the secret is never returned', async () => {
    const onB = admin.on(nodeB.url);
    expect((await fetch(`${nodeB.url}/api/auth/providers`).then((r) => r.json())).entra).toBe(false);
    const saved = await admin.request('PUT', '/api/settings/entra-sign-in', good());
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ enabled: true, tenant: 'settings-msp.example', clientId, clientSecretSet: true, authority: sim.url });
    expect(JSON.stringify(saved.body)).not.toContain(clientSecret);
    expect(JSON.stringify((await onB.get('/api/settings/entra-sign-in')).body)).not.toContain(clientSecret);
    expect((await fetch(`${nodeB.url}/api/auth/providers`).then((r) => r.json())).entra).toBe(true);

    // Node B signs Sam in with what node A saved: start → simulator (login_hint approves) → callback.
    const started = await fetch(`${nodeB.url}/api/auth/entra/start?login_hint=sam.settings@settings-msp.example`, { redirect: 'manual' });
    expect(started.status).toBe(302);
    const authorizeUrl = new URL(started.headers.get('location')!);
    expect(authorizeUrl.origin).toBe(sim.url);
    expect(authorizeUrl.searchParams.get('client_id')).toBe(clientId);
    const flowCookie = started.headers.getSetCookie().find((c) => c.startsWith('ucr_entra_flow='))!.split(';')[0]!;
    nodeB.secrets.add(flowCookie.split('=')[1]!);
    const approved = await fetch(authorizeUrl, { redirect: 'manual' });
    const callback = new URL(approved.headers.get('location')!);
    expect(`${callback.origin}${callback.pathname}`).toBe(`${nodeB.url}/api/auth/entra/callback`);
    const finished = await fetch(callback, { redirect: 'manual', headers: { cookie: flowCookie } });
    expect(finished.status).toBe(302);
    expect(finished.headers.get('location')).toBe('/pending-approval');

    // A save without the secret keeps it; the stored row holds it only encrypted; the audit trail only as "set".
    const renamed = await admin.request('PUT', '/api/settings/entra-sign-in', { tenant: home.id });
    expect(renamed.body).toMatchObject({ enabled: true, tenant: home.id, clientSecretSet: true });
    const [row] = await nodeA.deps.db.select().from(appSettings).where(eq(appSettings.key, 'entraSignIn'));
    expect(row!.secretEnc).toBeTruthy();
    expect(JSON.stringify(row!.value)).not.toContain(clientSecret);
    expect(await dumpDatabase(nodeA)).not.toContain(clientSecret);
    const changes = (await entraAudit()).filter((e) => e.action === 'settings.entra_sign_in_changed');
    expect(changes).toHaveLength(2);
    expect(JSON.stringify(changes)).not.toContain(clientSecret);
    expect(changes[1]!.after).toMatchObject({ tenant: home.id, clientSecretSet: true });

    // Key rotation covers the stored secret (app_settings.secret_enc is a registered encrypted column).
    const rotated = { active: keyFromMaterial(randomBytes(32)), previous: [nodeA.deps.keyring.active] };
    expect((await reencryptAll(nodeA.deps.db, rotated)).reencrypted).toBeGreaterThanOrEqual(1);
    const [after] = await nodeA.deps.db.select().from(appSettings).where(eq(appSettings.key, 'entraSignIn'));
    expect(JSON.parse(decryptSecret({ active: rotated.active, previous: [] }, after!.secretEnc!))).toEqual({ format: 'entraSignIn/1', clientSecret });
    // Rotated back, so both running nodes (which hold the first key) read it again.
    await reencryptAll(nodeA.deps.db, { active: rotated.previous[0]!, previous: [rotated.active] });

    // Removed in Settings: both nodes stop offering it at once.
    const cleared = await admin.request('DELETE', '/api/settings/entra-sign-in');
    expect(cleared.body).toMatchObject({ enabled: false, clientSecretSet: false });
    expect((await fetch(`${nodeB.url}/api/auth/providers`).then((r) => r.json())).entra).toBe(false);
    expect((await fetch(`${nodeB.url}/api/auth/entra/start`, { redirect: 'manual' })).status).toBe(404);
  });

  it('environment variables win where set: shown as such, and a save cannot change them', async () => {
    const envSecret = `env-secret-${randomBytes(8).toString('hex')}`;
    const envApp = await startTestApp(target, { UCR_ENTRA_TENANT: 'settings-msp.example', UCR_ENTRA_CLIENT_ID: clientId, UCR_ENTRA_CLIENT_SECRET: envSecret, UCR_ENTRA_AUTHORITY: sim.url });
    envApp.secrets.add(envSecret);
    try {
      const envAdmin = (await envApp.signedInAs('admin')).client;
      const shown = (await envAdmin.get('/api/settings/entra-sign-in')).body;
      expect(shown).toMatchObject({ enabled: true, tenant: 'settings-msp.example', clientId, clientSecretSet: true, authority: sim.url });
      expect([...shown.fromEnvironment].sort()).toEqual(['authority', 'clientId', 'clientSecret', 'tenant']);
      expect(JSON.stringify(shown)).not.toContain(envSecret);
      const refused = await envAdmin.request('PUT', '/api/settings/entra-sign-in', { clientId: randomUUID() });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details.fields[0]).toMatchObject({ field: 'clientId', message: expect.stringMatching(/Set by the environment \(UCR_ENTRA_CLIENT_ID\)/) });
      const secretRefused = await envAdmin.request('PUT', '/api/settings/entra-sign-in', { clientSecret: 'another' });
      expect(secretRefused.body.error.details.fields[0].field).toBe('clientSecret');
      // A field the environment leaves alone can still be set here.
      const redirect = 'https://ucr.example.com/api/auth/entra/callback';
      const saved = await envAdmin.request('PUT', '/api/settings/entra-sign-in', { redirectUri: redirect });
      expect(saved.body).toMatchObject({ redirectUri: redirect, redirectUriOverride: redirect, clientId });
      const started = await fetch(`${envApp.url}/api/auth/entra/start`, { redirect: 'manual' });
      expect(new URL(started.headers.get('location')!).searchParams.get('redirect_uri')).toBe(redirect);
    } finally {
      expectNoSecretsInLogs(envApp);
      await envApp.close();
    }
  });
});
