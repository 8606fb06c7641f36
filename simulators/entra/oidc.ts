import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestBaseUrl } from '../shared/sim-app.ts';
import { escapeHtml, page } from './html.ts';
import type { EntraState, EntraTenant, EntraUser } from './state.ts';

type Params = Record<string, string | undefined>;
const AUTH_PARAMS = ['client_id', 'response_type', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'response_mode', 'login_hint', 'prompt'];
const CODE_LIFETIME_MS = 10 * 60_000;

function discovery(base: string, tenant: EntraTenant) {
  const root = `${base}/${tenant.id}`;
  return {
    token_endpoint: `${root}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${root}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${root}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${root}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email', 'oid'],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
  };
}

function errorPage(reply: FastifyReply, code: number, message: string): FastifyReply {
  return reply.code(400).type('text/html; charset=utf-8').send(page('Sign in', `<p>Sorry, but we're having trouble signing you in.</p><p><strong>AADSTS${code}</strong>: ${escapeHtml(message)}</p>`));
}

function redirectWith(reply: FastifyReply, redirectUri: string, values: Record<string, string | undefined>, status = 302): FastifyReply {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(values)) if (value !== undefined) url.searchParams.set(key, value);
  return reply.code(status).header('location', url.toString()).send();
}

function signInForm(reply: FastifyReply, tenant: EntraTenant, params: Params, action: string): FastifyReply {
  const hidden = AUTH_PARAMS.filter((name) => params[name] !== undefined && name !== 'login_hint')
    .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(params[name] ?? '')}">`)
    .join('');
  const buttons = tenant.users
    .map((user) => `<button type="submit" name="user_id" value="${escapeHtml(user.id)}">${escapeHtml(user.displayName)} &lt;${escapeHtml(user.userPrincipalName)}&gt;</button>`)
    .join('');
  const body = `<p>Pick an account (${escapeHtml(tenant.displayName)} · simulator, no password).</p><form method="post" action="${escapeHtml(action)}">${hidden}${buttons}</form>`;
  return reply.type('text/html; charset=utf-8').send(page('Sign in to your account', body));
}

/** Validates an authorize request; answers (error page, error redirect, form or code redirect). */
function authorize(state: EntraState, request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply, params: Params, chosen: EntraUser | null): FastifyReply {
  const tenant = state.findTenant(request.params.tenant);
  if (!tenant) return errorPage(reply, 90002, `Tenant '${request.params.tenant}' not found.`);
  const app = params.client_id ? tenant.apps.get(params.client_id) : undefined;
  if (!app) return errorPage(reply, 700016, `Application with identifier '${params.client_id ?? ''}' was not found in the directory '${tenant.id}'.`);
  const redirectUri = params.redirect_uri ?? app.redirectUris[0];
  if (!redirectUri || !app.redirectUris.includes(redirectUri))
    return errorPage(reply, 50011, `The redirect URI '${redirectUri ?? ''}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'.`);
  const fail = (error: string, code: number, message: string) =>
    redirectWith(reply, redirectUri, { error, error_description: `AADSTS${code}: ${message}`, state: params.state }, request.method === 'POST' ? 303 : 302);
  if (params.response_type !== 'code') return fail('unsupported_response_type', 700054, `response_type '${params.response_type ?? ''}' is not enabled for the application (use 'code').`);
  if (!params.scope) return fail('invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
  const method = params.code_challenge_method ?? (params.code_challenge ? 'plain' : null);
  if (method !== null && method !== 'S256' && method !== 'plain') return fail('invalid_request', 501491, `Invalid code_challenge_method '${method}'.`);

  const hinted = params.login_hint ? tenant.users.find((user) => user.userPrincipalName.toLowerCase() === params.login_hint?.toLowerCase()) : undefined;
  const user = chosen ?? hinted ?? null;
  if (!user) return signInForm(reply, tenant, params, `/${request.params.tenant}/oauth2/v2.0/authorize`);

  const code = randomBytes(32).toString('base64url');
  state.codes.set(code, {
    code,
    tenantId: tenant.id,
    clientId: app.clientId,
    redirectUri,
    scope: params.scope,
    nonce: params.nonce ?? null,
    codeChallenge: params.code_challenge ?? null,
    codeChallengeMethod: method,
    userId: user.id,
    expiresAt: Date.now() + CODE_LIFETIME_MS,
    redeemed: false,
  });
  // A POSTed form is answered 303 so the browser follows with GET.
  return redirectWith(reply, redirectUri, { code, state: params.state, session_state: tenant.id }, request.method === 'POST' ? 303 : 302);
}

export function registerOidcRoutes(app: FastifyInstance, state: EntraState): void {
  app.get<{ Params: { tenant: string } }>('/:tenant/v2.0/.well-known/openid-configuration', async (request, reply) => {
    const tenant = state.findTenant(request.params.tenant);
    if (!tenant) return reply.code(400).send({ error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${request.params.tenant}' not found.` });
    return discovery(requestBaseUrl(request), tenant);
  });

  const keys = async () => {
    const jwk = state.signingKey.certificate.publicKey.export({ format: 'jwk' });
    return {
      keys: [{ kty: 'RSA', use: 'sig', kid: state.signingKey.x5t, x5t: state.signingKey.x5t, n: jwk.n, e: jwk.e, x5c: [state.signingKey.certificate.raw.toString('base64')] }],
    };
  };
  app.get('/:tenant/discovery/v2.0/keys', keys);
  app.get('/common/discovery/v2.0/keys', keys);

  app.get<{ Params: { tenant: string }; Querystring: Params }>('/:tenant/oauth2/v2.0/authorize', async (request, reply) => authorize(state, request, reply, request.query, null));
  app.post<{ Params: { tenant: string }; Body: Params }>('/:tenant/oauth2/v2.0/authorize', async (request, reply) => {
    const body = request.body ?? {};
    const tenant = state.findTenant(request.params.tenant);
    const chosen = tenant?.users.find((user) => user.id === body.user_id) ?? null;
    return authorize(state, request, reply, body, chosen);
  });

  app.get<{ Params: { tenant: string }; Querystring: Params }>('/:tenant/oauth2/v2.0/logout', async (request, reply) => {
    const target = request.query.post_logout_redirect_uri;
    if (target) return reply.code(302).header('location', target).send();
    return reply.type('text/html; charset=utf-8').send(page('Signed out', '<p>You signed out of your account.</p>'));
  });
}
