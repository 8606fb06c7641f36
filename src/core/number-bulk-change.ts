/**
 * Inventory bulk work, the rules without I/O: what one bulk change does to one number, or why
 * that number refuses it. Status moves ask the lifecycle's `transition`, so a bulk change obeys
 * exactly the rules a single move does.
 */
import { transition, type LifecycleAction } from './number-lifecycle.ts';
import type { NumberKind, NumberStatus } from './number-vocabulary.ts';

/** The lifecycle moves a bulk change may make: the simple ones (no assignee, no reservation to describe). */
export const bulkStatusActions = ['cancel_reservation', 'release', 'block', 'unblock', 'retire', 'restore'] as const satisfies readonly LifecycleAction[];
export type BulkStatusAction = (typeof bulkStatusActions)[number];

export type BulkChange = {
  status?: BulkStatusAction | undefined;
  kind?: NumberKind | undefined;
  carrier?: string | undefined;
  /** A site id, or null to take the numbers off their site. */
  siteId?: string | null | undefined;
  addTags?: string[] | undefined;
  removeTags?: string[] | undefined;
  /** Replaces the notes. */
  notes?: string | undefined;
};

/** The fields of a number a bulk change reads and writes. */
export type BulkRowFields = {
  e164: string;
  status: NumberStatus;
  kind: NumberKind;
  carrier: string;
  siteId: string | null;
  tags: string[];
  notes: string;
  assigneeType: 'teams_user' | 'threecx_extension' | null;
  assigneeId: string | null;
  assigneeUpn: string | null;
  assigneeName: string | null;
  reservedBy: string | null;
  reservedUntil: Date | null;
  reservationReason: string | null;
  reservationTicket: string | null;
  coolingUntil: Date | null;
};

export type BulkRowOutcome<R extends BulkRowFields> = { ok: false; reason: string } | { ok: true; changed: false } | { ok: true; changed: true; next: R; statusChanged: boolean };

export function isEmptyChange(change: BulkChange): boolean {
  return Object.values(change).every((v) => v === undefined || (Array.isArray(v) && v.length === 0));
}

/** What `change` makes of `row`: the next row, "no change", or the reason this number refuses it. */
export function applyBulkChange<R extends BulkRowFields>(row: R, change: BulkChange, context: { coolingDays: number; now: Date }): BulkRowOutcome<R> {
  let next: R = { ...row };
  let statusChanged = false;
  if (change.status) {
    const result = transition(row.status, change.status, { coolingDays: context.coolingDays });
    if (!result.ok) return { ok: false, reason: result.reason };
    const cleared = { reservedBy: null, reservedUntil: null, reservationReason: null, reservationTicket: null, coolingUntil: null };
    next = { ...next, ...cleared, status: result.to };
    if (change.status === 'release') {
      next = {
        ...next,
        assigneeType: null,
        assigneeId: null,
        assigneeUpn: null,
        assigneeName: null,
        coolingUntil: result.to === 'cooling' ? new Date(context.now.getTime() + context.coolingDays * 86_400_000) : null,
      };
    }
    statusChanged = true;
  }
  if (change.kind !== undefined) next.kind = change.kind;
  if (change.carrier !== undefined) next.carrier = change.carrier.trim();
  if (change.siteId !== undefined) next.siteId = change.siteId;
  if (change.notes !== undefined) next.notes = change.notes;
  if (change.addTags?.length || change.removeTags?.length) {
    const remove = new Set((change.removeTags ?? []).map((t) => t.trim()));
    const tags = [...row.tags, ...(change.addTags ?? []).map((t) => t.trim())].filter((t) => t && !remove.has(t));
    next.tags = [...new Set(tags)];
  }
  const changed =
    statusChanged ||
    next.kind !== row.kind ||
    next.carrier !== row.carrier ||
    next.siteId !== row.siteId ||
    next.notes !== row.notes ||
    next.tags.length !== row.tags.length ||
    next.tags.some((t, i) => t !== row.tags[i]);
  return changed ? { ok: true, changed: true, next, statusChanged } : { ok: true, changed: false };
}

/** Why a number may not be deleted, or null when it may: an assigned number is still in use somewhere. */
export function deleteRefusal(row: Pick<BulkRowFields, 'e164' | 'status' | 'assigneeId' | 'assigneeUpn'>): string | null {
  if (row.status === 'assigned' || row.assigneeId) {
    return `${row.e164} is assigned${row.assigneeUpn || row.assigneeId ? ` to ${row.assigneeUpn ?? row.assigneeId}` : ''}; release it before deleting it.`;
  }
  return null;
}
