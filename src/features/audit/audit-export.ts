import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { and, desc, eq, lt } from 'drizzle-orm';
import { spreadsheetSafe } from '../../core/spreadsheet-safe.ts';
import { auditEvents, tenants } from '../../db/schema/index.ts';
import { auditConditions, type AuditFilter } from './audit-query.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';

export const auditExportColumns = [
  'id',
  'occurred_at',
  'actor',
  'operator_id',
  'tenant',
  'tenant_id',
  'action',
  'target_type',
  'target_id',
  'result',
  'error',
  'ticket_id',
  'request_id',
  'ip',
  'before',
  'after',
] as const;
const BATCH = 2_000;

/**
 * The filtered audit log as CSV, newest first, streamed in keyset batches so a long log never
 * sits in memory. It uses the list's own conditions, so an operator exports exactly what they
 * could page through, never another tenant's events. Every cell is spreadsheet-safe; before
 * and after are JSON text. The export itself is audited (audit.exported) before it starts.
 */
export async function exportAuditCsv(deps: AppDeps, actor: Actor, filter: AuditFilter, request: RequestInfo): Promise<{ stream: Readable; fileName: string }> {
  const conditions = auditConditions(actor, filter);
  await recordAudit(deps.db, { action: 'audit.exported', actor, targetType: 'audit', after: { filter: describeFilter(filter) }, request });

  async function* rows() {
    yield [...auditExportColumns];
    let before: number | undefined;
    for (;;) {
      const batch = await deps.db
        .select({ event: auditEvents, tenantName: tenants.name })
        .from(auditEvents)
        .leftJoin(tenants, eq(tenants.id, auditEvents.tenantId))
        .where(and(...conditions, ...(before ? [lt(auditEvents.id, before)] : [])))
        .orderBy(desc(auditEvents.id))
        .limit(BATCH);
      for (const { event: e, tenantName } of batch) {
        yield [
          String(e.id),
          e.occurredAt.toISOString(),
          e.actor,
          e.operatorId ?? '',
          tenantName ?? '',
          e.tenantId ?? '',
          e.action,
          e.targetType ?? '',
          e.targetId ?? '',
          e.result,
          e.error ?? '',
          e.ticketId ?? '',
          e.requestId ?? '',
          e.ip ?? '',
          e.before == null ? '' : JSON.stringify(e.before),
          e.after == null ? '' : JSON.stringify(e.after),
        ].map((cell) => spreadsheetSafe(cell));
      }
      if (batch.length < BATCH) return;
      before = batch[batch.length - 1]!.event.id;
    }
  }

  // BOM first so Excel reads UTF-8 names correctly.
  const csv = Readable.from(rows()).pipe(stringify({ bom: true }));
  return { stream: csv, fileName: `audit-${deps.now().toISOString().slice(0, 10)}.csv` };
}

/** The filter as plain JSON for the audit event (dates as ISO text, unset fields left out). */
function describeFilter(filter: AuditFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || value === '') continue;
    out[key] = value instanceof Date ? value.toISOString() : String(value);
  }
  return out;
}
