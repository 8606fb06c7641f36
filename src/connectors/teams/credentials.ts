import { constants, createHash, createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';

/** How UCR Manager proves itself to a customer's Entra ID: a certificate (preferred) or a client secret. */
export type TeamsCredentials =
  | { kind: 'secret'; clientId: string; clientSecret: string }
  | { kind: 'certificate'; clientId: string; certificatePem: string; privateKeyPem: string };

/**
 * Where the tenant's Microsoft cloud lives. `graphScope` is the token audience: it stays
 * https://graph.microsoft.com/.default in the global cloud even when Graph is reached through
 * another address (a proxy, or the built-in simulators); national clouds have their own.
 */
export type TeamsEndpoints = { loginBaseUrl: string; graphBaseUrl: string; graphScope?: string | undefined };

export const microsoftCloud: TeamsEndpoints = { loginBaseUrl: 'https://login.microsoftonline.com', graphBaseUrl: 'https://graph.microsoft.com' };

/** The thumbprints Entra shows and the JWT headers carry. */
export function certificateThumbprints(certificatePem: string) {
  const certificate = new X509Certificate(certificatePem);
  const der = certificate.raw;
  return {
    x5tS256: createHash('sha256').update(der).digest('base64url'),
    x5t: createHash('sha1').update(der).digest('base64url'),
    sha1Hex: createHash('sha1').update(der).digest('hex').toUpperCase(),
    subject: certificate.subject,
    notAfter: new Date(certificate.validTo).toISOString(),
    notBefore: new Date(certificate.validFrom).toISOString(),
  };
}

/**
 * The signed JWT that replaces a client secret (RFC 7523 client assertion), as Microsoft's
 * "Microsoft identity platform application authentication certificate credentials" describes it:
 * header `alg` PS256 (RSA-PSS, "Use PSS padding"), `typ` JWT, `x5t#S256` (SHA-256 thumbprint);
 * claims `aud` = `https://login.microsoftonline.com/{tenantId}/oauth2/v2.0/token` (the token
 * endpoint with the tenant id, which GraphClient resolves from a domain first), `iss` = `sub` =
 * the client id, a fresh `jti`, `nbf`/`iat` now and `exp` 10 minutes later at most.
 */
export function clientAssertion(credentials: Extract<TeamsCredentials, { kind: 'certificate' }>, tokenUrl: string, now = new Date()): string {
  const prints = certificateThumbprints(credentials.certificatePem);
  const header = { alg: 'PS256', typ: 'JWT', 'x5t#S256': prints.x5tS256 };
  const issuedAt = Math.floor(now.getTime() / 1000);
  const payload = { aud: tokenUrl, iss: credentials.clientId, sub: credentials.clientId, jti: randomUUID(), nbf: issuedAt, iat: issuedAt, exp: issuedAt + 600 };
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(payload)}`;
  const key = { key: createPrivateKey(credentials.privateKeyPem), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  const signature = sign('sha256', Buffer.from(signingInput), key).toString('base64url');
  return `${signingInput}.${signature}`;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when the tenant reference is already the tenant id (a GUID), not a domain. */
export const isTenantId = (tenant: string): boolean => GUID.test(tenant);

/** The claims of an access token, read without verification: only to report granted roles and expiry. */
export function readTokenClaims(accessToken: string): { roles?: string[]; exp?: number; tid?: string } {
  const part = accessToken.split('.')[1];
  if (!part) return {};
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { roles?: string[]; exp?: number; tid?: string };
  } catch {
    return {};
  }
}
