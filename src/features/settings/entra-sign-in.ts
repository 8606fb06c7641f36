import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { EntraConfig } from '../../config/env.ts';
import { createEntraOidc, type EntraOidc } from '../../connectors/entra/oidc.ts';
import { checkClientCredentials } from '../../connectors/entra/client-credentials-check.ts';
import { discoverMicrosoftTenant, TenantDiscoveryError } from '../../connectors/entra/tenant-discovery.ts';
import { isGuid, readMicrosoftTenantRef } from '../../core/microsoft-tenant-ref.ts';
import { ValidationError, type FieldProblem } from '../../core/errors.ts';
import { decryptSecret, encryptSecret } from '../../core/secret-box.ts';
import { appSettings } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';

/**
 * Operator sign-in with Entra ID, set up by an admin in Settings (SPEC A3). The `entraSignIn`
 * row of app_settings is the source for every node sharing the database: each sign-in reads it,
 * so a save applies at once, without a restart. Environment variables win where they are set
 * (UCR_ENTRA_*); Settings shows those fields read-only. The client secret is encrypted in the
 * row's secret_enc and never answered.
 */

export const ENTRA_CALLBACK_PATH = '/api/auth/entra/callback';
const KEY = 'entraSignIn';
const MULTI_TENANT_ALIASES = ['common', 'organizations', 'consumers'];
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

type EntraField = keyof EntraConfig;
type Stored = { tenant: string | null; clientId: string | null; authority: string | null; redirectUri: string | null };
const emptyStored: Stored = { tenant: null, clientId: null, authority: null, redirectUri: null };

export type EntraSignInInput = {
  tenant?: string | null | undefined;
  clientId?: string | null | undefined;
  /** Write-only: left out, the stored secret is kept. */
  clientSecret?: string | undefined;
  authority?: string | null | undefined;
  redirectUri?: string | null | undefined;
};

export type EntraSignInView = {
  /** Tenant, client id and secret are all there: the sign-in page offers Entra ID. */
  enabled: boolean;
  tenant: string | null;
  clientId: string | null;
  clientSecretSet: boolean;
  authority: string;
  /** The redirect URI to register on the app registration (the override, or this server's callback). */
  redirectUri: string;
  redirectUriOverride: string | null;
  /** Fields the environment sets: shown read-only, a save cannot change them. */
  fromEnvironment: EntraField[];
};

export type EntraSignInCheck = { ok: boolean; tenantId: string | null; steps: Array<{ name: string; ok: boolean; message: string }> };

async function readStored(deps: AppDeps): Promise<{ stored: Stored; secret: string | undefined }> {
  const [row] = await deps.db.select().from(appSettings).where(eq(appSettings.key, KEY));
  const value = (row?.value ?? {}) as Partial<Stored>;
  return { stored: { ...emptyStored, ...value }, secret: row?.secretEnc ? decryptSecret(deps.keyring, row.secretEnc) : undefined };
}

/** What sign-in uses: each field from the environment where it sets it, else from Settings. */
function effective(deps: AppDeps, stored: Stored, secret: string | undefined): { tenant: string | null; clientId: string | null; clientSecret: string | undefined; authority: string; redirectUri: string | null } {
  const env = deps.config.entra;
  const fromEnv = new Set(deps.config.entraEnvironment.fields);
  return {
    tenant: fromEnv.has('tenant') && env ? env.tenant : stored.tenant,
    clientId: fromEnv.has('clientId') && env ? env.clientId : stored.clientId,
    clientSecret: fromEnv.has('clientSecret') && env ? env.clientSecret : secret,
    authority: fromEnv.has('authority') ? deps.config.entraEnvironment.authority : (stored.authority ?? deps.config.entraEnvironment.authority),
    redirectUri: stored.redirectUri,
  };
}

function asConfig(values: ReturnType<typeof effective>): EntraConfig | undefined {
  return values.tenant && values.clientId && values.clientSecret ? { tenant: values.tenant, clientId: values.clientId, clientSecret: values.clientSecret, authority: values.authority } : undefined;
}

/** `<UCR_PUBLIC_URL>/api/auth/entra/callback`, else built from the request's address. */
export function defaultEntraRedirectUri(deps: AppDeps, requestOrigin: string): string {
  return `${deps.config.publicUrl ? deps.config.publicUrl.replace(/\/+$/, '') : requestOrigin}${ENTRA_CALLBACK_PATH}`;
}

function view(deps: AppDeps, stored: Stored, secret: string | undefined, requestOrigin: string): EntraSignInView {
  const values = effective(deps, stored, secret);
  return {
    enabled: asConfig(values) !== undefined,
    tenant: values.tenant,
    clientId: values.clientId,
    clientSecretSet: Boolean(values.clientSecret),
    authority: values.authority,
    redirectUri: values.redirectUri ?? defaultEntraRedirectUri(deps, requestOrigin),
    redirectUriOverride: values.redirectUri,
    fromEnvironment: [...deps.config.entraEnvironment.fields],
  };
}

export async function getEntraSignInSettings(deps: AppDeps, requestOrigin: string): Promise<EntraSignInView> {
  const { stored, secret } = await readStored(deps);
  return view(deps, stored, secret, requestOrigin);
}

// One OpenID client per configuration (it keeps the discovery document); a changed row builds a new one.
const clients = new WeakMap<AppDeps, { fingerprint: string; oidc: EntraOidc }>();

/**
 * The sign-in client for the configuration in force right now, or undefined when sign-in with
 * Entra ID is not set up. Read from the database on every call, so a save on any node applies
 * to the next sign-in everywhere.
 */
export async function currentEntraSignIn(deps: AppDeps): Promise<{ oidc: EntraOidc; redirectUri: string | null } | undefined> {
  const { stored, secret } = await readStored(deps);
  const values = effective(deps, stored, secret);
  const config = asConfig(values);
  if (!config) return undefined;
  const fingerprint = createHash('sha256').update(JSON.stringify([config.tenant, config.clientId, config.clientSecret, config.authority])).digest('hex');
  let cached = clients.get(deps);
  if (cached?.fingerprint !== fingerprint) clients.set(deps, (cached = { fingerprint, oidc: createEntraOidc(config) }));
  return { oidc: cached.oidc, redirectUri: values.redirectUri };
}

/** The values a save would store, checked; an error names each bad field and nothing is stored. */
function merged(deps: AppDeps, stored: Stored, storedSecret: string | undefined, input: EntraSignInInput): { next: Stored; secret: string | undefined } {
  const problems: FieldProblem[] = [];
  const fromEnv = new Set(deps.config.entraEnvironment.fields);
  const env = effective(deps, emptyStored, undefined);
  const pick = (field: 'tenant' | 'clientId' | 'authority' | 'redirectUri'): string | null => {
    const given = input[field];
    if (given === undefined) return stored[field];
    const value = given === null ? null : given.trim() || null;
    if (field !== 'redirectUri' && fromEnv.has(field) && value !== null && value !== env[field]) {
      problems.push({ field, message: `Set by the environment (UCR_ENTRA_${field === 'clientId' ? 'CLIENT_ID' : field.toUpperCase()}); change it there` });
    }
    return value;
  };
  const next: Stored = { tenant: pick('tenant'), clientId: pick('clientId'), authority: pick('authority'), redirectUri: pick('redirectUri') };
  if (next.tenant !== null) {
    const ref = readMicrosoftTenantRef(next.tenant);
    if (MULTI_TENANT_ALIASES.includes(next.tenant.toLowerCase())) problems.push({ field: 'tenant', message: 'Must be your own tenant (its id or a verified domain), not common, organizations or consumers: those would let accounts of any organisation in.' });
    else if ('problem' in ref) problems.push({ field: 'tenant', message: ref.message });
    else next.tenant = ref.kind === 'id' ? ref.tenantId : ref.domain;
  }
  if (next.clientId !== null) {
    if (isGuid(next.clientId)) next.clientId = next.clientId.toLowerCase();
    else problems.push({ field: 'clientId', message: `"${next.clientId.slice(0, 60)}" is not a valid application (client) id: it is a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47, shown on the app registration's Overview.` });
  }
  if (next.authority !== null) {
    const problem = urlProblem(next.authority, false);
    if (problem) problems.push({ field: 'authority', message: problem });
    else next.authority = next.authority.replace(/\/+$/, '');
  }
  if (next.redirectUri !== null) {
    const problem = urlProblem(next.redirectUri, true);
    if (problem) problems.push({ field: 'redirectUri', message: problem });
  }
  const secret = input.clientSecret !== undefined && input.clientSecret !== '' ? input.clientSecret : storedSecret;
  if (input.clientSecret !== undefined && input.clientSecret !== '' && fromEnv.has('clientSecret')) problems.push({ field: 'clientSecret', message: 'Set by the environment (UCR_ENTRA_CLIENT_SECRET); change it there' });
  if (problems.length) throw new ValidationError(problems.length === 1 ? problems[0]!.message : 'Some fields need fixing; nothing was saved.', problems);
  return { next, secret };
}

function urlProblem(value: string, isRedirect: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value.slice(0, 100)}" is not a URL.`;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    return isRedirect ? 'The redirect URI must use https:// (plain http is accepted only on localhost): Entra ID refuses other redirect URIs for web apps.' : 'The authority must use https:// (plain http is accepted only on localhost, for the simulator).';
  }
  if (url.search || url.hash) return 'Must not carry a query (?…) or fragment (#…).';
  if (isRedirect && url.pathname !== ENTRA_CALLBACK_PATH) return `The redirect URI must end in ${ENTRA_CALLBACK_PATH}, the address this server answers sign-ins on.`;
  return undefined;
}

const audited = (s: Stored, secret: string | undefined) => ({ ...s, clientSecretSet: Boolean(secret) });

export async function saveEntraSignInSettings(deps: AppDeps, actor: Actor, input: EntraSignInInput, request: RequestInfo, requestOrigin: string): Promise<EntraSignInView> {
  const before = await readStored(deps);
  const { next, secret } = merged(deps, before.stored, before.secret, input);
  const secretEnc = secret && !deps.config.entraEnvironment.fields.includes('clientSecret') ? encryptSecret(deps.keyring, secret) : null;
  await deps.db.transaction(async (tx) => {
    const now = deps.now();
    await tx
      .insert(appSettings)
      .values({ key: KEY, value: next, secretEnc, updatedAt: now })
      .onConflictDoUpdate({ target: appSettings.key, set: { value: next, secretEnc, updatedAt: now } });
    await recordAudit(tx, { action: 'settings.entra_sign_in_changed', actor, targetType: 'settings', targetId: 'entra_sign_in', before: audited(before.stored, before.secret), after: audited(next, secret ?? undefined), request });
  });
  return view(deps, next, secret, requestOrigin);
}

/** Turns sign-in with Entra ID off (what Settings holds; the environment's fields stay). */
export async function clearEntraSignInSettings(deps: AppDeps, actor: Actor, request: RequestInfo, requestOrigin: string): Promise<EntraSignInView> {
  const before = await readStored(deps);
  await deps.db.transaction(async (tx) => {
    await tx.delete(appSettings).where(eq(appSettings.key, KEY));
    await recordAudit(tx, { action: 'settings.entra_sign_in_changed', actor, targetType: 'settings', targetId: 'entra_sign_in', before: audited(before.stored, before.secret), after: null, request });
  });
  return view(deps, emptyStored, undefined, requestOrigin);
}

/**
 * "Test" in place: the values in the form (merged with what is stored, as a save would), not
 * saved. Discovery at the configured authority, then a client-credential token request, which
 * proves the client id and secret without anyone signing in.
 */
export async function testEntraSignInSettings(deps: AppDeps, actor: Actor, input: EntraSignInInput, request: RequestInfo): Promise<EntraSignInCheck> {
  const before = await readStored(deps);
  const { next, secret } = merged(deps, before.stored, before.secret, input);
  const values = effective(deps, next, secret);
  const steps: EntraSignInCheck['steps'] = [];
  let tenantId: string | null = null;
  if (!values.tenant || !values.clientId || !values.clientSecret) {
    const missing = [!values.tenant && 'the tenant', !values.clientId && 'the client id', !values.clientSecret && 'the client secret'].filter(Boolean).join(', ');
    throw new ValidationError(`Enter ${missing} before testing.`, [{ field: !values.tenant ? 'tenant' : !values.clientId ? 'clientId' : 'clientSecret', message: 'Required' }]);
  }
  let tokenEndpoint: string | undefined;
  try {
    const found = await discoverMicrosoftTenant(values.authority, values.tenant, { maxAttempts: 2, baseDelayMs: 300, maxDelayMs: 2_000, timeoutMs: deps.config.connectorTimeoutMs });
    tenantId = found.tenantId;
    tokenEndpoint = found.tokenEndpoint;
    steps.push({ name: 'Discovery', ok: true, message: `${values.authority} knows the tenant: its id is ${found.tenantId}.` });
  } catch (error) {
    if (!(error instanceof TenantDiscoveryError)) throw error;
    steps.push({ name: 'Discovery', ok: false, message: error.message });
  }
  if (tokenEndpoint) {
    const check = await checkClientCredentials(tokenEndpoint, values.clientId, values.clientSecret, deps.config.connectorTimeoutMs);
    steps.push({ name: 'Client id and secret', ok: check.ok, message: check.message });
  }
  const result = { ok: steps.length === 2 && steps.every((s) => s.ok), tenantId, steps };
  await recordAudit(deps.db, { action: 'settings.entra_sign_in_tested', actor, targetType: 'settings', targetId: 'entra_sign_in', after: result, result: result.ok ? 'success' : 'failure', request });
  return result;
}
