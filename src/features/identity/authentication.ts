import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../core/errors.ts';
import { inScope } from '../kernel/tenant-scope.ts';
import { roleAllows, type Access } from '../../core/roles.ts';
import { cachedSettings, type AppSettings } from '../settings/app-settings.ts';
import { findLiveTokenByHash, tokenIsLive, tokenKey, touchToken, type LiveToken } from './api-tokens.ts';
import { AccessCache, startAccessListener } from './access-cache.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';
import { csrfTokenFor, findLiveSessionByHash, sessionIsLive, touchSession, type LiveSession, type OperatorRow, type SessionRow } from './sessions.ts';
import { safeEqual, sha256 } from './tokens.ts';
import { SESSION_COOKIE } from './session-cookie.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Least access the route needs; every route must declare one (checked at registration). */
    access?: Access;
    /** Refuse API tokens: managing credentials needs an interactive session. */
    sessionOnly?: boolean;
  }
  interface FastifyInstance {
    /** Every route with its declared access, for the authorization table test and docs. */
    registeredRoutes: Array<{ method: string; url: string; access: Access }>;
    /** This node's cache of who a token or session is (see access-cache.ts). */
    accessCache: { tokens: AccessCache<LiveToken>; sessions: AccessCache<LiveSession> };
  }
  interface FastifyRequest {
    actor?: Actor;
    session?: { token: string; row: SessionRow; operator: OperatorRow };
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** A safety net only: entries are dropped by notification the moment access changes. */
const ACCESS_CACHE_TTL_MS = 30_000;
const ACCESS_CACHE_MAX_ENTRIES = 10_000;

/**
 * What must happen before a signed-in operator may work: shown to the UI as a code. Both
 * obligations concern the password credential, so an Entra ID session has none: Entra ID ran its
 * own MFA, and the password (if any) still has to be changed at the next password sign-in.
 */
export function pendingObligation(
  operator: OperatorRow,
  settings: AppSettings,
  authMethod: SessionRow['authMethod'] = 'password',
): 'password_change_required' | 'mfa_enrolment_required' | undefined {
  if (authMethod === 'entra') return undefined;
  if (operator.mustChangePassword) return 'password_change_required';
  if (settings.mfaRequired && !operator.totpSecretEnc) return 'mfa_enrolment_required';
  return undefined;
}

function actorFrom(operator: OperatorRow, via: 'session' | 'token', token?: { access: 'read' | 'read-write'; name: string }): Actor {
  return {
    operatorId: operator.id,
    email: operator.email,
    displayName: operator.displayName,
    role: operator.role,
    allTenants: operator.allTenants,
    tenantIds: operator.tenantIds,
    via,
    ...(token ? { tokenAccess: token.access, tokenName: token.name } : {}),
  };
}

/**
 * Resolves who is calling (API token or session cookie) and enforces the route's declared
 * access, before the body is even parsed. CSRF: cookie-authenticated writes must echo the
 * session's CSRF token in `x-csrf-token`; bearer tokens are not sent by browsers on their own,
 * so they need none.
 */
export function registerAuthentication(app: FastifyInstance, deps: AppDeps): void {
  const settings = () => cachedSettings(deps.db);

  const tokenCache = new AccessCache<LiveToken>((row) => row.operator.id, ACCESS_CACHE_TTL_MS, ACCESS_CACHE_MAX_ENTRIES);
  const sessionCache = new AccessCache<LiveSession>((row) => row.operator.id, ACCESS_CACHE_TTL_MS, ACCESS_CACHE_MAX_ENTRIES);
  app.decorate('accessCache', { tokens: tokenCache, sessions: sessionCache });
  const { started, listener } = startAccessListener(deps.database, deps.log, [tokenCache, sessionCache]);
  // Until the listener is connected the caches are bypassed, so waiting here only makes the first requests cheaper.
  app.addHook('onReady', async () => started);
  app.addHook('onClose', async () => listener.stop());

  const registered: Array<{ method: string; url: string; access: Access }> = [];
  app.decorate('registeredRoutes', registered);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') registered.push({ method, url: route.url, access: route.config?.access ?? 'public' });
    }
    if (route.config?.access) return;
    // Static files and the docs UI are public; an API route without a declared level is a bug.
    if (route.url.startsWith('/api/') && !route.url.startsWith('/api/docs')) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no access level.`);
    }
    route.config = { ...route.config, access: 'public' };
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access ?? 'public';
    await identify(request);
    if (access === 'public') return;
    if (access === 'session') {
      if (!request.session && !request.actor) throw new UnauthenticatedError();
      checkCsrf(request);
      return;
    }
    const actor = request.actor;
    if (!actor) throw new UnauthenticatedError();
    if (request.session && request.session.row.stage !== 'full') {
      throw new UnauthenticatedError('Finish signing in with your authenticator code first.', 'mfa_required');
    }
    if (actor.via === 'token') {
      if (request.routeOptions.config.sessionOnly) throw new ForbiddenError('This action needs a signed-in session; API tokens cannot do it.', 'session_required');
      if (actor.tokenAccess === 'read' && !SAFE_METHODS.has(request.method)) throw new ForbiddenError('This API token is read-only.', 'token_read_only');
    } else {
      checkCsrf(request);
    }
    // Tenant scope, enforced for every route with a tenant in its path: out of scope is "not found".
    const tenantId = (request.params as { tenantId?: string } | undefined)?.tenantId;
    if (tenantId && !inScope(actor, tenantId)) throw new NotFoundError('Tenant');
    if (access === 'self') return;
    const obligation = request.session ? pendingObligation(request.session.operator, await settings(), request.session.row.authMethod) : undefined;
    if (obligation === 'password_change_required') throw new ForbiddenError('Change your password before you continue.', obligation);
    if (obligation === 'mfa_enrolment_required') throw new ForbiddenError('Set up an authenticator app before you continue: your organisation requires MFA.', obligation);
    if (!roleAllows(actor.role, access)) throw new ForbiddenError(`This needs the ${access} role; you are ${actor.role === 'admin' ? 'an' : 'a'} ${actor.role}.`);
  });

  async function identify(request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const hash = match ? tokenKey(match[1]!) : undefined;
      const found = hash ? await liveToken(hash) : undefined;
      if (!found) throw new UnauthenticatedError('The API token is not valid, has expired or was revoked.', 'invalid_token');
      request.actor = actorFrom(found.operator, 'token', { access: found.token.access, name: found.token.name });
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (!cookie) return;
    const found = await liveSession(sha256(cookie));
    if (!found) return;
    request.session = { token: cookie, row: found.session, operator: found.operator };
    request.actor = actorFrom(found.operator, 'session');
  }

  /** What the cache holds for a key once every access change committed before this request has reached this node. */
  async function current<T>(cache: AccessCache<T>, key: string): Promise<T | undefined> {
    if (cache.get(key) === undefined || !(await listener.sync())) return undefined;
    return cache.get(key);
  }

  /** From this node's cache when it holds a live answer; otherwise from the database (which then fills the cache). */
  async function liveToken(hash: string): Promise<LiveToken | undefined> {
    const cached = await current(tokenCache, hash);
    if (cached && tokenIsLive(cached, deps.now())) {
      const touched = await touchToken(deps, cached);
      if (touched !== cached) tokenCache.update(hash, touched);
      return touched;
    }
    return tokenCache.load(hash, () => findLiveTokenByHash(deps, hash));
  }

  async function liveSession(idHash: string): Promise<LiveSession | undefined> {
    const cached = await current(sessionCache, idHash);
    // A cached session past a timeout goes to the database, which decides (and deletes it).
    if (cached && sessionIsLive(deps, cached, deps.now())) {
      const touched = await touchSession(deps, cached);
      if (touched !== cached) sessionCache.update(idHash, touched);
      return touched;
    }
    return sessionCache.load(idHash, () => findLiveSessionByHash(deps, idHash));
  }

  function checkCsrf(request: FastifyRequest): void {
    if (SAFE_METHODS.has(request.method) || !request.session) return;
    const sent = request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(request.session.token))) {
      throw new ForbiddenError('The request is missing its CSRF token. Reload the page and try again.', 'csrf_failed');
    }
  }
}
