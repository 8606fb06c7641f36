import { isDeepStrictEqual } from 'node:util';
import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { EntraConfig } from '../../config/env.ts';
import { createEntraOidc, type EntraClientConfig, type EntraClientCredential, type EntraOidc } from '../../connectors/entra/oidc.ts';
import { certificateThumbprints, generateAppCertificate } from '../../connectors/shared/app-certificates.ts';
import { checkClientCredentials } from '../../connectors/entra/client-credentials-check.ts';
import { discoverMicrosoftTenant, TenantDiscoveryError } from '../../connectors/entra/tenant-discovery.ts';
import { isGuid, readMicrosoftTenantRef } from '../../core/microsoft-tenant-ref.ts';
import { NotFoundError, ValidationError, type FieldProblem } from '../../core/errors.ts';
import { decryptSecret, encryptSecret } from '../../core/secret-box.ts';
import { appSettings } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';

/**
 * Operator sign-in with Entra ID, set up by an admin in Settings (SPEC A3). The `entraSignIn`
 * row of app_settings is the source for every node sharing the database: each sign-in reads it,
 * so a save applies at once, without a restart. Environment variables win where they are set
 * (UCR_ENTRA_*); Settings shows those fields read-only. The app proves itself with a client
 * secret or a certificate generated here; the secret and the certificate's private key are
 * encrypted together in the row's secret_enc and never answered, logged or audited. The
 * environment offers the secret only (UCR_ENTRA_CLIENT_SECRET).
 */

export const ENTRA_CALLBACK_PATH = '/api/auth/entra/callback';
const KEY = 'entraSignIn';
const MULTI_TENANT_ALIASES = ['common', 'organizations', 'consumers'];
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

type EntraField = keyof EntraConfig;
export type EntraAuthMethod = 'secret' | 'certificate';
/** The public part of the generated certificate; its private key is in the encrypted material. */
type StoredCertificate = { x5tS256: string; sha1Hex: string; subject: string; notAfter: string; publicPem: string };
type Stored = { tenant: string | null; clientId: string | null; authority: string | null; redirectUri: string | null; authMethod?: EntraAuthMethod; certificate?: StoredCertificate | null };
const emptyStored: Stored = { tenant: null, clientId: null, authority: null, redirectUri: null, authMethod: 'secret', certificate: null };

/** What secret_enc holds, encrypted: the client secret, the certificate's private key, or both while switching. */
type Material = { clientSecret?: string | undefined; privateKeyPem?: string | undefined };
const MATERIAL_FORMAT = 'entraSignIn/1';

function readMaterial(text: string): Material {
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as Material & { format?: unknown };
      if (parsed.format === MATERIAL_FORMAT) return { clientSecret: parsed.clientSecret, privateKeyPem: parsed.privateKeyPem };
    } catch {
      // Not ours: a client secret that happens to start with "{".
    }
  }
  // Saved before certificates: secret_enc held the client secret alone.
  return { clientSecret: text };
}

function writeMaterial(deps: AppDeps, material: Material): string | null {
  if (!material.clientSecret && !material.privateKeyPem) return null;
  return encryptSecret(deps.keyring, JSON.stringify({ format: MATERIAL_FORMAT, ...material }));
}

export type EntraSignInInput = {
  tenant?: string | null | undefined;
  clientId?: string | null | undefined;
  /** Write-only: left out, the stored secret is kept. */
  clientSecret?: string | undefined;
  /** Left out, the stored choice is kept. Choosing one wipes the other's stored secret material. */
  authMethod?: EntraAuthMethod | undefined;
  authority?: string | null | undefined;
  redirectUri?: string | null | undefined;
};

export type EntraSignInView = {
  /** Tenant, client id and secret are all there: the sign-in page offers Entra ID. */
  enabled: boolean;
  tenant: string | null;
  clientId: string | null;
  clientSecretSet: boolean;
  authMethod: EntraAuthMethod;
  /** The generated certificate (public facts only), to upload to the app registration. */
  certificate: { thumbprint: string; x5tS256: string; subject: string; notAfter: string } | null;
  authority: string;
  /** The redirect URI to register on the app registration (the override, or this server's callback). */
  redirectUri: string;
  redirectUriOverride: string | null;
  /** Fields the environment sets: shown read-only, a save cannot change them. */
  fromEnvironment: EntraField[];
};

export type EntraSignInCheck = { ok: boolean; tenantId: string | null; steps: Array<{ name: string; ok: boolean; message: string }> };

async function readStored(deps: AppDeps): Promise<{ stored: Stored; material: Material }> {
  const [row] = await deps.db.select().from(appSettings).where(eq(appSettings.key, KEY));
  const value = (row?.value ?? {}) as Partial<Stored>;
  return { stored: { ...emptyStored, ...value }, material: row?.secretEnc ? readMaterial(decryptSecret(deps.keyring, row.secretEnc)) : {} };
}

type Effective = { tenant: string | null; clientId: string | null; authMethod: EntraAuthMethod; credential: EntraClientCredential | undefined; authority: string; redirectUri: string | null };

/** What sign-in uses: each field from the environment where it sets it, else from Settings. */
function effective(deps: AppDeps, stored: Stored, material: Material): Effective {
  const env = deps.config.entra;
  const fromEnv = new Set(deps.config.entraEnvironment.fields);
  // The environment sets a secret only; where it does, it wins over a certificate in Settings.
  const authMethod: EntraAuthMethod = fromEnv.has('clientSecret') ? 'secret' : (stored.authMethod ?? 'secret');
  const clientSecret = fromEnv.has('clientSecret') && env ? env.clientSecret : material.clientSecret;
  let credential: EntraClientCredential | undefined;
  if (authMethod === 'secret') credential = clientSecret ? { kind: 'secret', clientSecret } : undefined;
  else credential = stored.certificate && material.privateKeyPem ? { kind: 'certificate', certificatePem: stored.certificate.publicPem, privateKeyPem: material.privateKeyPem } : undefined;
  return {
    tenant: fromEnv.has('tenant') && env ? env.tenant : stored.tenant,
    clientId: fromEnv.has('clientId') && env ? env.clientId : stored.clientId,
    authMethod,
    credential,
    authority: fromEnv.has('authority') ? deps.config.entraEnvironment.authority : (stored.authority ?? deps.config.entraEnvironment.authority),
    redirectUri: stored.redirectUri,
  };
}

function asConfig(values: Effective): EntraClientConfig | undefined {
  return values.tenant && values.clientId && values.credential ? { tenant: values.tenant, clientId: values.clientId, authority: values.authority, credential: values.credential } : undefined;
}

/** `<UCR_PUBLIC_URL>/api/auth/entra/callback`, else built from the request's address. */
export function defaultEntraRedirectUri(deps: AppDeps, requestOrigin: string): string {
  return `${deps.config.publicUrl ? deps.config.publicUrl.replace(/\/+$/, '') : requestOrigin}${ENTRA_CALLBACK_PATH}`;
}

function view(deps: AppDeps, stored: Stored, material: Material, requestOrigin: string): EntraSignInView {
  const values = effective(deps, stored, material);
  const certificate = stored.certificate && material.privateKeyPem ? stored.certificate : null;
  return {
    enabled: asConfig(values) !== undefined,
    tenant: values.tenant,
    clientId: values.clientId,
    clientSecretSet: Boolean(deps.config.entraEnvironment.fields.includes('clientSecret') ? deps.config.entra?.clientSecret : material.clientSecret),
    authMethod: values.authMethod,
    certificate: certificate ? { thumbprint: certificate.sha1Hex, x5tS256: certificate.x5tS256, subject: certificate.subject, notAfter: certificate.notAfter } : null,
    authority: values.authority,
    redirectUri: values.redirectUri ?? defaultEntraRedirectUri(deps, requestOrigin),
    redirectUriOverride: values.redirectUri,
    fromEnvironment: [...deps.config.entraEnvironment.fields],
  };
}

export async function getEntraSignInSettings(deps: AppDeps, requestOrigin: string): Promise<EntraSignInView> {
  const { stored, material } = await readStored(deps);
  return view(deps, stored, material, requestOrigin);
}

// One OpenID client per configuration (it keeps the discovery document); a changed row builds a new one.
const clients = new WeakMap<AppDeps, { fingerprint: string; oidc: EntraOidc }>();

/**
 * The sign-in client for the configuration in force right now, or undefined when sign-in with
 * Entra ID is not set up. Read from the database on every call, so a save on any node applies
 * to the next sign-in everywhere.
 */
export async function currentEntraSignIn(deps: AppDeps): Promise<{ oidc: EntraOidc; redirectUri: string | null } | undefined> {
  const { stored, material } = await readStored(deps);
  const values = effective(deps, stored, material);
  const config = asConfig(values);
  if (!config) return undefined;
  const fingerprint = createHash('sha256').update(JSON.stringify([config.tenant, config.clientId, config.credential, config.authority])).digest('hex');
  let cached = clients.get(deps);
  if (cached?.fingerprint !== fingerprint) clients.set(deps, (cached = { fingerprint, oidc: createEntraOidc(config) }));
  return { oidc: cached.oidc, redirectUri: values.redirectUri };
}

/** The values a save would store, checked; an error names each bad field and nothing is stored. */
function merged(deps: AppDeps, stored: Stored, storedMaterial: Material, input: EntraSignInInput): { next: Stored; material: Material } {
  const problems: FieldProblem[] = [];
  const fromEnv = new Set(deps.config.entraEnvironment.fields);
  const env = effective(deps, emptyStored, {});
  const pick = (field: 'tenant' | 'clientId' | 'authority' | 'redirectUri'): string | null => {
    const given = input[field];
    if (given === undefined) return stored[field];
    const value = given === null ? null : given.trim() || null;
    if (field !== 'redirectUri' && fromEnv.has(field) && value !== null && value !== env[field]) {
      problems.push({ field, message: `Set by the environment (UCR_ENTRA_${field === 'clientId' ? 'CLIENT_ID' : field.toUpperCase()}); change it there` });
    }
    return value;
  };
  const authMethod: EntraAuthMethod = input.authMethod ?? stored.authMethod ?? 'secret';
  const next: Stored = { tenant: pick('tenant'), clientId: pick('clientId'), authority: pick('authority'), redirectUri: pick('redirectUri'), authMethod, certificate: stored.certificate ?? null };
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
  const secretGiven = input.clientSecret !== undefined && input.clientSecret !== '';
  if (secretGiven && fromEnv.has('clientSecret')) problems.push({ field: 'clientSecret', message: 'Set by the environment (UCR_ENTRA_CLIENT_SECRET); change it there' });
  let material: Material;
  if (authMethod === 'secret') {
    // One way to sign in at a time: choosing the secret wipes the certificate and its key.
    material = { clientSecret: secretGiven ? input.clientSecret : storedMaterial.clientSecret };
    next.certificate = null;
  } else {
    if (fromEnv.has('clientSecret')) problems.push({ field: 'authMethod', message: 'The environment sets the client secret (UCR_ENTRA_CLIENT_SECRET), and it wins: remove it there to sign in with a certificate.' });
    else if (!stored.certificate || !storedMaterial.privateKeyPem) problems.push({ field: 'authMethod', message: 'Generate a certificate first, then upload its .cer to the app registration.' });
    if (secretGiven) problems.push({ field: 'clientSecret', message: 'A client secret is not used with a certificate: choose "Client secret" to use one.' });
    material = { privateKeyPem: storedMaterial.privateKeyPem };
  }
  if (problems.length) throw new ValidationError(problems.length === 1 ? problems[0]!.message : 'Some fields need fixing; nothing was saved.', problems);
  return { next, material };
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

/** What the audit keeps: never the secret or the private key, and the certificate by its thumbprint. */
const audited = (s: Stored, material: Material) => ({
  tenant: s.tenant,
  clientId: s.clientId,
  authority: s.authority,
  redirectUri: s.redirectUri,
  authMethod: s.authMethod ?? 'secret',
  certificate: s.certificate ? { thumbprint: s.certificate.sha1Hex, notAfter: s.certificate.notAfter } : null,
  clientSecretSet: Boolean(material.clientSecret),
  privateKeySet: Boolean(material.privateKeyPem),
});

async function store(deps: AppDeps, next: Stored, material: Material, audit: (tx: Parameters<Parameters<AppDeps['db']['transaction']>[0]>[0]) => Promise<void>): Promise<void> {
  // With the secret set by the environment, Settings keeps none of its own.
  const kept = deps.config.entraEnvironment.fields.includes('clientSecret') ? { privateKeyPem: material.privateKeyPem } : material;
  const secretEnc = writeMaterial(deps, kept);
  await deps.db.transaction(async (tx) => {
    const now = deps.now();
    await tx
      .insert(appSettings)
      .values({ key: KEY, value: next, secretEnc, updatedAt: now })
      .onConflictDoUpdate({ target: appSettings.key, set: { value: next, secretEnc, updatedAt: now } });
    await audit(tx);
  });
}

const definedOnly = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export async function saveEntraSignInSettings(deps: AppDeps, actor: Actor, input: EntraSignInInput, request: RequestInfo, requestOrigin: string): Promise<EntraSignInView> {
  const before = await readStored(deps);
  const { next, material } = merged(deps, before.stored, before.material, input);
  // A save that changes nothing (an empty body, the same values again) writes and audits nothing.
  if (isDeepStrictEqual(definedOnly(next), definedOnly(before.stored)) && isDeepStrictEqual(definedOnly(material), definedOnly(before.material))) return view(deps, next, material, requestOrigin);
  await store(deps, next, material, (tx) =>
    recordAudit(tx, { action: 'settings.entra_sign_in_changed', actor, targetType: 'settings', targetId: 'entra_sign_in', before: audited(before.stored, before.material), after: audited(next, material), request }),
  );
  return view(deps, next, material, requestOrigin);
}

/**
 * Generates a key pair and a self-signed certificate (two years) here; the private key never
 * leaves the server. The sign-in method is not changed: choose "Certificate" and save once the
 * .cer is on the app registration. A new certificate replaces the previous one (and its key) at once.
 */
export async function generateEntraSignInCertificate(deps: AppDeps, actor: Actor, request: RequestInfo, requestOrigin: string): Promise<EntraSignInView> {
  if (deps.config.entraEnvironment.fields.includes('clientSecret')) {
    throw new ValidationError('The environment sets the client secret (UCR_ENTRA_CLIENT_SECRET), and it wins: remove it there to sign in with a certificate.', [{ field: 'authMethod', message: 'Set by the environment' }]);
  }
  const before = await readStored(deps);
  const pair = generateAppCertificate('UCR Manager operator sign-in', 730, deps.now());
  const prints = certificateThumbprints(pair.certificatePem);
  const next: Stored = { ...before.stored, certificate: { x5tS256: prints.x5tS256, sha1Hex: prints.sha1Hex, subject: prints.subject, notAfter: prints.notAfter, publicPem: pair.certificatePem } };
  const material: Material = { ...before.material, privateKeyPem: pair.privateKeyPem };
  await store(deps, next, material, (tx) =>
    recordAudit(tx, { action: 'settings.entra_sign_in_certificate_generated', actor, targetType: 'settings', targetId: 'entra_sign_in', before: audited(before.stored, before.material), after: audited(next, material), request }),
  );
  return view(deps, next, material, requestOrigin);
}

/** The generated certificate's public part (PEM), to upload to the app registration. */
export async function entraSignInCertificatePem(deps: AppDeps): Promise<string> {
  const { stored, material } = await readStored(deps);
  if (!stored.certificate || !material.privateKeyPem) throw new NotFoundError('Certificate');
  return stored.certificate.publicPem;
}

/** Turns sign-in with Entra ID off (what Settings holds; the environment's fields stay). */
export async function clearEntraSignInSettings(deps: AppDeps, actor: Actor, request: RequestInfo, requestOrigin: string): Promise<EntraSignInView> {
  const before = await readStored(deps);
  await deps.db.transaction(async (tx) => {
    await tx.delete(appSettings).where(eq(appSettings.key, KEY));
    await recordAudit(tx, { action: 'settings.entra_sign_in_changed', actor, targetType: 'settings', targetId: 'entra_sign_in', before: audited(before.stored, before.material), after: null, request });
  });
  return view(deps, emptyStored, {}, requestOrigin);
}

/**
 * "Test" in place: the values in the form (merged with what is stored, as a save would), not
 * saved. Discovery at the configured authority, then a client-credential token request, which
 * proves the client id and the secret or certificate without anyone signing in.
 */
export async function testEntraSignInSettings(deps: AppDeps, actor: Actor, input: EntraSignInInput, request: RequestInfo): Promise<EntraSignInCheck> {
  const before = await readStored(deps);
  const { next, material } = merged(deps, before.stored, before.material, input);
  const values = effective(deps, next, material);
  const steps: EntraSignInCheck['steps'] = [];
  let tenantId: string | null = null;
  if (!values.tenant || !values.clientId || !values.credential) {
    const missing = [!values.tenant && 'the tenant', !values.clientId && 'the client id', !values.credential && 'the client secret'].filter(Boolean).join(', ');
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
    const check = await checkClientCredentials(tokenEndpoint, values.clientId, values.credential, deps.config.connectorTimeoutMs);
    steps.push({ name: values.credential.kind === 'secret' ? 'Client id and secret' : 'Client id and certificate', ok: check.ok, message: check.message });
  }
  const result = { ok: steps.length === 2 && steps.every((s) => s.ok), tenantId, steps };
  await recordAudit(deps.db, { action: 'settings.entra_sign_in_tested', actor, targetType: 'settings', targetId: 'entra_sign_in', after: result, result: result.ok ? 'success' : 'failure', request });
  return result;
}
