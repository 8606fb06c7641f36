import type { AuditAction } from '../../core/audit-actions.ts';
import { generateAppCertificate, readUploadedCertificate } from '../../connectors/shared/app-certificates.ts';
import { certificateThumbprints, microsoftCloud, type TeamsCredentials, type TeamsEndpoints } from '../../connectors/teams/credentials.ts';
import { TeamsApi, type ConnectionCheck } from '../../connectors/teams/teams-api.ts';
import { retryPolicyWithTimeout } from '../../connectors/shared/resilient-fetch.ts';
import { inBackgroundJob } from '../../connectors/shared/background.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { keepStoredSecrets, TenantConnections, type StoredConnection } from '../tenants/connections.ts';
import { loadActiveTenant, loadTenant, tenantFeatures, type TenantRow } from '../tenants/tenants.ts';

export type TeamsSettings = {
  clientId: string;
  authMethod: 'certificate' | 'secret';
  /** global: Microsoft's public cloud; custom: other endpoints (national clouds, or the built-in simulators for the demo). */
  cloud: 'global' | 'custom';
  loginBaseUrl?: string;
  graphBaseUrl?: string;
  certificate?: { x5tS256: string; sha1Hex: string; subject: string; notAfter: string; publicPem: string };
  /** When the client secret expires (YYYY-MM-DD), as the admin read it in Entra ID; the app cannot read it without more permissions. */
  clientSecretExpiresOn?: string;
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
  clientSecretExpiresOn: string | null;
  certificate: { thumbprint: string; subject: string; notAfter: string; privateKeySet: boolean } | null;
  lastTest: { at: string; ok: boolean; result: unknown } | null;
};

const teamsConnections = new TenantConnections<TeamsSettings, TeamsSecrets, { api: TeamsApi; jobApi: TeamsApi }>({
  system: 'teams',
  secretFlags: { clientSecret: 'clientSecretSet', privateKeyPem: 'privateKeySet' },
  // The certificate is named by its thumbprint; its public PEM is long and says nothing more.
  auditedSettings: (s) => ({ ...s, certificate: s.certificate ? { thumbprint: s.certificate.sha1Hex, notAfter: s.certificate.notAfter } : null }),
});
type TeamsConnection = StoredConnection<TeamsSettings, TeamsSecrets>;

function endpointsOf(settings: TeamsSettings): TeamsEndpoints {
  return settings.cloud === 'custom' && settings.loginBaseUrl && settings.graphBaseUrl ? { loginBaseUrl: settings.loginBaseUrl, graphBaseUrl: settings.graphBaseUrl } : microsoftCloud;
}

function view(connection: TeamsConnection | undefined): TeamsConnectionView {
  const settings = connection?.settings;
  const secrets = connection?.secrets ?? {};
  const endpoints = settings ? endpointsOf(settings) : microsoftCloud;
  return {
    configured: Boolean(settings?.clientId && (settings.authMethod === 'secret' ? secrets.clientSecret : secrets.privateKeyPem && settings.certificate)),
    clientId: settings?.clientId ?? null,
    authMethod: settings?.authMethod ?? null,
    cloud: settings?.cloud ?? 'global',
    ...endpoints,
    clientSecretSet: Boolean(secrets.clientSecret),
    clientSecretExpiresOn: secrets.clientSecret ? (settings?.clientSecretExpiresOn ?? null) : null,
    certificate: settings?.certificate ? { thumbprint: settings.certificate.sha1Hex, subject: settings.certificate.subject, notAfter: settings.certificate.notAfter, privateKeySet: Boolean(secrets.privateKeyPem) } : null,
    lastTest: connection?.lastTest ?? null,
  };
}

export async function getTeamsConnection(deps: AppDeps, actor: Actor, tenantId: string): Promise<TeamsConnectionView> {
  await loadTenant(deps.db, actor, tenantId);
  return view(await teamsConnections.load(deps, tenantId));
}

export type TeamsConnectionInput = {
  clientId: string;
  authMethod: 'certificate' | 'secret';
  clientSecret?: string | undefined;
  clientSecretExpiresOn?: string | null | undefined;
  cloud?: 'global' | 'custom' | undefined;
  loginBaseUrl?: string | undefined;
  graphBaseUrl?: string | undefined;
};

/** Deletes the connection with its secrets (audited); the tenant's Teams work then answers "not set up" until it is added again. */
export async function deleteTeamsConnection(deps: AppDeps, actor: Actor, tenantId: string, request: RequestInfo): Promise<TeamsConnectionView> {
  await loadTenant(deps.db, actor, tenantId);
  if (!(await teamsConnections.remove(deps, actor, tenantId, { action: 'teams_connection.deleted', request }))) throw new NotFoundError('The Teams connection');
  return view(undefined);
}

/** Saves the app registration; a secret left out keeps the stored one (secrets are write-only). */
export async function saveTeamsConnection(deps: AppDeps, actor: Actor, tenantId: string, input: TeamsConnectionInput, request: RequestInfo): Promise<TeamsConnectionView> {
  await loadActiveTenant(deps.db, actor, tenantId);
  const stored = await teamsConnections.load(deps, tenantId);
  const current = stored?.settings;
  const secrets = keepStoredSecrets(stored?.secrets, { clientSecret: input.clientSecret });
  const cloud = input.cloud ?? current?.cloud ?? 'global';
  if (cloud === 'custom' && (!input.loginBaseUrl || !input.graphBaseUrl)) {
    throw new ValidationError('A custom cloud needs both the sign-in and the Graph URL.', [{ field: 'loginBaseUrl', message: 'Required for a custom cloud' }]);
  }
  if (input.authMethod === 'secret' && !secrets.clientSecret) throw new ValidationError('Enter the client secret of the app registration.', [{ field: 'clientSecret', message: 'Required for secret authentication' }]);
  const settings: TeamsSettings = {
    clientId: input.clientId,
    authMethod: input.authMethod,
    cloud,
    ...(cloud === 'custom' ? { loginBaseUrl: input.loginBaseUrl!, graphBaseUrl: input.graphBaseUrl! } : {}),
    ...(current?.certificate ? { certificate: current.certificate } : {}),
    ...secretExpiry(input, current),
  };
  return view(await teamsConnections.save(deps, actor, tenantId, { settings, secrets }, { action: 'teams_connection.saved', request }));
}

/** The secret's expiry: as entered; null clears it; left out, kept — unless a new secret was entered, whose expiry is not the old one's. */
function secretExpiry(input: TeamsConnectionInput, current: TeamsSettings | undefined): { clientSecretExpiresOn?: string } {
  if (input.clientSecretExpiresOn) return { clientSecretExpiresOn: input.clientSecretExpiresOn };
  if (input.clientSecretExpiresOn === null || input.clientSecret) return {};
  return current?.clientSecretExpiresOn ? { clientSecretExpiresOn: current.clientSecretExpiresOn } : {};
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
  const stored = await teamsConnections.load(deps, tenantId);
  const current = stored?.settings;
  const prints = certificateThumbprints(pair.certificatePem);
  const settings: TeamsSettings = {
    clientId: current?.clientId ?? '',
    authMethod: 'certificate',
    cloud: current?.cloud ?? 'global',
    ...(current?.loginBaseUrl ? { loginBaseUrl: current.loginBaseUrl } : {}),
    ...(current?.graphBaseUrl ? { graphBaseUrl: current.graphBaseUrl } : {}),
    certificate: { x5tS256: prints.x5tS256, sha1Hex: prints.sha1Hex, subject: prints.subject, notAfter: prints.notAfter, publicPem: pair.certificatePem },
    ...(current?.clientSecretExpiresOn ? { clientSecretExpiresOn: current.clientSecretExpiresOn } : {}),
  };
  const secrets = keepStoredSecrets(stored?.secrets, { privateKeyPem: pair.privateKeyPem });
  return view(await teamsConnections.save(deps, actor, tenantId, { settings, secrets }, { action, request }));
}

/** The public certificate, for download and upload to the app registration. */
export async function teamsCertificatePem(deps: AppDeps, actor: Actor, tenantId: string): Promise<string> {
  await loadTenant(deps.db, actor, tenantId);
  const settings = (await teamsConnections.load(deps, tenantId))?.settings;
  if (!settings?.certificate) throw new NotFoundError('Certificate');
  return settings.certificate.publicPem;
}

export async function testTeamsConnection(deps: AppDeps, actor: Actor, tenantId: string, request: RequestInfo): Promise<ConnectionCheck> {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  // A test signs in afresh rather than on a cached token.
  teamsConnections.forgetClient(deps, tenantId);
  const api = await teamsApiFor(deps, tenant);
  const result = await api.testConnection();
  await teamsConnections.recordTest(deps, actor, tenantId, result, { action: 'teams_connection.tested', after: { ok: result.ok, missingPermissions: result.missingPermissions }, request });
  return result;
}

/** The Teams API of a tenant, refusing clearly when Teams is switched off or not set up. */
export async function teamsApiFor(deps: AppDeps, tenant: TenantRow): Promise<TeamsApi> {
  const features = await tenantFeatures(deps, tenant);
  if (!features.teams) throw new ConflictError(`Teams is switched off for ${tenant.name}. An admin can switch it on in the tenant's settings.`, 'teams_disabled');
  const connection = await teamsConnections.load(deps, tenant.id);
  // One client per tenant, so its token cache and throttle gate are shared by every request and job.
  // Jobs get its background twin (same token and gate), which waits out Graph's whole Retry-After.
  const cached = connection && teamsConnections.cachedClient(deps, connection);
  if (cached) return inBackgroundJob() ? cached.jobApi : cached.api;
  const settings = connection?.settings;
  const secrets = connection?.secrets ?? {};
  if (!connection || !settings?.clientId) throw new ConflictError(`The Teams connection of ${tenant.name} is not set up yet: add the app registration under the tenant's Connections.`, 'teams_not_configured');
  const tenantRef = tenant.microsoftTenantId ?? tenant.primaryDomain;
  if (!tenantRef) throw new ConflictError(`${tenant.name} has no Microsoft tenant id or domain; add one to the tenant first.`, 'teams_not_configured');
  let credentials: TeamsCredentials;
  if (settings.authMethod === 'secret' && secrets.clientSecret) credentials = { kind: 'secret', clientId: settings.clientId, clientSecret: secrets.clientSecret };
  else if (settings.authMethod === 'certificate' && secrets.privateKeyPem && settings.certificate) credentials = { kind: 'certificate', clientId: settings.clientId, certificatePem: settings.certificate.publicPem, privateKeyPem: secrets.privateKeyPem };
  else throw new ConflictError(`The Teams connection of ${tenant.name} has no ${settings.authMethod === 'secret' ? 'client secret' : 'certificate'} yet.`, 'teams_not_configured');
  const api = new TeamsApi({ tenant: tenantRef, credentials, endpoints: endpointsOf(settings), log: deps.log.child({ tenantId: tenant.id, connector: 'teams' }), retry: retryPolicyWithTimeout(deps.config.connectorTimeoutMs) });
  const pair = teamsConnections.keepClient(deps, connection, { api, jobApi: api.forJobs() });
  return inBackgroundJob() ? pair.jobApi : pair.api;
}

/** Certificate credentials of a tenant, for the PowerShell bridge (which signs in with the certificate only). */
export async function teamsCertificateCredentials(deps: AppDeps, tenant: TenantRow): Promise<{ tenant: string; appId: string; certificatePem: string; privateKeyPem: string }> {
  const connection = await teamsConnections.load(deps, tenant.id);
  const settings = connection?.settings;
  const secrets = connection?.secrets ?? {};
  if (!settings?.clientId || settings.authMethod !== 'certificate' || !settings.certificate || !secrets.privateKeyPem) {
    throw new ConflictError('The PowerShell bridge signs in with the Teams certificate: set up certificate authentication for this tenant first.', 'teams_not_configured');
  }
  return { tenant: tenant.microsoftTenantId ?? tenant.primaryDomain ?? '', appId: settings.clientId, certificatePem: settings.certificate.publicPem, privateKeyPem: secrets.privateKeyPem };
}
