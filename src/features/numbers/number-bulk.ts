/**
 * Inventory bulk work: one audited action over many numbers — chosen rows, or every number that
 * matches the inventory's filter across all pages — to change status, kind, carrier, site, tags
 * or notes, or to delete them. `preview` says what would change (counts, a sample before and
 * after, and each number that refuses, with why); `apply` does it in one transaction, in chunks,
 * and only when no number refuses: nothing partial.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { applyBulkChange, deleteRefusal, isEmptyChange, type BulkChange } from '../../core/number-bulk-change.ts';
import type { Db } from '../../db/connection.ts';
import { phoneNumbers, sites } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { deleteNumberRows, lockNumbers, writeBulkChanges, type BulkWrite } from './number-store.ts';
import type { NumberRow } from './number-view.ts';
import { filterConditions, type NumberFilter } from './numbers-query.ts';
import { loadActiveTenant, tenantFeatures } from '../tenants/tenants.ts';

export type BulkSelection = { ids: string[] } | { filter: NumberFilter };
export type BulkOperation = { type: 'update'; change: BulkChange } | { type: 'delete' };
export type BulkRequest = { mode: 'preview' | 'apply'; selection: BulkSelection; operation: BulkOperation; ticketId?: string | null | undefined };

type SampleFields = Pick<NumberRow, 'status' | 'kind' | 'carrier' | 'siteId' | 'tags' | 'notes'>;
export type BulkReport = {
  mode: 'preview' | 'apply';
  selected: number;
  changing: number;
  unchanged: number;
  refusedCount: number;
  refused: Array<{ numberId: string; e164: string | null; reason: string }>;
  sample: Array<{ numberId: string; e164: string; before: SampleFields; after: SampleFields | null }>;
  applied: number;
};

const CHUNK = 2_000;
const MAX_REFUSALS_LISTED = 200;
const SAMPLE_SIZE = 10;

const sampleFields = (r: NumberRow): SampleFields => ({ status: r.status, kind: r.kind, carrier: r.carrier, siteId: r.siteId, tags: r.tags, notes: r.notes });

/** Preview or apply a bulk action. An apply that any number refuses changes nothing and answers 409 with every reason listed. */
export async function runBulkAction(deps: AppDeps, actor: Actor, tenantId: string, request: BulkRequest, info: RequestInfo): Promise<BulkReport> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  if (request.operation.type === 'update') await checkChange(deps.db, tenantId, request.operation.change);
  const coolingDays = (await tenantFeatures(deps, tenant)).coolingDays;
  const describe = { selection: 'ids' in request.selection ? { ids: request.selection.ids.length } : { filter: request.selection.filter }, operation: request.operation };
  const run = async (tx: Db): Promise<BulkReport> => {
    const report: BulkReport = { mode: request.mode, selected: 0, changing: 0, unchanged: 0, refusedCount: 0, refused: [], sample: [], applied: 0 };
    const refuse = (numberId: string, e164: string | null, reason: string) => {
      report.refusedCount += 1;
      if (report.refused.length < MAX_REFUSALS_LISTED) report.refused.push({ numberId, e164, reason });
    };
    const ids = await selectedIds(tx, tenantId, request.selection);
    const now = deps.now();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunkIds = ids.slice(i, i + CHUNK);
      const rows = request.mode === 'apply' ? await lockNumbers(tx, tenantId, chunkIds) : await readNumbers(tx, tenantId, chunkIds);
      if ('ids' in request.selection) {
        const found = new Set(rows.map((r) => r.id));
        for (const id of chunkIds) if (!found.has(id)) refuse(id, null, 'This number is not in the tenant’s inventory (deleted, or never there).');
      }
      report.selected += rows.length;
      const writes: BulkWrite[] = [];
      const deletions: NumberRow[] = [];
      for (const row of rows) {
        if (request.operation.type === 'delete') {
          const reason = deleteRefusal(row);
          if (reason) refuse(row.id, row.e164, reason);
          else {
            report.changing += 1;
            deletions.push(row);
            if (report.sample.length < SAMPLE_SIZE) report.sample.push({ numberId: row.id, e164: row.e164, before: sampleFields(row), after: null });
          }
          continue;
        }
        const outcome = applyBulkChange(row, request.operation.change, { coolingDays, now });
        if (!outcome.ok) refuse(row.id, row.e164, `${row.e164}: ${outcome.reason}`);
        else if (!outcome.changed) report.unchanged += 1;
        else {
          report.changing += 1;
          const action = outcome.statusChanged ? `number.${request.operation.change.status!}` : 'number.updated';
          writes.push({ before: row, after: outcome.next, action });
          if (report.sample.length < SAMPLE_SIZE) report.sample.push({ numberId: row.id, e164: row.e164, before: sampleFields(row), after: sampleFields(outcome.next) });
        }
      }
      // Once any number refuses, the apply will be rolled back: stop writing, keep counting for the report.
      if (request.mode === 'apply' && report.refusedCount === 0) {
        report.applied += request.operation.type === 'delete' ? await deleteNumberRows(tx, tenantId, deletions, actor, info, { via: 'bulk' }) : await writeBulkChanges(tx, tenantId, writes, actor, info, now);
      }
    }
    if (request.mode === 'apply') {
      if (report.refusedCount > 0) throw new BulkRefusedError(report);
      if (report.applied > 0) {
        await recordAudit(tx, {
          action: request.operation.type === 'delete' ? 'numbers.deleted' : 'numbers.bulk_changed',
          actor,
          tenantId,
          targetType: 'tenant',
          targetId: tenantId,
          after: { ...describe, selected: report.selected, applied: report.applied, unchanged: report.unchanged },
          ticketId: request.ticketId ?? null,
          request: info,
        });
      }
    }
    return report;
  };
  if (request.mode === 'preview') return run(deps.db);
  try {
    return await deps.db.transaction(run);
  } catch (error) {
    if (error instanceof BulkRefusedError) {
      // Nothing changed, but the attempt belongs on the record.
      await recordAudit(deps.db, {
        action: request.operation.type === 'delete' ? 'numbers.deleted' : 'numbers.bulk_changed',
        result: 'failure',
        error: error.message,
        actor,
        tenantId,
        targetType: 'tenant',
        targetId: tenantId,
        after: { ...describe, selected: error.report.selected, refused: error.report.refusedCount },
        ticketId: request.ticketId ?? null,
        request: info,
      });
    }
    throw error;
  }
}

/** Deletes one number; refused while it is assigned. Its history stays in the audit log. */
export async function deleteNumber(deps: AppDeps, actor: Actor, tenantId: string, numberId: string, info: RequestInfo): Promise<void> {
  try {
    await runBulkAction(deps, actor, tenantId, { mode: 'apply', selection: { ids: [numberId] }, operation: { type: 'delete' } }, info);
  } catch (error) {
    if (!(error instanceof BulkRefusedError)) throw error;
    const refusal = error.report.refused[0];
    if (refusal && refusal.e164 === null) throw new NotFoundError('Number');
    throw new ConflictError(refusal?.reason ?? error.message, 'number_assigned');
  }
}

/** 409 with the report: every number that refused, with its reason (details.refused). */
export class BulkRefusedError extends AppError {
  readonly report: BulkReport;
  constructor(report: BulkReport) {
    super(
      409,
      'bulk_refused',
      `Nothing was changed: ${report.refusedCount} of the selected number${report.refusedCount === 1 ? '' : 's'} cannot take this change. ${report.refused[0]?.reason ?? ''}`.trim(),
      { refusedCount: report.refusedCount, refused: report.refused },
    );
    this.report = report;
  }
}

async function checkChange(db: Db, tenantId: string, change: BulkChange): Promise<void> {
  if (isEmptyChange(change)) throw new ValidationError('Say what to change: status, kind, carrier, site, tags or notes.', [{ field: 'operation.change', message: 'Nothing to change' }]);
  if (change.siteId) {
    const [site] = await db.select({ id: sites.id }).from(sites).where(and(eq(sites.id, change.siteId), eq(sites.tenantId, tenantId)));
    if (!site) throw new ValidationError('That site does not exist in this tenant.', [{ field: 'operation.change.siteId', message: 'Unknown site' }]);
  }
  const both = (change.addTags ?? []).filter((t) => (change.removeTags ?? []).includes(t));
  if (both.length) throw new ValidationError(`A tag cannot be both added and removed (${both.join(', ')}).`, [{ field: 'operation.change.addTags', message: 'Also in removeTags' }]);
}

/** The selection's number ids, in E.164 order; a filter is the inventory list's own (numbers-query.ts). */
async function selectedIds(db: Db, tenantId: string, selection: BulkSelection): Promise<string[]> {
  if ('ids' in selection) return [...new Set(selection.ids)];
  const rows = await db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(filterConditions(tenantId, selection.filter)).orderBy(asc(phoneNumbers.e164), asc(phoneNumbers.id));
  return rows.map((r) => r.id);
}

function readNumbers(db: Db, tenantId: string, ids: string[]): Promise<NumberRow[]> {
  return db.select().from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenantId), inArray(phoneNumbers.id, ids))).orderBy(asc(phoneNumbers.e164));
}
