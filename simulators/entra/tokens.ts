import { randomBytes, randomUUID } from 'node:crypto';
import { signJwt } from '../shared/jwt.ts';
import type { AppRegistration, EntraState, EntraTenant, EntraUser } from './state.ts';

export const GRAPH_AUDIENCE = 'https://graph.microsoft.com';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const uti = (): string => randomBytes(16).toString('base64url');

function sign(state: EntraState, payload: Record<string, unknown>): string {
  return signJwt({ alg: 'RS256', typ: 'JWT', x5t: state.signingKey.x5t, kid: state.signingKey.x5t }, payload, state.signingKey.privateKey);
}

/** An app-only Graph access token (v1.0 format, as Graph receives them) carrying the granted roles. */
export function issueAppToken(state: EntraState, tenant: EntraTenant, app: AppRegistration, lifetimeSeconds: number, authMethod: 'secret' | 'certificate'): string {
  const iat = nowSeconds();
  return sign(state, {
    aud: GRAPH_AUDIENCE,
    iss: `https://sts.windows.net/${tenant.id}/`,
    iat,
    nbf: iat,
    exp: iat + lifetimeSeconds,
    app_displayname: app.displayName,
    appid: app.clientId,
    appidacr: authMethod === 'secret' ? '1' : '2',
    idp: `https://sts.windows.net/${tenant.id}/`,
    idtyp: 'app',
    oid: app.servicePrincipalId,
    roles: [...app.graphPermissions],
    sub: app.servicePrincipalId,
    tid: tenant.id,
    uti: uti(),
    ver: '1.0',
  });
}

/** A delegated Graph token for a signed-in user (what the authorization-code grant also returns). */
export function issueUserToken(state: EntraState, tenant: EntraTenant, app: AppRegistration, user: EntraUser, scope: string, lifetimeSeconds: number): string {
  const iat = nowSeconds();
  return sign(state, {
    aud: GRAPH_AUDIENCE,
    iss: `https://sts.windows.net/${tenant.id}/`,
    iat,
    nbf: iat,
    exp: iat + lifetimeSeconds,
    appid: app.clientId,
    idtyp: 'user',
    name: user.displayName,
    oid: user.id,
    scp: scope,
    sub: user.id,
    tid: tenant.id,
    unique_name: user.userPrincipalName,
    upn: user.userPrincipalName,
    uti: uti(),
    ver: '1.0',
  });
}

export function issueIdToken(state: EntraState, issuer: string, tenant: EntraTenant, app: AppRegistration, user: EntraUser, nonce: string | null): string {
  const iat = nowSeconds();
  return sign(state, {
    aud: app.clientId,
    iss: issuer,
    iat,
    nbf: iat,
    exp: iat + 3600,
    email: user.mail,
    name: user.displayName,
    ...(nonce ? { nonce } : {}),
    oid: user.id,
    preferred_username: user.userPrincipalName,
    rh: randomUUID(),
    sub: Buffer.from(`${user.id}:${app.clientId}`).toString('base64url').slice(0, 43),
    tid: tenant.id,
    uti: uti(),
    ver: '2.0',
  });
}
