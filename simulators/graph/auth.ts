import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodeJwt, verifyJwtSignature } from '../shared/jwt.ts';
import { sendGraphError } from './errors.ts';
import type { GraphState, GraphTenant } from './state.ts';

/** Where the Graph simulator gets the Entra simulator's signing keys. */
export type TokenTrust = { signingKeys(): KeyObject[] } | { jwksUrl: string };

export interface AuthContext {
  tenant: GraphTenant;
  permissions: Set<string>;
}

const GRAPH_AUDIENCES = new Set(['https://graph.microsoft.com', 'https://graph.microsoft.com/', '00000003-0000-0000-c000-000000000000']);
const contexts = new WeakMap<FastifyRequest, AuthContext>();

export function createKeyResolver(trust: TokenTrust): () => Promise<KeyObject[]> {
  if ('signingKeys' in trust) return async () => trust.signingKeys();
  let cached: { keys: KeyObject[]; at: number } | null = null;
  return async () => {
    if (cached && Date.now() - cached.at < 60_000) return cached.keys;
    const response = await fetch(trust.jwksUrl);
    const body = (await response.json()) as { keys: Array<Record<string, unknown>> };
    cached = { keys: body.keys.map((jwk) => createPublicKey({ key: jwk as never, format: 'jwk' })), at: Date.now() };
    return cached.keys;
  };
}

/** Answers 401 InvalidAuthenticationToken; returns null so callers can `return unauthorized(...)`. */
function unauthorized(request: FastifyRequest, reply: FastifyReply, message: string): null {
  reply.header('www-authenticate', 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"');
  sendGraphError(request, reply, 401, 'InvalidAuthenticationToken', message);
  return null;
}

/** Unverified tenant id of a bearer token: the throttle key (cheap, before authentication). */
export function tokenTenant(request: FastifyRequest): string {
  const token = request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '';
  const tid = decodeJwt(token)?.payload.tid;
  return typeof tid === 'string' ? tid : 'anonymous';
}

/** Verifies the bearer token; on failure answers 401 and returns null. */
export async function authenticate(state: GraphState, keys: () => Promise<KeyObject[]>, request: FastifyRequest, reply: FastifyReply): Promise<AuthContext | null> {
  const header = request.headers.authorization;
  if (!header || !/^Bearer\s+\S/i.test(header)) return unauthorized(request, reply, 'Access token is empty.');
  const decoded = decodeJwt(header.replace(/^Bearer\s+/i, ''));
  if (!decoded) return unauthorized(request, reply, 'IDX14100: JWT is not well formed, there are no dots (.).');
  const trusted = await keys();
  if (!trusted.some((key) => verifyJwtSignature(decoded, key))) return unauthorized(request, reply, 'Access token validation failure. Invalid signature.');
  const { aud, exp, nbf, tid, roles, scp } = decoded.payload;
  if (typeof aud !== 'string' || !GRAPH_AUDIENCES.has(aud)) return unauthorized(request, reply, 'Access token validation failure. Invalid audience.');
  const now = Date.now() / 1000;
  if (typeof exp !== 'number' || exp < now || (typeof nbf === 'number' && nbf > now + 300))
    return unauthorized(request, reply, 'Lifetime validation failed, the token is expired.');
  const tenant = typeof tid === 'string' ? state.tenants.get(tid) : undefined;
  if (!tenant) return unauthorized(request, reply, 'Access token validation failure. The tenant is not known to this service.');
  const permissions = new Set<string>([...(Array.isArray(roles) ? roles.map(String) : []), ...(typeof scp === 'string' ? scp.split(' ') : [])]);
  const context = { tenant, permissions };
  contexts.set(request, context);
  return context;
}

export function authContext(request: FastifyRequest): AuthContext {
  const context = contexts.get(request);
  if (!context) throw new Error('route reached without authentication');
  return context;
}

/** 403 Authorization_RequestDenied naming the permission when the token holds none of `anyOf`. */
export function requirePermission(request: FastifyRequest, reply: FastifyReply, anyOf: readonly string[]): boolean {
  const { permissions } = authContext(request);
  if (anyOf.some((permission) => permissions.has(permission))) return true;
  sendGraphError(
    request,
    reply,
    403,
    'Authorization_RequestDenied',
    `Insufficient privileges to complete the operation. API requires one of '${anyOf.join(', ')}'. Roles on the request '${[...permissions].join(', ')}'.`,
  );
  return false;
}
