/** The audit page's address: filters a link can set (e.g. a user's voice changes). */
export type AuditSearch = { action?: string; search?: string; targetId?: string; ticketId?: string };

export function validateAuditSearch(raw: Record<string, unknown>): AuditSearch {
  const out: AuditSearch = {};
  for (const key of ['action', 'search', 'targetId', 'ticketId'] as const) {
    const value = raw[key];
    if (typeof value === 'string' && value) out[key] = value;
    // A ticket number in the address may arrive parsed as a number.
    else if (key === 'ticketId' && typeof value === 'number' && Number.isInteger(value)) out[key] = String(value);
  }
  return out;
}
