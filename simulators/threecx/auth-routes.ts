import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knobs } from '../shared/knobs.ts';
import { newToken } from './state.ts';
import type { ThreeCxState } from './state.ts';

// 3CX token endpoints: /connect/token (API client credentials; refresh for the Webclient) and
// the admin sign-in /webclient/api/Login/GetAccessToken used without an Enterprise licence.

const signingKey = randomBytes(32);

/** A JWT access token (3CX's are JWTs) whose `exp` says when it ends. */
function jwt(subject: string, issuedAt: number, expiresAt: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: subject, iat: Math.floor(issuedAt / 1000), exp: Math.floor(expiresAt / 1000), jti: randomUUID() })}`;
  return `${body}.${createHmac('sha256', signingKey).update(body).digest('base64url')}`;
}

function issue(state: ThreeCxState, knobs: Knobs, subject: string, withRefresh: boolean) {
  const now = state.now();
  // One active access token per client (3cx/xapi-tutorial auth.ts: "the PBX only allows one
  // active access token at a time"): a new one revokes the previous of the same subject.
  for (const [token, issued] of state.accessTokens) if (issued.subject === subject) state.accessTokens.delete(token);
  const expiresAt = now + knobs.tokenLifetimeSeconds * 1000;
  const accessToken = jwt(subject, now, expiresAt);
  state.accessTokens.set(accessToken, { subject, expiresAt });
  state.tokensIssued += 1;
  const refreshToken = withRefresh ? newToken() : null;
  if (refreshToken) state.refreshTokens.set(refreshToken, subject);
  // expires_in is in seconds since V20 Update 9 (3cx/xapi-tutorial commit 1c6947c).
  return { token_type: 'Bearer', expires_in: knobs.tokenLifetimeSeconds, access_token: accessToken, refresh_token: refreshToken };
}

type Form = Record<string, string | undefined>;

/** One cookie of the Cookie header. */
function cookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export function registerAuthRoutes(app: FastifyInstance, state: ThreeCxState, knobs: Knobs): void {
  app.post('/connect/token', async (request: FastifyRequest, reply: FastifyReply) => {
    const form = (request.body ?? {}) as Form;
    if (form.grant_type === 'client_credentials') {
      const client = state.apiClients.find((candidate) => candidate.clientId === form.client_id && candidate.clientSecret === form.client_secret);
      if (!client) return reply.code(401).send({ error: 'unauthorized', error_description: 'The request requires valid user authentication.' });
      return issue(state, knobs, `client:${client.clientId}`, false);
    }
    if (form.grant_type === 'refresh_token') {
      if (form.client_id !== 'Webclient') return reply.code(400).send({ error: 'invalid_client' });
      // The web client sends its refresh token as the RefreshTokenCookie cookie; a refresh_token
      // form field is not a documented form, so the simulator does not take it.
      const presented = cookie(request, 'RefreshTokenCookie');
      const subject = presented ? state.refreshTokens.get(presented) : undefined;
      if (!subject || !presented) return reply.code(400).send({ error: 'invalid_grant' });
      state.refreshTokens.delete(presented); // refresh tokens rotate: each is good once
      return issue(state, knobs, subject, true);
    }
    return reply.code(400).send({ error: 'unsupported_grant_type' });
  });

  app.post('/webclient/api/Login/GetAccessToken', async (request) => {
    const body = (request.body ?? {}) as { Username?: unknown; Password?: unknown; SecurityCode?: unknown };
    const admin = state.admins.find((candidate) => candidate.username === body.Username && candidate.password === body.Password);
    if (!admin) return { Status: 'AuthFailed', Token: null, TwoFactorAuth: null };
    if (admin.securityCode !== null) {
      if (body.SecurityCode === undefined || body.SecurityCode === null || body.SecurityCode === '') return { Status: '2FARequired', Token: null, TwoFactorAuth: null };
      if (String(body.SecurityCode) !== admin.securityCode) return { Status: 'AuthFailed', Token: null, TwoFactorAuth: null };
    }
    return { Status: 'AuthSuccess', Token: issue(state, knobs, `admin:${admin.username}`, true), TwoFactorAuth: null };
  });
}

/** Checks the XAPI bearer token; 401 (with the ASP.NET-style WWW-Authenticate) when missing, unknown, revoked or expired. */
export function checkBearer(state: ThreeCxState, request: FastifyRequest, reply: FastifyReply): boolean {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const issued = token ? state.accessTokens.get(token) : undefined;
  if (!issued) {
    state.tokensRejected += 1;
    reply.code(401).header('www-authenticate', 'Bearer').send();
    return false;
  }
  if (issued.expiresAt < state.now()) {
    state.tokensRejected += 1;
    reply.code(401).header('www-authenticate', `Bearer error="invalid_token", error_description="The token expired at '${new Date(issued.expiresAt).toISOString()}'"`).send();
    return false;
  }
  return true;
}
