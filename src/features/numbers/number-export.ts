import type { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { numberRanges, sites } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import { csvFileName, csvStream } from '../kernel/csv.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { cursorAfter, queryNumberRows, type NumberFilter, type NumberSort } from './numbers-query.ts';
import { loadTenant } from '../tenants/tenants.ts';

const columns = ['number', 'extension', 'kind', 'status', 'range', 'site', 'carrier', 'tags', 'notes', 'display_name', 'usage_location', 'country', 'shared_with_3cx', 'assignee', 'assignee_name', 'reserved_until', 'reservation_reason', 'cooling_until', 'updated_at'];
const BATCH = 5_000;

/**
 * The filtered view as CSV, streamed batch by batch (keyset paging), so 100,000 rows never sit
 * in memory at once. Every cell is made spreadsheet-safe. The columns match the import's, so an
 * export can be edited and imported into another tenant. (No national-format column: formatting
 * costs more than the rest of the export together, and spreadsheets can show E.164 as is.)
 * `country` (derived from the E.164) and `shared_with_3cx` (the 3CX extension that also uses a
 * Teams user's number) are facts for the reader; the import ignores them.
 */
export async function exportNumbersCsv(deps: AppDeps, actor: Actor, tenantId: string, filter: NumberFilter & { sort: NumberSort; dir: 'asc' | 'desc' }, request: RequestInfo): Promise<{ stream: Readable; fileName: string }> {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const rangeNames = new Map((await deps.db.select({ id: numberRanges.id, name: numberRanges.name }).from(numberRanges).where(eq(numberRanges.tenantId, tenantId))).map((r) => [r.id, r.name]));
  const siteNames = new Map((await deps.db.select({ id: sites.id, name: sites.name }).from(sites).where(eq(sites.tenantId, tenantId))).map((s) => [s.id, s.name]));
  await recordAudit(deps.db, { action: 'numbers.exported', actor, tenantId, targetType: 'tenant', targetId: tenantId, after: { filter }, request });

  async function* rows() {
    yield columns;
    let after: string | undefined;
    for (;;) {
      const batch = await queryNumberRows(deps.db, tenantId, { ...filter, limit: BATCH, ...(after ? { after } : {}) });
      const page = batch.slice(0, BATCH);
      for (const n of page) {
        yield [
          n.e164,
          n.extension,
          n.kind,
          n.status,
          n.rangeId ? (rangeNames.get(n.rangeId) ?? '') : '',
          n.siteId ? (siteNames.get(n.siteId) ?? '') : '',
          n.carrier,
          n.tags.join(';'),
          n.notes,
          n.displayName,
          n.usageLocation,
          n.country ?? '',
          n.linkedExtension ?? '',
          n.assigneeUpn ?? n.assigneeId ?? '',
          n.assigneeName ?? '',
          n.reservedUntil?.toISOString() ?? '',
          n.reservationReason ?? '',
          n.coolingUntil?.toISOString() ?? '',
          n.updatedAt.toISOString(),
        ];
      }
      if (batch.length <= BATCH) return;
      const last = page[page.length - 1]!;
      after = cursorAfter(filter.sort, last);
    }
  }

  return { stream: csvStream(rows()), fileName: csvFileName('numbers', tenant.name, deps.now()) };
}
