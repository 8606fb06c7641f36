import { discoverMicrosoftTenant, TenantDiscoveryError, type DiscoveredTenant } from '../../connectors/entra/tenant-discovery.ts';
import { retryPolicyWithTimeout } from '../../connectors/shared/resilient-fetch.ts';
import { readMicrosoftTenantRef } from '../../core/microsoft-tenant-ref.ts';
import { AppError, ValidationError } from '../../core/errors.ts';
import type { AppDeps } from '../kernel/deps.ts';

export const MICROSOFT_LOGIN = 'https://login.microsoftonline.com';

export type ResolvedMicrosoftTenant = { microsoftTenantId: string; domain: string | null; issuer: string; regionScope: string | null };

/**
 * The first step of adding a tenant: a tenant id or domain, checked with Microsoft and shown as
 * the tenant id it stands for. Reads only; nothing is stored. `loginBaseUrl` is for a national
 * cloud (or the built-in simulator), as on the Teams connection's custom cloud.
 */
export async function resolveMicrosoftTenant(deps: AppDeps, input: { tenant: string; loginBaseUrl?: string | undefined }): Promise<ResolvedMicrosoftTenant> {
  const ref = readMicrosoftTenantRef(input.tenant);
  if ('problem' in ref) throw new ValidationError(ref.message, [{ field: 'tenant', message: ref.problem === 'malformed_guid' ? 'Not a valid tenant id (GUID)' : 'Neither a tenant id nor a domain' }]);
  let found: DiscoveredTenant;
  try {
    found = await discoverMicrosoftTenant(input.loginBaseUrl ?? MICROSOFT_LOGIN, ref.kind === 'id' ? ref.tenantId : ref.domain, { ...retryPolicyWithTimeout(deps.config.connectorTimeoutMs), maxAttempts: 2 });
  } catch (error) {
    if (!(error instanceof TenantDiscoveryError)) throw error;
    if (error.reason === 'not_found') throw new AppError(404, 'microsoft_tenant_not_found', error.message);
    throw new AppError(502, error.reason === 'unavailable' ? 'microsoft_unreachable' : 'microsoft_unexpected_answer', error.message);
  }
  return { microsoftTenantId: found.tenantId, domain: ref.kind === 'domain' ? ref.domain : null, issuer: found.issuer, regionScope: found.regionScope };
}
