import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEntraSimulator } from '../../../simulators/entra/server.ts';
import type { RunningEntraSimulator } from '../../../simulators/entra/server.ts';
import { clientAssertion, generateAppCertificate } from '../../../src/connectors/shared/app-certificates.ts';
import { postForm, verifiedClaims } from './support.ts';

const TENANT_ID = '99999999-2222-4333-8444-555555555555';
const REDIRECT = 'http://localhost:3000/auth/entra/callback';
let entra: RunningEntraSimulator;
const registeredPair = generateAppCertificate('cert-console');
let adaId: string;

beforeAll(async () => {
  entra = await startEntraSimulator();
  entra.state.addTenant({ id: TENANT_ID, displayName: 'MSP', domains: ['msp.example'] });
  entra.state.addApp(TENANT_ID, { clientId: 'console', secrets: ['console-secret'], redirectUris: [REDIRECT] });
  entra.state.addApp(TENANT_ID, { clientId: 'cert-console', certificates: [registeredPair.certificatePem], redirectUris: [REDIRECT] });
  adaId = entra.state.addUser(TENANT_ID, { userPrincipalName: 'ada@msp.example', displayName: 'Ada Lovelace' }).id;
  entra.state.addUser(TENANT_ID, { userPrincipalName: 'grace@msp.example', displayName: 'Grace Hopper' });
});
afterAll(() => entra.close());

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(extra: Record<string, string>): string {
  const url = new URL(`${entra.url}/msp.example/oauth2/v2.0/authorize`);
  const params = { client_id: 'console', response_type: 'code', redirect_uri: REDIRECT, scope: 'openid profile email', state: 'st-1', nonce: 'n-1', ...extra };
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

async function redeem(code: string, verifier: string, overrides: Record<string, string> = {}) {
  return postForm(`${entra.url}/${TENANT_ID}/oauth2/v2.0/token`, {
    grant_type: 'authorization_code',
    client_id: 'console',
    client_secret: 'console-secret',
    code,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
    ...overrides,
  });
}

describe('Entra simulator: OpenID Connect sign-in', () => {
  // Source: https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc ("Find your app's
  // OpenID configuration document URI": https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration,
  // where {tenant} may be the tenant id or a domain name; the issuer is .../{tenant id}/v2.0). The
  // add-tenant wizard maps a domain to the tenant id this way. An unknown tenant: 400 with AADSTS90002
  // (the body's exact shape is not documented; the connector takes any 400 or 404 as unknown).
  it('maps a domain (any case) or the tenant id to the tenant id in the issuer; an unknown tenant is 400 AADSTS90002', async () => {
    for (const name of ['MSP.example', TENANT_ID]) {
      const doc = (await (await fetch(`${entra.url}/${name}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>;
      expect(doc.issuer).toBe(`${entra.url}/${TENANT_ID}/v2.0`);
    }
    const unknown = await fetch(`${entra.url}/nobody.example/v2.0/.well-known/openid-configuration`);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error_description: string }).error_description).toMatch(/^AADSTS90002: Tenant 'nobody.example' not found/);
  });

  it('publishes discovery whose endpoints and issuer point back at the simulator', async () => {
    const response = await fetch(`${entra.url}/msp.example/v2.0/.well-known/openid-configuration`);
    const doc = (await response.json()) as Record<string, string>;
    expect(doc.issuer).toBe(`${entra.url}/${TENANT_ID}/v2.0`);
    expect(doc.authorization_endpoint).toBe(`${entra.url}/${TENANT_ID}/oauth2/v2.0/authorize`);
    expect(doc.token_endpoint).toBe(`${entra.url}/${TENANT_ID}/oauth2/v2.0/token`);
    expect(doc.jwks_uri).toBe(`${entra.url}/${TENANT_ID}/discovery/v2.0/keys`);
  });

  it('renders a script-free form listing the users, and a click redirects with code and state', async () => {
    const { challenge } = pkce();
    const form = await fetch(authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256' }));
    const html = await form.text();
    expect(form.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('ada@msp.example');
    expect(html).toContain('grace@msp.example');
    expect(html).not.toContain('<script');
    const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [match[1] ?? '', (match[2] ?? '').replace(/&amp;/g, '&')]));
    const click = await postForm(`${entra.url}/msp.example/oauth2/v2.0/authorize`, { ...hidden, user_id: adaId });
    expect(click.status).toBe(303);
    const location = new URL(click.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('st-1');
    expect(location.searchParams.get('code')).toBeTruthy();
  });

  it('auto-approves with login_hint and exchanges the code (PKCE S256) for a signed ID token', async () => {
    const { verifier, challenge } = pkce();
    const approved = await fetch(authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256', login_hint: 'ADA@msp.example' }), { redirect: 'manual' });
    expect(approved.status).toBe(302);
    const code = new URL(approved.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const response = await redeem(code, verifier);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { id_token: string; access_token: string; token_type: string };
    expect(body.token_type).toBe('Bearer');
    const claims = verifiedClaims(body.id_token, entra.signingKeys());
    expect(claims).toMatchObject({
      aud: 'console',
      iss: `${entra.url}/${TENANT_ID}/v2.0`,
      tid: TENANT_ID,
      oid: adaId,
      preferred_username: 'ada@msp.example',
      name: 'Ada Lovelace',
      email: 'ada@msp.example',
      nonce: 'n-1',
    });
    expect(claims.iat as number).toBeLessThanOrEqual(claims.exp as number);
    const reuse = await redeem(code, verifier);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant', error_codes: [54005] });
  });

  // Source: https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow ("Request an
  // access token with a certificate credential": client_assertion_type
  // urn:ietf:params:oauth:client-assertion-type:jwt-bearer and client_assertion in place of
  // client_secret) and https://learn.microsoft.com/entra/identity-platform/certificate-credentials (the
  // assertion: PS256, x5t#S256, aud = the token endpoint). A key not on the app: AADSTS700027.
  it('redeems a code with a certificate client assertion instead of a secret; an unregistered certificate is AADSTS700027', async () => {
    const tokenUrl = `${entra.url}/${TENANT_ID}/oauth2/v2.0/token`;
    const codeFor = async () => {
      const { verifier, challenge } = pkce();
      const approved = await fetch(authorizeUrl({ client_id: 'cert-console', code_challenge: challenge, code_challenge_method: 'S256', login_hint: 'ada@msp.example' }), { redirect: 'manual' });
      return { verifier, code: new URL(approved.headers.get('location') ?? '').searchParams.get('code') ?? '' };
    };
    const withAssertion = (pair: { certificatePem: string; privateKeyPem: string }, code: string, verifier: string) =>
      postForm(tokenUrl, {
        grant_type: 'authorization_code',
        client_id: 'cert-console',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: clientAssertion({ clientId: 'cert-console', ...pair }, tokenUrl),
        code,
        redirect_uri: REDIRECT,
        code_verifier: verifier,
      });
    const first = await codeFor();
    const accepted = await withAssertion(registeredPair, first.code, first.verifier);
    expect(accepted.status).toBe(200);
    const body = (await accepted.json()) as { id_token: string };
    expect(verifiedClaims(body.id_token, entra.signingKeys())).toMatchObject({ aud: 'cert-console', tid: TENANT_ID, oid: adaId });

    const second = await codeFor();
    const refused = await withAssertion(generateAppCertificate('not uploaded'), second.code, second.verifier);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'invalid_client', error_codes: [700027] });
  });

  it('refuses a wrong code_verifier (AADSTS501481) and a different redirect_uri (AADSTS500112)', async () => {
    const { verifier, challenge } = pkce();
    const first = await fetch(authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256', login_hint: 'ada@msp.example' }), { redirect: 'manual' });
    const code1 = new URL(first.headers.get('location') ?? '').searchParams.get('code') ?? '';
    expect(await (await redeem(code1, 'not-the-verifier')).json()).toMatchObject({ error: 'invalid_grant', error_codes: [501481] });
    const second = await fetch(authorizeUrl({ code_challenge: challenge, code_challenge_method: 'S256', login_hint: 'ada@msp.example' }), { redirect: 'manual' });
    const code2 = new URL(second.headers.get('location') ?? '').searchParams.get('code') ?? '';
    expect(await (await redeem(code2, verifier, { redirect_uri: 'http://localhost:3000/other' })).json()).toMatchObject({ error_codes: [500112] });
  });

  it('shows an error page for an unregistered redirect URI and unknown client', async () => {
    const badRedirect = await fetch(authorizeUrl({ redirect_uri: 'https://evil.example/cb' }), { redirect: 'manual' });
    expect(badRedirect.status).toBe(400);
    expect(await badRedirect.text()).toContain('AADSTS50011');
    const badClient = await fetch(authorizeUrl({ client_id: 'ghost' }), { redirect: 'manual' });
    expect(await badClient.text()).toContain('AADSTS700016');
  });

  it('redirects protocol errors back to the client with error and state', async () => {
    const response = await fetch(authorizeUrl({ response_type: 'token' }), { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('unsupported_response_type');
    expect(location.searchParams.get('state')).toBe('st-1');
  });
});
