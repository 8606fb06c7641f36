import type { FastifyRequest } from 'fastify';
import { decodeJwt, isSupportedAlgorithm, verifyJwtSignature } from '../shared/jwt.ts';
import { requestBaseUrl } from '../shared/sim-app.ts';
import { aad, appNotFound, missingParameter } from './errors.ts';
import type { AadError } from './errors.ts';
import type { AppRegistration, EntraState, EntraTenant } from './state.ts';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const MAX_ASSERTION_LIFETIME_SECONDS = 600;
const CLOCK_SKEW_SECONDS = 60;
const DOCS = 'Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .';

export interface AuthenticatedClient {
  app: AppRegistration;
  method: 'secret' | 'certificate' | 'none';
}

type Form = Record<string, string | undefined>;

/** client_secret_basic: Authorization: Basic base64(urlencode(id):urlencode(secret)). */
function basicCredentials(request: FastifyRequest): { clientId: string; secret: string } | null {
  const header = request.headers.authorization;
  if (!header?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) return null;
  return { clientId: decodeURIComponent(decoded.slice(0, separator)), secret: decodeURIComponent(decoded.slice(separator + 1)) };
}

const invalidSignature = (reason: string): AadError => aad(401, 'invalid_client', 700027, `Client assertion failed signature validation. [Reason - ${reason}]`);

function verifyAssertion(state: EntraState, tenant: EntraTenant, app: AppRegistration, assertion: string, request: FastifyRequest): AadError | null {
  const decoded = decodeJwt(assertion);
  if (!decoded) return aad(401, 'invalid_client', 50027, 'JWT token is invalid or malformed.');
  const { header, payload } = decoded;
  if (!isSupportedAlgorithm(header.alg)) return invalidSignature(`The signing algorithm '${String(header.alg)}' is not supported; use RS256 or PS256.`);
  const thumbprint = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : typeof header.x5t === 'string' ? header.x5t : null;
  const registered = thumbprint ? app.certificates.find((cert) => cert.x5tS256 === thumbprint || cert.x5t === thumbprint) : undefined;
  if (!registered)
    return invalidSignature(
      `The key was not found., Thumbprint of key used by client: '${thumbprint ?? ''}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${app.clientId}'.`,
    );
  if (new Date(registered.certificate.validTo).getTime() < Date.now()) return invalidSignature(`The key used is expired., Thumbprint of key used by client: '${thumbprint}'.`);
  if (!verifyJwtSignature(decoded, registered.certificate.publicKey)) return invalidSignature('The provided signature value did not match the expected signature value.');

  if (payload.iss !== app.clientId || payload.sub !== app.clientId)
    return aad(401, 'invalid_client', 700021, `Client assertion application identifier doesn't match 'client_id' parameter. ${DOCS}`);

  const base = requestBaseUrl(request);
  const audiences = new Set([tenant.id, ...tenant.domains].flatMap((segment) => [`${base}/${segment}/oauth2/v2.0/token`, `${base}/${segment}/oauth2/token`]));
  const audList = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audList.some((aud) => typeof aud === 'string' && audiences.has(aud)))
    return aad(401, 'invalid_client', 700023, `Client assertion audience claim does not match Realm issuer. ${DOCS}`);

  const now = Math.floor(Date.now() / 1000);
  const exp = typeof payload.exp === 'number' ? payload.exp : null;
  const nbf = typeof payload.nbf === 'number' ? payload.nbf : null;
  if (exp === null || exp < now - CLOCK_SKEW_SECONDS || (nbf !== null && nbf > now + CLOCK_SKEW_SECONDS))
    return aad(401, 'invalid_client', 700024, `Client assertion is not within its valid time range. Current time: ${new Date(now * 1000).toISOString()}, expiry time of assertion ${exp === null ? 'missing' : new Date(exp * 1000).toISOString()}. ${DOCS}`);
  if (exp - now > MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS)
    return aad(401, 'invalid_client', 700024, `Client assertion is not within its valid time range: its lifetime exceeds ${MAX_ASSERTION_LIFETIME_SECONDS / 60} minutes. ${DOCS}`);

  if (typeof payload.jti !== 'string' || payload.jti === '') return invalidSignature('The assertion has no jti claim.');
  for (const [jti, expiry] of state.usedAssertionIds) if (expiry < now - CLOCK_SKEW_SECONDS) state.usedAssertionIds.delete(jti);
  const replayKey = `${app.clientId}:${payload.jti}`;
  if (state.usedAssertionIds.has(replayKey)) return invalidSignature(`The jti '${payload.jti}' was already used; each client assertion can be presented once.`);
  state.usedAssertionIds.set(replayKey, exp);
  state.acceptedAssertions.push({ header: { ...header }, payload: { ...payload } });
  if (state.acceptedAssertions.length > 50) state.acceptedAssertions.shift();
  return null;
}

/** Authenticates the client of a token request by secret (post or basic) or certificate assertion. */
export function authenticateClient(state: EntraState, tenant: EntraTenant, form: Form, request: FastifyRequest, allowPublic: boolean): AuthenticatedClient | AadError {
  const basic = basicCredentials(request);
  const clientId = form.client_id ?? basic?.clientId;
  if (!clientId) return missingParameter('client_id');
  const app = tenant.apps.get(clientId);
  if (!app) return appNotFound(clientId, tenant.id);

  if (form.client_assertion !== undefined) {
    if (form.client_assertion_type !== JWT_BEARER)
      return aad(400, 'invalid_request', 50027, `Invalid client_assertion_type '${form.client_assertion_type ?? ''}': expected '${JWT_BEARER}'.`);
    const failure = verifyAssertion(state, tenant, app, form.client_assertion, request);
    return failure ?? { app, method: 'certificate' };
  }
  const secret = form.client_secret ?? basic?.secret;
  if (secret !== undefined) {
    const match = app.secrets.find((candidate) => candidate.value === secret);
    if (!match)
      return aad(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
      );
    if (match.expiresAt && match.expiresAt.getTime() < Date.now())
      return aad(401, 'invalid_client', 7000222, `The provided client secret keys for app '${app.clientId}' are expired. Visit the Azure portal to create new keys for your app.`);
    return { app, method: 'secret' };
  }
  if (allowPublic && app.secrets.length === 0 && app.certificates.length === 0) return { app, method: 'none' };
  return aad(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
}

export const isAadError = (value: unknown): value is AadError => typeof value === 'object' && value !== null && 'code' in value && 'error' in value;
