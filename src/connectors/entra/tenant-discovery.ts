import { describeNetworkError, NetworkError, resilientFetch, type RetryPolicy } from '../shared/resilient-fetch.ts';

/**
 * Maps a tenant id or verified domain to the tenant id, from the tenant's OpenID configuration
 * document, `{login}/{tenant}/v2.0/.well-known/openid-configuration` (Microsoft identity
 * platform, "OpenID Connect on the Microsoft identity platform": the `{tenant}` of the
 * authority may be the tenant id or a domain name; the document's `issuer` is
 * `{login}/{tenant id}/v2.0`). An unknown tenant is answered 400 with AADSTS90002
 * ("Tenant '…' not found"); the exact body is not documented, so any 400 or 404 counts as
 * unknown.
 */

export type DiscoveredTenant = {
  tenantId: string;
  issuer: string;
  tokenEndpoint: string;
  /** `tenant_region_scope` when Microsoft gives it (e.g. EU, NA), for the admin to recognise the tenant. */
  regionScope: string | null;
};

export class TenantDiscoveryError extends Error {
  readonly reason: 'not_found' | 'unavailable' | 'unexpected_answer';
  constructor(reason: TenantDiscoveryError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

export async function discoverMicrosoftTenant(loginBaseUrl: string, tenant: string, policy?: RetryPolicy): Promise<DiscoveredTenant> {
  const login = loginBaseUrl.replace(/\/+$/, '');
  const url = `${login}/${encodeURIComponent(tenant)}/v2.0/.well-known/openid-configuration`;
  let answer;
  try {
    answer = await resilientFetch(url, { method: 'GET', headers: { accept: 'application/json' } }, policy ? { policy } : {});
  } catch (error) {
    throw new TenantDiscoveryError('unavailable', `Microsoft sign-in (${new URL(url).host}) could not be reached: ${error instanceof NetworkError ? error.message : describeNetworkError(error)}.`);
  }
  if (answer.status === 400 || answer.status === 404) throw new TenantDiscoveryError('not_found', `Microsoft knows no tenant "${tenant}". Check the spelling; use a verified domain of the tenant (such as contoso.onmicrosoft.com) or its tenant id.`);
  let doc: { issuer?: unknown; token_endpoint?: unknown; tenant_region_scope?: unknown } | undefined;
  try {
    doc = JSON.parse(answer.text) as typeof doc;
  } catch {
    doc = undefined;
  }
  const issuerPattern = new RegExp(`^${login.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/([0-9a-f-]{36})/v2\\.0/?$`, 'i');
  const tenantId = typeof doc?.issuer === 'string' ? issuerPattern.exec(doc.issuer)?.[1]?.toLowerCase() : undefined;
  if (answer.status !== 200 || !tenantId || typeof doc?.token_endpoint !== 'string') {
    throw new TenantDiscoveryError('unexpected_answer', `Microsoft sign-in answered ${answer.status} without naming the tenant id of "${tenant}" (no issuer of the form ${login}/<tenant id>/v2.0). Enter the tenant id instead.`);
  }
  return { tenantId, issuer: doc.issuer as string, tokenEndpoint: doc.token_endpoint, regionScope: typeof doc.tenant_region_scope === 'string' ? doc.tenant_region_scope : null };
}
