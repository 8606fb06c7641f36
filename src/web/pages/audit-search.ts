/** The audit page's address: filters a link can set (e.g. a user's voice changes). */
export type AuditSearch = { action?: string; search?: string; targetId?: string };

export function validateAuditSearch(raw: Record<string, unknown>): AuditSearch {
  const out: AuditSearch = {};
  for (const key of ['action', 'search', 'targetId'] as const) {
    const value = raw[key];
    if (typeof value === 'string' && value) out[key] = value;
  }
  return out;
}
