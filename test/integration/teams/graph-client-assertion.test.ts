import { constants, createPublicKey, verify, X509Certificate } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAppCertificate } from '../../../src/connectors/shared/app-certificates.ts';
import { clientAssertion, certificateThumbprints } from '../../../src/connectors/teams/credentials.ts';
import { TeamsError } from '../../../src/connectors/teams/errors.ts';
import { TeamsApi } from '../../../src/connectors/teams/teams-api.ts';
import { startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';

/**
 * Client assertions as "Microsoft identity platform application authentication certificate
 * credentials" (learn.microsoft.com/entra/identity-platform/certificate-credentials) describes
 * them: alg PS256 with PSS padding, x5t#S256, aud = the token endpoint with the tenant id.
 */
const log = pino({ level: 'silent' });
const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('Teams connector: certificate client assertion', () => {
  let fx: TeamsFixture;
  const cert = generateAppCertificate('UCR Manager test');
  beforeAll(async () => {
    fx = await startTeamsSimulators({ users: 5 });
    const uploaded = await fetch(`${fx.entra.url}/_sim/tenants/${fx.microsoftTenantId}/apps/${fx.clientId}/certificates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pem: cert.certificatePem }) });
    expect(uploaded.status).toBeLessThan(300);
  });
  afterAll(() => fx.close());

  const api = (tenant: string) => new TeamsApi({ tenant, credentials: { kind: 'certificate', clientId: fx.clientId, ...cert }, endpoints: { loginBaseUrl: fx.entra.url, graphBaseUrl: fx.graph.url }, log });

  it('is PS256 (RSA-PSS) with the SHA-256 thumbprint, verifiable with the certificate', () => {
    const jwt = clientAssertion({ kind: 'certificate', clientId: 'app', ...cert }, 'https://login.example/t/oauth2/v2.0/token');
    const [header, payload, signature] = jwt.split('.') as [string, string, string];
    expect(decode(header)).toEqual({ alg: 'PS256', typ: 'JWT', 'x5t#S256': certificateThumbprints(cert.certificatePem).x5tS256 });
    const claims = decode(payload);
    expect(claims).toMatchObject({ aud: 'https://login.example/t/oauth2/v2.0/token', iss: 'app', sub: 'app' });
    expect((claims.exp as number) - (claims.nbf as number)).toBeLessThanOrEqual(600);
    const key = createPublicKey(new X509Certificate(cert.certificatePem).publicKey.export({ type: 'spki', format: 'pem' }));
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, Buffer.from(signature, 'base64url'))).toBe(true);
  });

  it('names the tenant by id in aud even when the tenant was given by its domain', async () => {
    fx.entra.state.acceptedAssertions.length = 0;
    expect((await api(fx.domain).getUser(fx.seeded.byProfile.readyForVoice[0]!.id)).id).toBeTruthy();
    expect(fx.entra.state.acceptedAssertions).toHaveLength(1);
    expect(fx.entra.state.acceptedAssertions[0]).toMatchObject({ header: { alg: 'PS256' }, payload: { aud: `${fx.entra.url}/${fx.microsoftTenantId}/oauth2/v2.0/token` } });
  });

  it('says so when the domain is not a Microsoft tenant', async () => {
    const failure = await api('nobody.example').getUser('x').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TeamsError);
    expect(failure).toMatchObject({ reason: 'tenant_not_found' });
  });
});
