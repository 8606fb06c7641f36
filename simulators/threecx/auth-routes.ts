import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knobs } from '../shared/knobs.ts';
import { newToken } from './state.ts';
import type { ThreeCxState } from './state.ts';

// 3CX token endpoints: /connect/token (API client credentials; refresh for the Webclient) and
// the admin sign-in /webclient/api/Login/GetAccessToken used without an Enterprise licence.

function issue(state: ThreeCxState, knobs: Knobs, subject: string, withRefresh: boolean) {
  const accessToken = newToken();
  state.accessTokens.set(accessToken, { subject, expiresAt: Date.now() + knobs.tokenLifetimeSeconds * 1000 });
  const refreshToken = withRefresh ? newToken() : null;
  if (refreshToken) state.refreshTokens.set(refreshToken, subject);
  // 3CX states expires_in in minutes (60 for its one-hour tokens).
  return { token_type: 'Bearer', expires_in: Math.ceil(knobs.tokenLifetimeSeconds / 60), access_token: accessToken, refresh_token: refreshToken };
}

type Form = Record<string, string | undefined>;

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
      const subject = form.refresh_token ? state.refreshTokens.get(form.refresh_token) : undefined;
      if (!subject || !form.refresh_token) return reply.code(400).send({ error: 'invalid_grant' });
      state.refreshTokens.delete(form.refresh_token); // refresh tokens rotate: each is good once
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

/** Checks the XAPI bearer token; 401 (with the ASP.NET-style WWW-Authenticate) when missing, unknown or expired. */
export function checkBearer(state: ThreeCxState, request: FastifyRequest, reply: FastifyReply): boolean {
  const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const issued = token ? state.accessTokens.get(token) : undefined;
  if (!issued) {
    reply.code(401).header('www-authenticate', 'Bearer').send();
    return false;
  }
  if (issued.expiresAt < Date.now()) {
    reply.code(401).header('www-authenticate', `Bearer error="invalid_token", error_description="The token expired at '${new Date(issued.expiresAt).toISOString()}'"`).send();
    return false;
  }
  return true;
}
