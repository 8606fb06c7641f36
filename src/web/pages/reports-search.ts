/** The reports page's address: the tenant the reports are limited to, if any. */
export type ReportsSearch = { tenantId?: string };

export function validateReportsSearch(raw: Record<string, unknown>): ReportsSearch {
  return typeof raw.tenantId === 'string' && raw.tenantId ? { tenantId: raw.tenantId } : {};
}
