import { ThreeCxError } from '../../connectors/threecx/errors.ts';
import { ThreeCxApi } from '../../connectors/threecx/xapi.ts';
import type { ThreeCxAuth } from '../../connectors/threecx/auth.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { TenantConnections, type StoredConnection } from '../tenants/connections.ts';
import { loadActiveTenant, loadTenant, tenantFeatures, type TenantRow } from '../tenants/tenants.ts';
import { DbTokenStore, holderKey } from './token-holder.ts';

/** B3: the PBX and how UCR Manager signs in to it. */
export type ThreeCxSettings = {
  fqdn: string;
  /** Another address of the same PBX (a proxy, the built-in simulator); https://{fqdn} when unset. */
  baseUrl?: string | undefined;
  authMode: 'api_client' | 'admin';
  clientId?: string | undefined;
  username?: string | undefined;
};
type ThreeCxSecrets = { clientSecret?: string; password?: string; refreshToken?: string };

// The admin session's refresh token is the app's own, not something an operator entered: not audited.
const threeCxConnections = new TenantConnections<ThreeCxSettings, ThreeCxSecrets, ThreeCxApi>({ system: 'threecx', secretFlags: { clientSecret: 'clientSecretSet', password: 'passwordSet' } });
type ThreeCxConnection = StoredConnection<ThreeCxSettings, ThreeCxSecrets>;

export function pbxAddress(settings: ThreeCxSettings): string {
  return (settings.baseUrl ?? `https://${settings.fqdn}`).replace(/\/+$/, '');
}

/** The token holder of a connection's sign-in (see token-holder.ts). */
function holderOf(settings: ThreeCxSettings): string {
  return holderKey(pbxAddress(settings), { mode: settings.authMode, principal: (settings.authMode === 'api_client' ? settings.clientId : settings.username) ?? '' });
}

async function view(deps: AppDeps, connection: ThreeCxConnection | undefined) {
  const settings = connection?.settings;
  const secrets = connection?.secrets ?? {};
  // Open when the shared holder keeps a refresh token issued for this admin and password.
  const sessionOpen = settings?.authMode === 'admin' && Boolean(secrets.password) && Boolean((await new DbTokenStore(deps, holderOf(settings), secrets.password!).read())?.refreshToken);
  return {
    configured: Boolean(settings && (settings.authMode === 'api_client' ? settings.clientId && secrets.clientSecret : settings.username && secrets.password)),
    fqdn: settings?.fqdn ?? null,
    baseUrl: settings?.baseUrl ?? null,
    authMode: settings?.authMode ?? null,
    clientId: settings?.clientId ?? null,
    username: settings?.username ?? null,
    clientSecretSet: Boolean(secrets.clientSecret),
    passwordSet: Boolean(secrets.password),
    /** An admin session is open (a refresh token is held), so no 2FA code is needed until it lapses. */
    sessionOpen,
    consoleUrl: settings ? `${pbxAddress(settings)}/#/office/dashboard` : null,
    lastTest: connection?.lastTest ?? null,
  };
}
export type ThreeCxConnectionView = Awaited<ReturnType<typeof view>>;

export async function getThreeCxConnection(deps: AppDeps, actor: Actor, tenantId: string): Promise<ThreeCxConnectionView> {
  await loadTenant(deps.db, actor, tenantId);
  return view(deps, await threeCxConnections.load(deps, tenantId));
}

/**
 * Deletes the connection with its secrets (audited). A 3CX session held for this sign-in
 * (token-holder.ts) is sealed with the deleted secret, so nothing can open it any more.
 */
export async function deleteThreeCxConnection(deps: AppDeps, actor: Actor, tenantId: string, request: RequestInfo): Promise<ThreeCxConnectionView> {
  await loadTenant(deps.db, actor, tenantId);
  if (!(await threeCxConnections.remove(deps, actor, tenantId, { action: 'threecx_connection.deleted', request }))) throw new NotFoundError('The 3CX connection');
  return view(deps, undefined);
}

export type ThreeCxConnectionInput = {
  fqdn: string;
  baseUrl?: string | undefined;
  authMode: 'api_client' | 'admin';
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
};

/** Saves the PBX and its credentials; a secret left out keeps the stored one (secrets are write-only). */
export async function saveThreeCxConnection(deps: AppDeps, actor: Actor, tenantId: string, input: ThreeCxConnectionInput, request: RequestInfo): Promise<ThreeCxConnectionView> {
  await loadActiveTenant(deps.db, actor, tenantId);
  const connection = await threeCxConnections.load(deps, tenantId);
  const current = connection?.settings;
  const stored = connection?.secrets ?? {};
  const secrets: ThreeCxSecrets = {};
  let settings: ThreeCxSettings;
  if (input.authMode === 'api_client') {
    if (!input.clientId) throw new ValidationError('Enter the client id of the 3CX API client.', [{ field: 'clientId', message: 'Required for an API client' }]);
    secrets.clientSecret = input.clientSecret ?? (current?.authMode === 'api_client' && current.clientId === input.clientId ? stored.clientSecret : undefined);
    if (!secrets.clientSecret) throw new ValidationError('Enter the secret (API key) of the 3CX API client.', [{ field: 'clientSecret', message: 'Required for an API client' }]);
    settings = { fqdn: input.fqdn, ...(input.baseUrl ? { baseUrl: input.baseUrl } : {}), authMode: 'api_client', clientId: input.clientId };
  } else {
    if (!input.username) throw new ValidationError('Enter the username of the 3CX admin.', [{ field: 'username', message: 'Required for an admin sign-in' }]);
    const sameAdmin = current?.authMode === 'admin' && current.username === input.username && current.fqdn === input.fqdn;
    secrets.password = input.password ?? (sameAdmin ? stored.password : undefined);
    if (!secrets.password) throw new ValidationError('Enter the password of the 3CX admin.', [{ field: 'password', message: 'Required for an admin sign-in' }]);
    // The open session survives a save that keeps the same admin and password.
    if (sameAdmin && !input.password && stored.refreshToken) secrets.refreshToken = stored.refreshToken;
    settings = { fqdn: input.fqdn, ...(input.baseUrl ? { baseUrl: input.baseUrl } : {}), authMode: 'admin', username: input.username };
  }
  return view(deps, await threeCxConnections.save(deps, actor, tenantId, { settings, secrets }, { action: 'threecx_connection.saved', request }));
}

export type ConnectionTest = { ok: boolean; twoFactorRequired: boolean; steps: Array<{ name: string; ok: boolean; message: string }> };

/**
 * Signs in and reads the PBX (B3). For an admin with 2FA the operator gives the current code
 * here; the session it opens is then carried on by its refresh token.
 */
export async function testThreeCxConnection(deps: AppDeps, actor: Actor, tenantId: string, input: { securityCode?: string | undefined }, request: RequestInfo): Promise<ConnectionTest> {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  threeCxConnections.forgetClient(deps, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  const steps: ConnectionTest['steps'] = [];
  let twoFactorRequired = false;
  try {
    if (input.securityCode) await api.client.tokens.signInWithCode(input.securityCode);
    const seen = await api.probe();
    steps.push({ name: 'Sign-in', ok: true, message: '3CX accepted the credentials.' });
    steps.push({ name: 'XAPI', ok: true, message: `The PBX answered: ${seen.users} extension(s), ${seen.trunks} trunk(s), ${seen.dids} DID(s) visible.` });
  } catch (error) {
    twoFactorRequired = error instanceof ThreeCxError && error.reason === 'two_factor_required';
    steps.push({ name: 'Sign-in', ok: false, message: error instanceof Error ? error.message : String(error) });
  }
  const result: ConnectionTest = { ok: steps.every((s) => s.ok), twoFactorRequired, steps };
  await threeCxConnections.recordTest(deps, actor, tenantId, result, { action: 'threecx_connection.tested', after: result, request });
  return result;
}

/** Refuses clearly when 3CX is switched off for the tenant (B5). */
export async function assertThreeCxEnabled(deps: AppDeps, tenant: TenantRow): Promise<void> {
  if (!(await tenantFeatures(deps, tenant)).threecx) throw new ConflictError(`3CX is switched off for ${tenant.name}. An admin can switch it on in the tenant's settings.`, 'threecx_disabled');
}

/** The tenant's 3CX API, refusing clearly when 3CX is off or not set up. */
export async function threeCxApiFor(deps: AppDeps, tenant: TenantRow): Promise<ThreeCxApi> {
  await assertThreeCxEnabled(deps, tenant);
  const connection = await threeCxConnections.load(deps, tenant.id);
  // One client per tenant and app instance, so its throttle gate and its copy of the shared session
  // serve every request; the session itself is held in the database (token-holder.ts).
  const cached = connection && threeCxConnections.cachedClient(deps, connection);
  if (cached) return cached;
  const settings = connection?.settings;
  const secrets = connection?.secrets ?? {};
  if (!connection || !settings) throw new ConflictError(`The 3CX connection of ${tenant.name} is not set up yet: add the PBX under the tenant's 3CX tab.`, 'threecx_not_configured');
  let auth: ThreeCxAuth;
  if (settings.authMode === 'api_client' && settings.clientId && secrets.clientSecret) auth = { mode: 'api_client', clientId: settings.clientId, clientSecret: secrets.clientSecret };
  else if (settings.authMode === 'admin' && settings.username && secrets.password) auth = { mode: 'admin', username: settings.username, password: secrets.password, refreshToken: secrets.refreshToken };
  else throw new ConflictError(`The 3CX connection of ${tenant.name} is missing its credentials.`, 'threecx_not_configured');
  const log = deps.log.child({ tenantId: tenant.id, connector: 'threecx' });
  const api = new ThreeCxApi({
    baseUrl: pbxAddress(settings),
    auth,
    log,
    now: () => deps.now().getTime(),
    // One session per PBX sign-in for every node: 3CX revokes the previous token when it issues a new one.
    tokenStore: new DbTokenStore(deps, holderOf(settings), auth.mode === 'api_client' ? auth.clientSecret : auth.password),
  });
  return threeCxConnections.keepClient(deps, connection, api);
}

/** The PBX's own admin console, for what the API does not offer (adding a DID). */
export async function threeCxConsoleUrl(deps: AppDeps, tenantId: string): Promise<string | null> {
  const settings = (await threeCxConnections.load(deps, tenantId))?.settings;
  return settings ? pbxAddress(settings) : null;
}
