/**
 * Operator sign-in with Entra ID where the app proves itself with a certificate (issue #17, item 8),
 * against the Entra ID simulator. Sources for what the simulator checks:
 * https://learn.microsoft.com/entra/identity-platform/certificate-credentials (the assertion: PS256,
 * `x5t#S256`, aud = the token endpoint) and https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow
 * (`client_assertion_type` + `client_assertion` on the authorization_code grant instead of a secret).
 * The certificate is generated in Settings, its .cer "uploaded" to the simulator's app registration,
 * Test proves it (and an unregistered one fails with Entra's AADSTS700027), a real sign-in goes
 * through, the private key is never in an answer, the audit trail, the logs or the database in
 * the clear, and switching back to a secret wipes the key.
 */
import { createPrivateKey, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEntraSimulator, type RunningEntraSimulator } from '../../../simulators/index.ts';
import { registerCertificate, type AppRegistration, type EntraTenant } from '../../../simulators/entra/state.ts';
import { decryptSecret, encryptSecret } from '../../../src/core/secret-box.ts';
import { appSettings, auditEvents } from '../../../src/db/schema/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { dumpDatabase, expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('Entra sign-in with a certificate on %s', (target) => {
  let sim: RunningEntraSimulator;
  let home: EntraTenant;
  let registration: AppRegistration;
  let node: TestApp;
  let admin: ApiClient;
  const clientId = randomUUID();
  const clientSecret = `cert-test-secret-${randomBytes(12).toString('base64url')}`;

  beforeAll(async () => {
    sim = await startEntraSimulator();
    home = sim.state.addTenant({ displayName: 'Cert MSP', domains: ['cert-msp.example'] });
    node = await startTestApp(target);
    node.secrets.add(clientSecret);
    registration = sim.state.addApp(home.id, { clientId, secrets: [clientSecret], redirectUris: [`${node.url}/api/auth/entra/callback`] });
    sim.state.addUser(home.id, { userPrincipalName: 'cora.cert@cert-msp.example', displayName: 'Cora Cert' });
    admin = (await node.signedInAs('admin')).client;
  });
  afterAll(async () => {
    expectNoSecretsInLogs(node);
    await node.close();
    await sim.close();
  });

  const base = () => ({ tenant: 'cert-msp.example', clientId, authority: sim.url });
  const storedKey = async (): Promise<string | undefined> => {
    const [row] = await node.deps.db.select().from(appSettings).where(eq(appSettings.key, 'entraSignIn'));
    if (!row?.secretEnc) return undefined;
    return (JSON.parse(decryptSecret(node.deps.keyring, row.secretEnc)) as { privateKeyPem?: string }).privateKeyPem;
  };
  /** Every form of the private key that could leak: the PEM and its base64 body lines. */
  const keyForms = (pem: string) => [pem, ...pem.split('\n').filter((line) => line.length >= 40 && !line.startsWith('-----'))];

  it('generates a certificate: thumbprint and expiry shown, the .cer downloadable, the key kept encrypted and never answered', async () => {
    const secretFirst = await admin.request('PUT', '/api/settings/entra-sign-in', { ...base(), clientSecret });
    expect(secretFirst.body).toMatchObject({ enabled: true, authMethod: 'secret', certificate: null });

    // Choosing the certificate before one exists is refused, naming what to do; nothing changes.
    const early = await admin.request('PUT', '/api/settings/entra-sign-in', { authMethod: 'certificate' });
    expect(early.status).toBe(400);
    expect(early.body.error.details.fields[0]).toMatchObject({ field: 'authMethod', message: expect.stringMatching(/Generate a certificate first/) });

    const generated = await admin.request('POST', '/api/settings/entra-sign-in/certificate');
    expect(generated.status).toBe(200);
    // Generating does not switch sign-in over: the .cer must be on the app registration first.
    expect(generated.body).toMatchObject({ enabled: true, authMethod: 'secret', clientSecretSet: true });
    const certificate = generated.body.certificate;
    expect(certificate.thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(new Date(certificate.notAfter).getTime()).toBeGreaterThan(Date.now() + 700 * 86_400_000);

    const download = await admin.request('GET', '/api/settings/entra-sign-in/certificate.cer');
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/ucr-manager-sign-in\.cer/);
    const pem = download.body as string;
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(new X509Certificate(pem).fingerprint.replaceAll(':', '')).toBe(certificate.thumbprint);

    const key = (await storedKey())!;
    expect(createPrivateKey(key).asymmetricKeyType).toBe('rsa');
    for (const form of keyForms(key)) node.secrets.add(form);
    expect(new X509Certificate(pem).checkPrivateKey(createPrivateKey(key))).toBe(true);
    for (const answer of [generated.body, (await admin.get('/api/settings/entra-sign-in')).body, pem]) {
      for (const form of keyForms(key)) expect(JSON.stringify(answer)).not.toContain(form);
    }
    const dump = await dumpDatabase(node);
    for (const form of keyForms(key)) expect(dump).not.toContain(form);
  });

  it('Test in place: an unregistered certificate fails with Entra\'s message; once uploaded it passes; nothing is saved', async () => {
    const unregistered = await admin.post('/api/settings/entra-sign-in/test', { authMethod: 'certificate' });
    expect(unregistered.status).toBe(200);
    expect(unregistered.body.ok).toBe(false);
    expect(unregistered.body.steps[1]).toMatchObject({ name: 'Client id and certificate', ok: false, message: expect.stringMatching(/AADSTS700027.*The key was not found/) });
    expect(unregistered.body.steps[1].message).toMatch(/upload it under Certificates & secrets/);

    // The admin uploads the .cer to the app registration (here: the simulator's).
    const pem = (await admin.request('GET', '/api/settings/entra-sign-in/certificate.cer')).body as string;
    registration.certificates.push(registerCertificate(pem));

    const passed = await admin.post('/api/settings/entra-sign-in/test', { authMethod: 'certificate' });
    expect(passed.body).toMatchObject({ ok: true, tenantId: home.id, steps: [{ ok: true }, { name: 'Client id and certificate', ok: true }] });
    // What Entra received was a certificate assertion as Microsoft specifies it.
    const sent = sim.state.acceptedAssertions.at(-1)!;
    expect(sent.header).toMatchObject({ alg: 'PS256', typ: 'JWT', 'x5t#S256': registration.certificates[0]!.x5tS256 });
    expect(sent.payload).toMatchObject({ iss: clientId, sub: clientId, aud: `${sim.url}/${home.id}/oauth2/v2.0/token` });
    expect((await admin.get('/api/settings/entra-sign-in')).body.authMethod).toBe('secret');
  });

  it('saved with the certificate, an operator signs in through the simulator (code redeemed with private_key_jwt); the secret is wiped', async () => {
    const saved = await admin.request('PUT', '/api/settings/entra-sign-in', { authMethod: 'certificate' });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ enabled: true, authMethod: 'certificate', clientSecretSet: false });
    // Entra would refuse the secret now too: prove the code exchange uses the certificate alone.
    registration.secrets.length = 0;
    const assertionsBefore = sim.state.acceptedAssertions.length;

    const started = await fetch(`${node.url}/api/auth/entra/start?login_hint=cora.cert@cert-msp.example`, { redirect: 'manual' });
    expect(started.status).toBe(302);
    const flowCookie = started.headers.getSetCookie().find((c) => c.startsWith('ucr_entra_flow='))!.split(';')[0]!;
    node.secrets.add(flowCookie.split('=')[1]!);
    const approved = await fetch(new URL(started.headers.get('location')!), { redirect: 'manual' });
    const callback = new URL(approved.headers.get('location')!);
    const finished = await fetch(callback, { redirect: 'manual', headers: { cookie: flowCookie } });
    expect(finished.status).toBe(302);
    // A first sign-in: Entra vouched for Cora, who now waits for an admin's approval.
    expect(finished.headers.get('location')).toBe('/pending-approval');
    const exchange = sim.state.acceptedAssertions.slice(assertionsBefore);
    expect(exchange).toHaveLength(1);
    expect(exchange[0]!.header).toMatchObject({ alg: 'PS256', 'x5t#S256': registration.certificates[0]!.x5tS256 });
    expect(exchange[0]!.payload.aud).toBe(`${sim.url}/${home.id}/oauth2/v2.0/token`);
    registration.secrets.push({ id: randomUUID(), value: clientSecret, expiresAt: null });
  });

  it('switching back to a secret wipes the certificate and its key; the audit trail never holds the key', async () => {
    const key = (await storedKey())!;
    const back = await admin.request('PUT', '/api/settings/entra-sign-in', { authMethod: 'secret', clientSecret });
    expect(back.body).toMatchObject({ enabled: true, authMethod: 'secret', clientSecretSet: true, certificate: null });
    expect(await storedKey()).toBeUndefined();
    expect((await admin.request('GET', '/api/settings/entra-sign-in/certificate.cer')).status).toBe(404);
    expect(await dumpDatabase(node)).not.toContain(key.split('\n')[1]!);

    const audit = await node.deps.db.select().from(auditEvents).where(like(auditEvents.action, 'settings.entra_sign_in%'));
    expect(audit.map((e) => e.action)).toContain('settings.entra_sign_in_certificate_generated');
    const text = JSON.stringify(audit);
    for (const form of keyForms(key)) expect(text).not.toContain(form);
    expect(text).not.toContain(clientSecret);
    const generated = audit.find((e) => e.action === 'settings.entra_sign_in_certificate_generated')!;
    expect(generated.after).toMatchObject({ authMethod: 'secret', privateKeySet: true, certificate: { thumbprint: expect.stringMatching(/^[0-9A-F]{40}$/) } });
    const changes = audit.filter((e) => e.action === 'settings.entra_sign_in_changed').sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    expect(changes.at(-1)!.after).toMatchObject({ authMethod: 'secret', privateKeySet: false, certificate: null });
  });

  it('a row saved before certificates existed (secret_enc = the secret alone) still signs in with its secret', async () => {
    await node.deps.db
      .update(appSettings)
      .set({ value: { ...base(), redirectUri: null }, secretEnc: encryptSecret(node.deps.keyring, clientSecret) })
      .where(eq(appSettings.key, 'entraSignIn'));
    expect((await admin.get('/api/settings/entra-sign-in')).body).toMatchObject({ enabled: true, authMethod: 'secret', clientSecretSet: true, certificate: null });
    expect((await admin.post('/api/settings/entra-sign-in/test', {})).body).toMatchObject({ ok: true, steps: [{ ok: true }, { name: 'Client id and secret', ok: true }] });
  });

  it('where the environment sets the secret, it wins: no certificate can be generated or chosen', async () => {
    const envSecret = `env-secret-${randomBytes(8).toString('hex')}`;
    const envApp = await startTestApp(target, { UCR_ENTRA_TENANT: 'cert-msp.example', UCR_ENTRA_CLIENT_ID: clientId, UCR_ENTRA_CLIENT_SECRET: envSecret, UCR_ENTRA_AUTHORITY: sim.url });
    envApp.secrets.add(envSecret);
    try {
      const envAdmin = (await envApp.signedInAs('admin')).client;
      expect((await envAdmin.get('/api/settings/entra-sign-in')).body).toMatchObject({ authMethod: 'secret', certificate: null });
      const generate = await envAdmin.request('POST', '/api/settings/entra-sign-in/certificate');
      expect(generate.status).toBe(400);
      expect(generate.body.error.message).toMatch(/environment sets the client secret \(UCR_ENTRA_CLIENT_SECRET\)/);
      const choose = await envAdmin.request('PUT', '/api/settings/entra-sign-in', { authMethod: 'certificate' });
      expect(choose.status).toBe(400);
      expect(choose.body.error.details.fields.map((f: { field: string }) => f.field)).toContain('authMethod');
    } finally {
      expectNoSecretsInLogs(envApp);
      await envApp.close();
    }
  });
});
