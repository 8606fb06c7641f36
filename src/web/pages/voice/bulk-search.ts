/** The bulk page's address: the job on screen, so a reload or a shared link keeps it. */
export type BulkSearch = { job?: string };

export function validateBulkSearch(raw: Record<string, unknown>): BulkSearch {
  return typeof raw.job === 'string' && /^[0-9a-f-]{36}$/i.test(raw.job) ? { job: raw.job } : {};
}
