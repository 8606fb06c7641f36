import { createPublicKey } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEntraSimulator } from '../../../simulators/entra/server.ts';
import type { RunningEntraSimulator } from '../../../simulators/entra/server.ts';
import { createSelfSignedCertificate } from '../../../simulators/shared/self-signed-cert.ts';
import { clientAssertion, postForm, verifiedClaims } from './support.ts';

const TENANT_ID = '11111111-2222-4333-8444-555555555555';
const cert = createSelfSignedCertificate({ commonName: 'ucr-test' });
const strangerCert = createSelfSignedCertificate({ commonName: 'not-registered' });
let entra: RunningEntraSimulator;
let tokenUrl: string;

beforeAll(async () => {
  entra = await startEntraSimulator();
  entra.state.addTenant({ id: TENANT_ID, displayName: 'Fabrikam', domains: ['fabrikam.example'] });
  entra.state.addApp(TENANT_ID, {
    clientId: 'app-1',
    secrets: ['right-secret', { value: 'old-secret', expiresAt: new Date(Date.now() - 1000) }],
    certificates: [cert.certPem],
    graphPermissions: ['User.Read.All', 'TeamsUserConfiguration.Read.All'],
  });
  tokenUrl = `${entra.url}/${TENANT_ID}/oauth2/v2.0/token`;
});
afterAll(() => entra.close());

const secretForm = (overrides: Record<string, string> = {}) => ({
  grant_type: 'client_credentials',
  client_id: 'app-1',
  client_secret: 'right-secret',
  scope: 'https://graph.microsoft.com/.default',
  ...overrides,
});

describe('Entra simulator: client credentials', () => {
  it('issues a Graph token for a client secret, signed with the published key', async () => {
    const response = await postForm(tokenUrl, secretForm());
    expect(response.status).toBe(200);
    const body = (await response.json()) as { token_type: string; expires_in: number; access_token: string };
    expect(body.token_type).toBe('Bearer');
    expect(body.expires_in).toBeGreaterThan(3000);
    const jwks = (await (await fetch(`${entra.url}/${TENANT_ID}/discovery/v2.0/keys`)).json()) as { keys: JsonWebKey[] };
    const keys = jwks.keys.map((jwk) => createPublicKey({ key: jwk, format: 'jwk' }));
    const claims = verifiedClaims(body.access_token, keys);
    expect(claims).toMatchObject({ tid: TENANT_ID, appid: 'app-1', aud: 'https://graph.microsoft.com', roles: ['User.Read.All', 'TeamsUserConfiguration.Read.All'] });
    expect(claims.exp as number).toBeGreaterThan(Date.now() / 1000);
  });

  it('accepts a verified domain in place of the tenant id', async () => {
    const response = await postForm(`${entra.url}/fabrikam.example/oauth2/v2.0/token`, secretForm());
    expect(response.status).toBe(200);
  });

  it('answers AADSTS90002 for an unknown tenant, in the full Entra error shape', async () => {
    const response = await postForm(`${entra.url}/nowhere.example/oauth2/v2.0/token`, secretForm(), { 'client-request-id': 'corr-1' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'invalid_request', error_codes: [90002], correlation_id: 'corr-1' });
    expect(body.error_description).toMatch(/^AADSTS90002: Tenant 'nowhere.example' not found/);
    expect(body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
  });

  it('answers AADSTS700016 for an unknown application', async () => {
    const response = await postForm(tokenUrl, secretForm({ client_id: 'who-is-this' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });
  });

  it('answers AADSTS7000215 for a wrong secret and AADSTS7000222 for an expired one', async () => {
    const wrong = await postForm(tokenUrl, secretForm({ client_secret: 'nope' }));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    const expired = await postForm(tokenUrl, secretForm({ client_secret: 'old-secret' }));
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error_codes: [7000222] });
  });

  it('accepts client_secret_basic', async () => {
    const form: Record<string, string> = { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' };
    const response = await postForm(tokenUrl, form, { authorization: `Basic ${Buffer.from('app-1:right-secret').toString('base64')}` });
    expect(response.status).toBe(200);
  });

  it('refuses a scope without /.default (AADSTS1002012) and another resource (AADSTS500011)', async () => {
    const noDefault = await postForm(tokenUrl, secretForm({ scope: 'User.Read' }));
    expect(await noDefault.json()).toMatchObject({ error: 'invalid_scope', error_codes: [1002012] });
    const other = await postForm(tokenUrl, secretForm({ scope: 'https://management.azure.com/.default' }));
    expect(await other.json()).toMatchObject({ error: 'invalid_resource', error_codes: [500011] });
  });
});

describe('Entra simulator: certificate client assertion', () => {
  const assertionForm = (assertion: string) => ({
    grant_type: 'client_credentials',
    client_id: 'app-1',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    scope: 'https://graph.microsoft.com/.default',
  });
  const errorCodes = async (assertion: string) => {
    const response = await postForm(tokenUrl, assertionForm(assertion));
    return { status: response.status, body: (await response.json()) as { error_codes: number[]; error_description: string } };
  };

  it('accepts RS256 with x5t#S256 and PS256 with the older x5t', async () => {
    for (const assertion of [clientAssertion(cert, 'app-1', tokenUrl), clientAssertion(cert, 'app-1', tokenUrl, { alg: 'PS256', thumbprintHeader: 'x5t' })]) {
      const response = await postForm(tokenUrl, assertionForm(assertion));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { access_token: string };
      expect(verifiedClaims(body.access_token, entra.signingKeys())).toMatchObject({ appid: 'app-1', appidacr: '2' });
    }
  });

  it('accepts aud naming the tenant by id, as the claims table asks, and by domain, as its example shows; records what it accepted', async () => {
    // learn.microsoft.com/entra/identity-platform/certificate-credentials (MicrosoftDocs/entra-docs
    // docs/identity-platform/certificate-credentials.md): header alg PS256 + x5t#S256; claim aud
    // `https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token`; its decoded example has a
    // domain (contoso.onmicrosoft.com) there, so real Entra takes both.
    entra.state.acceptedAssertions.length = 0;
    for (const aud of [tokenUrl, `${entra.url}/fabrikam.example/oauth2/v2.0/token`]) {
      const response = await postForm(tokenUrl, assertionForm(clientAssertion(cert, 'app-1', aud, { alg: 'PS256' })));
      expect(response.status).toBe(200);
    }
    expect(entra.state.acceptedAssertions.map((a) => [a.header.alg, a.payload.aud])).toEqual([
      ['PS256', tokenUrl],
      ['PS256', `${entra.url}/fabrikam.example/oauth2/v2.0/token`],
    ]);
  });

  it('refuses a certificate that is not registered (AADSTS700027)', async () => {
    const result = await errorCodes(clientAssertion(strangerCert, 'app-1', tokenUrl));
    expect(result.status).toBe(401);
    expect(result.body.error_codes).toEqual([700027]);
    expect(result.body.error_description).toContain('The key was not found');
  });

  it('refuses a signature made by another key under a registered thumbprint (AADSTS700027)', async () => {
    const forged = clientAssertion({ ...strangerCert, x5tS256: cert.x5tS256 }, 'app-1', tokenUrl);
    expect((await errorCodes(forged)).body.error_codes).toEqual([700027]);
  });

  it('checks aud (AADSTS700023), iss/sub (AADSTS700021), lifetime (AADSTS700024)', async () => {
    expect((await errorCodes(clientAssertion(cert, 'app-1', 'https://elsewhere/token'))).body.error_codes).toEqual([700023]);
    expect((await errorCodes(clientAssertion(cert, 'app-1', tokenUrl, { claims: { iss: 'other', sub: 'other' } }))).body.error_codes).toEqual([700021]);
    const now = Math.floor(Date.now() / 1000);
    expect((await errorCodes(clientAssertion(cert, 'app-1', tokenUrl, { claims: { exp: now + 3600 } }))).body.error_codes).toEqual([700024]);
    expect((await errorCodes(clientAssertion(cert, 'app-1', tokenUrl, { claims: { exp: now - 600, nbf: now - 900 } }))).body.error_codes).toEqual([700024]);
  });

  it('refuses a replayed jti', async () => {
    const assertion = clientAssertion(cert, 'app-1', tokenUrl);
    expect((await postForm(tokenUrl, assertionForm(assertion))).status).toBe(200);
    const replay = await errorCodes(assertion);
    expect(replay.status).toBe(401);
    expect(replay.body.error_description).toContain('jti');
  });
});

describe('Entra simulator: knobs', () => {
  it('injects a 503 then recovers, and throttles with 429 + Retry-After', async () => {
    entra.knobs.set({ failNext: { count: 1, status: 503 } });
    const failed = await postForm(tokenUrl, secretForm());
    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect((await postForm(tokenUrl, secretForm())).status).toBe(200);

    entra.knobs.set({ throttleRps: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push(await postForm(tokenUrl, secretForm()));
    const throttled = statuses.find((response) => response.status === 429);
    expect(throttled?.headers.get('retry-after')).toMatch(/^\d+$/);
    entra.knobs.reset();
  });
});
