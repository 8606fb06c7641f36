import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knobs } from '../shared/knobs.ts';
import { requestBaseUrl } from '../shared/sim-app.ts';
import { authenticateClient, isAadError } from './client-auth.ts';
import { aad, missingParameter, sendAadError, tenantNotFound } from './errors.ts';
import type { AadError } from './errors.ts';
import type { EntraState, EntraTenant } from './state.ts';
import { GRAPH_APP_ID, GRAPH_AUDIENCE, issueAppToken, issueIdToken, issueUserToken } from './tokens.ts';

type Form = Record<string, string | undefined>;

const GRAPH_RESOURCES = new Set([GRAPH_AUDIENCE, `${GRAPH_AUDIENCE}/`, GRAPH_APP_ID]);

function checkDefaultScope(scope: string | undefined, tenant: EntraTenant): AadError | null {
  if (!scope) return missingParameter('scope');
  if (!scope.endsWith('/.default') || scope.trim().includes(' '))
    return aad(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
  const resource = scope.slice(0, -'/.default'.length);
  if (!GRAPH_RESOURCES.has(resource))
    return aad(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenant.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    );
  return null;
}

function clientCredentials(state: EntraState, knobs: Knobs, tenant: EntraTenant, form: Form, request: FastifyRequest): AadError | object {
  const client = authenticateClient(state, tenant, form, request, false);
  if (isAadError(client)) return client;
  const scopeProblem = checkDefaultScope(form.scope, tenant);
  if (scopeProblem) return scopeProblem;
  const lifetime = knobs.tokenLifetimeSeconds;
  return {
    token_type: 'Bearer',
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: issueAppToken(state, tenant, client.app, lifetime, client.method === 'certificate' ? 'certificate' : 'secret'),
  };
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function authorizationCode(state: EntraState, knobs: Knobs, tenant: EntraTenant, form: Form, request: FastifyRequest): AadError | object {
  const client = authenticateClient(state, tenant, form, request, true);
  if (isAadError(client)) return client;
  if (!form.code) return missingParameter('code');
  const code = state.codes.get(form.code);
  if (!code || code.tenantId !== tenant.id || code.clientId !== client.app.clientId)
    return aad(400, 'invalid_grant', 70000, "The provided value for the 'code' parameter is not valid.");
  if (code.redeemed) return aad(400, 'invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.');
  if (code.expiresAt < Date.now())
    return aad(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.');
  if (form.redirect_uri !== code.redirectUri)
    return aad(400, 'invalid_grant', 500112, `The reply address '${form.redirect_uri ?? ''}' does not match the reply address '${code.redirectUri}' provided when requesting Authorization code.`);
  if (code.codeChallenge !== null) {
    const verifier = form.code_verifier ?? '';
    const computed = code.codeChallengeMethod === 'plain' ? verifier : s256(verifier);
    if (computed !== code.codeChallenge) return aad(400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
  }
  code.redeemed = true;
  const user = tenant.users.find((candidate) => candidate.id === code.userId);
  if (!user) return aad(400, 'invalid_grant', 50034, 'The user account does not exist in the directory.');
  const lifetime = knobs.tokenLifetimeSeconds;
  const scopes = code.scope.split(' ').filter(Boolean);
  const issuer = `${requestBaseUrl(request)}/${tenant.id}/v2.0`;
  const graphScope = ['openid', 'profile', 'email', 'User.Read'].join(' ');
  return {
    token_type: 'Bearer',
    scope: graphScope,
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: issueUserToken(state, tenant, client.app, user, graphScope, lifetime),
    ...(scopes.includes('openid') ? { id_token: issueIdToken(state, issuer, tenant, client.app, user, code.nonce) } : {}),
  };
}

export function registerTokenEndpoint(app: FastifyInstance, state: EntraState, knobs: Knobs): void {
  const handler = async (request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) => {
    const tenant = state.findTenant(request.params.tenant);
    if (!tenant) return sendAadError(request, reply, tenantNotFound(request.params.tenant));
    const form = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Form;
    const grant = form.grant_type;
    let result: AadError | object;
    if (!grant) result = missingParameter('grant_type');
    else if (grant === 'client_credentials') result = clientCredentials(state, knobs, tenant, form, request);
    else if (grant === 'authorization_code') result = authorizationCode(state, knobs, tenant, form, request);
    else result = aad(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`);
    if (isAadError(result)) return sendAadError(request, reply, result);
    return reply.header('cache-control', 'no-store, no-cache').header('pragma', 'no-cache').send(result);
  };
  app.post('/:tenant/oauth2/v2.0/token', handler);
}
