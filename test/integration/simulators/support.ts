import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { decodeJwt, signJwt, verifyJwtSignature } from '../../../simulators/shared/jwt.ts';
import type { JwtAlgorithm, JwtPayload } from '../../../simulators/shared/jwt.ts';
import type { SelfSignedCertificate } from '../../../simulators/shared/self-signed-cert.ts';

/** POSTs a form the way OAuth clients do. */
export function postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form), redirect: 'manual' });
}

export interface AssertionOverrides {
  alg?: JwtAlgorithm;
  thumbprintHeader?: 'x5t#S256' | 'x5t';
  claims?: Partial<JwtPayload>;
}

/** A client assertion as MSAL builds it: signed with the certificate's key, thumbprint in the header. */
export function clientAssertion(cert: SelfSignedCertificate, clientId: string, tokenUrl: string, overrides: AssertionOverrides = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const header = overrides.thumbprintHeader === 'x5t' ? { x5t: cert.x5t } : { 'x5t#S256': cert.x5tS256 };
  return signJwt(
    { alg: overrides.alg ?? 'RS256', ...header },
    { aud: tokenUrl, iss: clientId, sub: clientId, jti: randomUUID(), nbf: now, iat: now, exp: now + 300, ...overrides.claims },
    cert.privateKey,
  );
}

/** Decodes a JWT and checks its signature with one of the keys; throws when it does not verify. */
export function verifiedClaims(token: string, keys: KeyObject[]): JwtPayload {
  const decoded = decodeJwt(token);
  if (!decoded || !keys.some((key) => verifyJwtSignature(decoded, key))) throw new Error('token signature does not verify');
  return decoded.payload;
}
