/**
 * How an admin names a Microsoft tenant: by its tenant id (a GUID) or by one of its verified
 * domains. Input that looks like an attempt at a GUID (hex and dashes only) but is not one is
 * refused as a malformed GUID rather than read as a domain, so a typo in an id is named as such.
 */
export type MicrosoftTenantRef = { kind: 'id'; tenantId: string } | { kind: 'domain'; domain: string };
export type MicrosoftTenantRefProblem = { problem: 'malformed_guid' | 'not_a_domain'; message: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GUID_LIKE = /^[0-9a-f{}-]+$/i;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function readMicrosoftTenantRef(input: string): MicrosoftTenantRef | MicrosoftTenantRefProblem {
  const value = input.trim().toLowerCase();
  const unbraced = value.replace(/^\{(.*)\}$/, '$1');
  if (GUID.test(unbraced)) return { kind: 'id', tenantId: unbraced };
  if (GUID_LIKE.test(value) && value.includes('-')) {
    return { problem: 'malformed_guid', message: `"${input.trim()}" is not a valid tenant id: a tenant id is a GUID of 32 hexadecimal digits in groups of 8-4-4-4-12, like 72f988bf-86f1-41af-91ab-2d7cd011db47.` };
  }
  if (DOMAIN.test(value)) return { kind: 'domain', domain: value };
  return { problem: 'not_a_domain', message: `"${input.trim().slice(0, 100)}" is neither a tenant id (a GUID) nor a domain name such as contoso.com or contoso.onmicrosoft.com.` };
}

export function isGuid(value: string): boolean {
  return GUID.test(value);
}
