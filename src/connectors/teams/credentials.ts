
/** How UCR Manager proves itself to a customer's Entra ID: a certificate (preferred) or a client secret. */
export type TeamsCredentials =
  | { kind: 'secret'; clientId: string; clientSecret: string }
  | { kind: 'certificate'; clientId: string; certificatePem: string; privateKeyPem: string };

/**
 * Where the tenant's Microsoft cloud lives. `graphScope` is the token audience: it stays
 * https://graph.microsoft.com/.default in the global cloud even when Graph is reached through
 * another address (a proxy, or the built-in simulators); national clouds have their own.
 */
export type TeamsEndpoints = { loginBaseUrl: string; graphBaseUrl: string; graphScope?: string | undefined };

export const microsoftCloud: TeamsEndpoints = { loginBaseUrl: 'https://login.microsoftonline.com', graphBaseUrl: 'https://graph.microsoft.com' };

// Shared with the operator sign-in app (connectors/shared/app-certificates.ts).
export { certificateThumbprints, clientAssertion } from '../shared/app-certificates.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when the tenant reference is already the tenant id (a GUID), not a domain. */
export const isTenantId = (tenant: string): boolean => GUID.test(tenant);

/** The claims of an access token, read without verification: only to report granted roles and expiry. */
export function readTokenClaims(accessToken: string): { roles?: string[]; exp?: number; tid?: string } {
  const part = accessToken.split('.')[1];
  if (!part) return {};
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { roles?: string[]; exp?: number; tid?: string };
  } catch {
    return {};
  }
}
