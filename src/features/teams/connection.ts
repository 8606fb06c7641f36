import type { AuditAction } from '../../core/audit-actions.ts';
import { and, eq } from 'drizzle-orm';
import { generateAppCertificate, readUploadedCertificate } from '../../connectors/teams/certificates.ts';
import { certificateThumbprints, microsoftCloud, type TeamsCredentials, type TeamsEndpoints } from '../../connectors/teams/credentials.ts';
import { TeamsApi, type ConnectionCheck } from '../../connectors/teams/teams-api.ts';
import { retryPolicyWithTimeout } from '../../connectors/shared/resilient-fetch.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { decryptSecret, encryptSecret } from '../../core/secret-box.ts';
import { tenantConnections } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { loadActiveTenant, loadTenant, tenantFeatures, type TenantRow } from '../tenants/tenants.ts';

export type TeamsSettings = {
  clientId: string;
  authMethod: 'certificate' | 'secret';
  /** global: Microsoft's public cloud; custom: other endpoints (national clouds, or the built-in simulators for the demo). */
  cloud: 'global' | 'custom';
  loginBaseUrl?: string;
  graphBaseUrl?: string;
  certificate?: { x5tS256: string; sha1Hex: string; subject: string; notAfter: string; publicPem: string };
};
type TeamsSecrets = { clientSecret?: string; privateKeyPem?: string };

/** What the API shows: settings and whether each secret is set — never the secrets. */
export type TeamsConnectionView = {
  configured: boolean;
  clientId: string | null;
  authMethod: 'certificate' | 'secret' | null;
  cloud: 'global' | 'custom';
  loginBaseUrl: string;
  graphBaseUrl: string;
  clientSecretSet: boolean;
  certificate: { thumbprint: string; subject: string; notAfter: string; privateKeySet: boolean } | null;
  lastTest: { at: string; ok: boolean; result: unknown } | null;
};

type ConnectionRow = typeof tenantConnections.$inferSelect;

async function loadRow(deps: AppDeps, tenantId: string): Promise<ConnectionRow | undefined> {
  const [row] = await deps.db.select().from(tenantConnections).where(and(eq(tenantConnections.tenantId, tenantId), eq(tenantConnections.system, 'teams')));
  return row;
}

function secretsOf(deps: AppDeps, row: ConnectionRow | undefined): TeamsSecrets {
  return row?.secretEnc ? (JSON.parse(decryptSecret(deps.keyring, row.secretEnc)) as TeamsSecrets) : {};
}

function endpointsOf(settings: TeamsSettings): TeamsEndpoints {
  return settings.cloud === 'custom' && settings.loginBaseUrl && settings.graphBaseUrl ? { loginBaseUrl: settings.loginBaseUrl, graphBaseUrl: settings.graphBaseUrl } : microsoftCloud;
}

function view(deps: AppDeps, row: ConnectionRow | undefined): TeamsConnectionView {
  const settings = row?.settings as TeamsSettings | undefined;
  const secrets = secretsOf(deps, row);
  const endpoints = settings ? endpointsOf(settings) : microsoftCloud;
  return {
    configured: Boolean(settings?.clientId && (settings.authMethod === 'secret' ? secrets.clientSecret : secrets.privateKeyPem && settings.certificate)),
    clientId: settings?.clientId ?? null,
    authMethod: settings?.authMethod ?? null,
    cloud: settings?.cloud ?? 'global',
    ...endpoints,
    clientSecretSet: Boolean(secrets.clientSecret),
    certificate: settings?.certificate ? { thumbprint: settings.certificate.sha1Hex, subject: settings.certificate.subject, notAfter: settings.certificate.notAfter, privateKeySet: Boolean(secrets.privateKeyPem) } : null,
    lastTest: row?.lastTestAt ? { at: row.lastTestAt.toISOString(), ok: Boolean(row.lastTestOk), result: row.lastTestResult } : null,
  };
}

export async function getTeamsConnection(deps: AppDeps, actor: Actor, tenantId: string): Promise<TeamsConnectionView> {
  await loadTenant(deps.db, actor, tenantId);
  return view(deps, await loadRow(deps, tenantId));
}

async function save(deps: AppDeps, actor: Actor, tenantId: string, settings: TeamsSettings, secrets: TeamsSecrets, action: AuditAction, request: RequestInfo): Promise<TeamsConnectionView> {
  const before = await loadRow(deps, tenantId);
  const secretEnc = Object.keys(secrets).length ? encryptSecret(deps.keyring, JSON.stringify(secrets)) : null;
  await deps.db.transaction(async (tx) => {
    await tx
      .insert(tenantConnections)
      .values({ tenantId, system: 'teams', settings, secretEnc, updatedAt: deps.now() })
      .onConflictDoUpdate({ target: [tenantConnections.tenantId, tenantConnections.system], set: { settings, secretEnc, updatedAt: deps.now(), lastTestAt: null, lastTestOk: null, lastTestResult: null } });
    // The audit trail names what changed and which secrets are set, never their values.
    const shown = (s: TeamsSettings | undefined, sec: TeamsSecrets) => (s ? { ...s, certificate: s.certificate ? { thumbprint: s.certificate.sha1Hex, notAfter: s.certificate.notAfter } : null, clientSecretSet: Boolean(sec.clientSecret), privateKeySet: Boolean(sec.privateKeyPem) } : null);
    await recordAudit(tx, { action, actor, tenantId, targetType: 'teams_connection', targetId: tenantId, before: shown(before?.settings as TeamsSettings | undefined, secretsOf(deps, before)), after: shown(settings, secrets), request });
  });
  forgetClient(tenantId);
  return view(deps, await loadRow(deps, tenantId));
}

export type TeamsConnectionInput = {
  clientId: string;
  authMethod: 'certificate' | 'secret';
  clientSecret?: string | undefined;
  cloud?: 'global' | 'custom' | undefined;
  loginBaseUrl?: string | undefined;
  graphBaseUrl?: string | undefined;
};

/** Saves the app registration; a secret left out keeps the stored one (secrets are write-only). */
export async function saveTeamsConnection(deps: AppDeps, actor: Actor, tenantId: string, input: TeamsConnectionInput, request: RequestInfo): Promise<TeamsConnectionView> {
  await loadActiveTenant(deps.db, actor, tenantId);
  const row = await loadRow(deps, tenantId);
  const current = row?.settings as TeamsSettings | undefined;
  const secrets = secretsOf(deps, row);
  const cloud = input.cloud ?? current?.cloud ?? 'global';
  if (cloud === 'custom' && (!input.loginBaseUrl || !input.graphBaseUrl)) {
    throw new ValidationError('A custom cloud needs both the sign-in and the Graph URL.', [{ field: 'loginBaseUrl', message: 'Required for a custom cloud' }]);
  }
  if (input.clientSecret) secrets.clientSecret = input.clientSecret;
  if (input.authMethod === 'secret' && !secrets.clientSecret) throw new ValidationError('Enter the client secret of the app registration.', [{ field: 'clientSecret', message: 'Required for secret authentication' }]);
  const settings: TeamsSettings = {
    clientId: input.clientId,
    authMethod: input.authMethod,
    cloud,
    ...(cloud === 'custom' ? { loginBaseUrl: input.loginBaseUrl!, graphBaseUrl: input.graphBaseUrl! } : {}),
    ...(current?.certificate ? { certificate: current.certificate } : {}),
  };
  return save(deps, actor, tenantId, settings, secrets, 'teams_connection.saved', request);
}

/** Generates a key pair and certificate in the app; returns the certificate (public) to upload to Entra ID. */
export async function generateTeamsCertificate(deps: AppDeps, actor: Actor, tenantId: string, request: RequestInfo): Promise<{ certificatePem: string; thumbprint: string; connection: TeamsConnectionView }> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const pair = generateAppCertificate(`UCR Manager - ${tenant.name}`, 730, deps.now());
  const connection = await storeCertificate(deps, actor, tenantId, pair, 'teams_connection.certificate_generated', request);
  return { certificatePem: pair.certificatePem, thumbprint: connection.certificate!.thumbprint, connection };
}

export async function uploadTeamsCertificate(
  deps: AppDeps,
  actor: Actor,
  tenantId: string,
  input: { pfxBase64: string; password?: string | undefined } | { certificatePem: string; privateKeyPem: string },
  request: RequestInfo,
): Promise<TeamsConnectionView> {
  await loadActiveTenant(deps.db, actor, tenantId);
  let pair;
  try {
    pair = readUploadedCertificate(input);
  } catch (error) {
    throw new ValidationError(error instanceof Error ? error.message : 'The certificate could not be read.', [{ field: 'certificate', message: 'Not usable' }]);
  }
  return storeCertificate(deps, actor, tenantId, pair, 'teams_connection.certificate_uploaded', request);
}

async function storeCertificate(deps: AppDeps, actor: Actor, tenantId: string, pair: { certificatePem: string; privateKeyPem: string }, action: AuditAction, request: RequestInfo): Promise<TeamsConnectionView> {
  const row = await loadRow(deps, tenantId);
  const current = row?.settings as TeamsSettings | undefined;
  const prints = certificateThumbprints(pair.certificatePem);
  const settings: TeamsSettings = {
    clientId: current?.clientId ?? '',
    authMethod: 'certificate',
    cloud: current?.cloud ?? 'global',
    ...(current?.loginBaseUrl ? { loginBaseUrl: current.loginBaseUrl } : {}),
    ...(current?.graphBaseUrl ? { graphBaseUrl: current.graphBaseUrl } : {}),
    certificate: { x5tS256: prints.x5tS256, sha1Hex: prints.sha1Hex, subject: prints.subject, notAfter: prints.notAfter, publicPem: pair.certificatePem },
  };
  return save(deps, actor, tenantId, settings, { ...secretsOf(deps, row), privateKeyPem: pair.privateKeyPem }, action, request);
}

/** The public certificate, for download and upload to the app registration. */
export async function teamsCertificatePem(deps: AppDeps, actor: Actor, tenantId: string): Promise<string> {
  await loadTenant(deps.db, actor, tenantId);
  const settings = (await loadRow(deps, tenantId))?.settings as TeamsSettings | undefined;
  if (!settings?.certificate) throw new NotFoundError('Certificate');
  return settings.certificate.publicPem;
}

export async function testTeamsConnection(deps: AppDeps, actor: Actor, tenantId: string, request: RequestInfo): Promise<ConnectionCheck> {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  forgetClient(tenantId);
  const api = await teamsApiFor(deps, tenant);
  const result = await api.testConnection();
  await deps.db.transaction(async (tx) => {
    await tx.update(tenantConnections).set({ lastTestAt: deps.now(), lastTestOk: result.ok, lastTestResult: result }).where(and(eq(tenantConnections.tenantId, tenantId), eq(tenantConnections.system, 'teams')));
    await recordAudit(tx, { action: 'teams_connection.tested', actor, tenantId, targetType: 'teams_connection', targetId: tenantId, after: { ok: result.ok, missingPermissions: result.missingPermissions }, result: result.ok ? 'success' : 'failure', request });
  });
  return result;
}

// One client per tenant, so its token cache and throttle gate are shared by every request and job.
const clients = new Map<string, { api: TeamsApi; updatedAt: number }>();

function forgetClient(tenantId: string): void {
  clients.delete(tenantId);
}

/** The Teams API of a tenant, refusing clearly when Teams is switched off or not set up. */
export async function teamsApiFor(deps: AppDeps, tenant: TenantRow): Promise<TeamsApi> {
  const features = await tenantFeatures(deps, tenant);
  if (!features.teams) throw new ConflictError(`Teams is switched off for ${tenant.name}. An admin can switch it on in the tenant's settings.`, 'teams_disabled');
  const row = await loadRow(deps, tenant.id);
  const cached = clients.get(tenant.id);
  if (cached && row && cached.updatedAt === row.updatedAt.getTime()) return cached.api;
  const settings = row?.settings as TeamsSettings | undefined;
  const secrets = secretsOf(deps, row);
  if (!row || !settings?.clientId) throw new ConflictError(`The Teams connection of ${tenant.name} is not set up yet: add the app registration under the tenant's Connections.`, 'teams_not_configured');
  const tenantRef = tenant.microsoftTenantId ?? tenant.primaryDomain;
  if (!tenantRef) throw new ConflictError(`${tenant.name} has no Microsoft tenant id or domain; add one to the tenant first.`, 'teams_not_configured');
  let credentials: TeamsCredentials;
  if (settings.authMethod === 'secret' && secrets.clientSecret) credentials = { kind: 'secret', clientId: settings.clientId, clientSecret: secrets.clientSecret };
  else if (settings.authMethod === 'certificate' && secrets.privateKeyPem && settings.certificate) credentials = { kind: 'certificate', clientId: settings.clientId, certificatePem: settings.certificate.publicPem, privateKeyPem: secrets.privateKeyPem };
  else throw new ConflictError(`The Teams connection of ${tenant.name} has no ${settings.authMethod === 'secret' ? 'client secret' : 'certificate'} yet.`, 'teams_not_configured');
  const api = new TeamsApi({ tenant: tenantRef, credentials, endpoints: endpointsOf(settings), log: deps.log.child({ tenantId: tenant.id, connector: 'teams' }), retry: retryPolicyWithTimeout(deps.config.connectorTimeoutMs) });
  clients.set(tenant.id, { api, updatedAt: row.updatedAt.getTime() });
  return api;
}

/** Certificate credentials of a tenant, for the PowerShell bridge (which signs in with the certificate only). */
export async function teamsCertificateCredentials(deps: AppDeps, tenant: TenantRow): Promise<{ tenant: string; appId: string; certificatePem: string; privateKeyPem: string }> {
  const row = await loadRow(deps, tenant.id);
  const settings = row?.settings as TeamsSettings | undefined;
  const secrets = secretsOf(deps, row);
  if (!settings?.clientId || settings.authMethod !== 'certificate' || !settings.certificate || !secrets.privateKeyPem) {
    throw new ConflictError('The PowerShell bridge signs in with the Teams certificate: set up certificate authentication for this tenant first.', 'teams_not_configured');
  }
  return { tenant: tenant.microsoftTenantId ?? tenant.primaryDomain ?? '', appId: settings.clientId, certificatePem: settings.certificate.publicPem, privateKeyPem: secrets.privateKeyPem };
}
