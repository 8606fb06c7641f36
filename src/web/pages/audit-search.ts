/** The audit page's address: filters a link can set (e.g. a user's voice changes, a ticket's work). */
export type AuditSearch = { action?: string; search?: string; targetId?: string; tenantId?: string; ticketId?: string };

const linkable = ['action', 'search', 'targetId', 'tenantId', 'ticketId'] as const;

export function validateAuditSearch(raw: Record<string, unknown>): AuditSearch {
  const out: AuditSearch = {};
  for (const key of linkable) {
    const value = raw[key];
    if (typeof value === 'string' && value) out[key] = value;
  }
  return out;
}
