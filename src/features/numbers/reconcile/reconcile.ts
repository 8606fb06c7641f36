/**
 * The reconcile engine (C7), one for every external system: compares the inventory with what a
 * `NumberSource` (Teams, a 3CX PBX) has, both ways, and makes the inventory follow the system.
 * The guards are decided here once, so every system refuses the same things for the same reasons:
 * a number another tenant holds is never added here; a blocked or retired number is never marked
 * assigned (the lifecycle says so); an assignee gets one number; a fix the lifecycle refuses at
 * the moment it is applied is skipped with its reason instead of failing the batch.
 */
import { and, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors.ts';
import { transition } from '../../../core/number-lifecycle.ts';
import { phoneNumbers, reconcileChecks } from '../../../db/schema/index.ts';
import { recordAudit } from '../../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../../kernel/deps.ts';
import { loadActiveTenant, loadTenant } from '../../tenants/tenants.ts';
import { adoptNumber, changeNumberStatus, insertAdoptedNumbers } from '../number-store.ts';
import type { NumberRow } from '../number-view.ts';
import type { DriftFixResult, DriftItem, DriftKind, DriftReport } from '../schemas.ts';
import type { NumberSource, SystemNumber } from './number-source.ts';

const ANOTHER_TENANT = "Another tenant's inventory holds this number, so it is not added here. If it belongs to this tenant, remove it from the other tenant first.";

/** Finds where the inventory and the system disagree. The system is taken as the truth; each drift says what its fix does, or why there is none. */
export async function findDrift(deps: AppDeps, actor: Actor, tenantId: string, source: NumberSource): Promise<DriftReport> {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const systemNumbers = [...new Map((await source.listNumbers(deps, tenant)).map((n) => [n.e164, n])).values()];
  const systemE164s = systemNumbers.map((n) => n.e164);
  const inventory = await deps.db
    .select()
    .from(phoneNumbers)
    .where(
      and(
        eq(phoneNumbers.tenantId, tenantId),
        eq(phoneNumbers.extension, ''),
        or(inArray(phoneNumbers.kind, [...source.kinds]), eq(phoneNumbers.assigneeType, source.assigneeType), systemE164s.length ? inArray(phoneNumbers.e164, systemE164s) : undefined),
      ),
    );
  const byE164 = new Map(inventory.map((n) => [n.e164, n]));
  const absent = systemE164s.filter((e164) => !byE164.has(e164));
  const elsewhere = new Set(
    absent.length
      ? (await deps.db.select({ e164: phoneNumbers.e164 }).from(phoneNumbers).where(and(inArray(phoneNumbers.e164, absent), eq(phoneNumbers.extension, ''), ne(phoneNumbers.tenantId, tenantId)))).map((r) => r.e164)
      : [],
  );
  const kept = numberKeptPerAssignee(source, systemNumbers, byE164);

  const items: DriftItem[] = [];
  for (const s of systemNumbers) {
    const item = compare(source, s, byE164.get(s.e164), elsewhere.has(s.e164), kept);
    if (item) items.push(item);
  }
  const inSystem = new Set(systemE164s);
  for (const inv of inventory) {
    if (inSystem.has(inv.e164)) continue;
    if (isAssignedHere(source, inv)) {
      items.push(drift('unassigned_in_system', inv.e164, null, inv, source, { fix: `Release it (into cooling): ${source.name} does not have this number` }));
    } else if (source.retiresWhatItLacks && source.kinds.includes(inv.kind) && inv.status !== 'retired') {
      const retire = transition(inv.status, 'retire', { coolingDays: 0 });
      items.push(drift('missing_in_system', inv.e164, null, inv, source, retire.ok ? { fix: `Retire it: ${source.name} does not have this number` } : { reason: retire.reason }));
    }
  }
  items.sort((a, b) => a.e164.localeCompare(b.e164));
  const report: DriftReport = { system: source.system, items, systemNumbers: systemNumbers.length, inventoryNumbers: inventory.filter((n) => source.kinds.includes(n.kind)).length, checkedAt: deps.now().toISOString() };
  await recordCheck(deps, tenantId, report);
  return report;
}

/** Keeps the outcome of the latest comparison (the Overview's "drift found" line); a later one replaces it. */
async function recordCheck(deps: AppDeps, tenantId: string, report: DriftReport): Promise<void> {
  const byKind: Record<string, number> = {};
  for (const item of report.items) byKind[item.kind] = (byKind[item.kind] ?? 0) + 1;
  const row = {
    checkedAt: new Date(report.checkedAt),
    systemNumbers: report.systemNumbers,
    inventoryNumbers: report.inventoryNumbers,
    driftCount: report.items.length,
    fixableCount: report.items.filter((i) => i.fix !== null).length,
    byKind,
  };
  await deps.db
    .insert(reconcileChecks)
    .values({ tenantId, system: report.system, ...row })
    .onConflictDoUpdate({ target: [reconcileChecks.tenantId, reconcileChecks.system], set: row, setWhere: sql`${reconcileChecks.checkedAt} <= excluded.checked_at` });
}

/** The drift of one number the system has, if any. */
function compare(source: NumberSource, s: SystemNumber, inv: NumberRow | undefined, heldElsewhere: boolean, kept: Map<string, string>): DriftItem | null {
  const who = s.assignee ? source.describeAssignee(s.assignee) : null;
  // The inventory records one number per assignee: a second one the system gives them is shown, not recorded.
  const keptNumber = s.assignee ? kept.get(s.assignee.id) : undefined;
  const oneTooMany = keptNumber && keptNumber !== s.e164 ? `${sentence(source.name)} gives ${who} more than one number; the inventory records one number per assignee (${keptNumber}).` : null;
  if (!inv) {
    if (heldElsewhere) return drift('missing_in_inventory', s.e164, s, null, source, { reason: ANOTHER_TENANT });
    if (oneTooMany) return drift('missing_in_inventory', s.e164, s, null, source, { reason: oneTooMany });
    return drift('missing_in_inventory', s.e164, s, null, source, { fix: who ? `Add to the inventory as assigned to ${who}` : 'Add to the inventory as available' });
  }
  if (s.assignee && !(inv.status === 'assigned' && inv.assigneeType === source.assigneeType && inv.assigneeId === s.assignee.id)) {
    const kind: DriftKind = inv.status === 'assigned' ? 'different_assignee' : 'free_in_inventory';
    const adopt = transition(inv.status, 'adopt', { coolingDays: 0 });
    if (!adopt.ok) return drift(kind, s.e164, s, inv, source, { reason: `${sentence(source.name)} assigns it to ${who}, but the inventory keeps it out of use. ${adopt.reason}` });
    if (oneTooMany) return drift(kind, s.e164, s, inv, source, { reason: oneTooMany });
    return drift(kind, s.e164, s, inv, source, { fix: kind === 'different_assignee' ? `Change the assignee to ${who}` : `Mark as assigned to ${who}` });
  }
  if (!s.assignee && isAssignedHere(source, inv)) return drift('unassigned_in_system', s.e164, s, inv, source, { fix: `Release it (into cooling): ${source.name} does not assign it to anyone` });
  return null;
}

/** For each assignee the system gives several numbers: the one the inventory records (the one it already has, else the lowest). */
function numberKeptPerAssignee(source: NumberSource, systemNumbers: SystemNumber[], byE164: Map<string, NumberRow>): Map<string, string> {
  const byAssignee = new Map<string, string[]>();
  for (const s of systemNumbers) if (s.assignee) byAssignee.set(s.assignee.id, [...(byAssignee.get(s.assignee.id) ?? []), s.e164]);
  const kept = new Map<string, string>();
  for (const [assignee, numbers] of byAssignee) {
    if (numbers.length < 2) continue;
    const recorded = numbers.find((e164) => {
      const inv = byE164.get(e164);
      return inv?.status === 'assigned' && inv.assigneeType === source.assigneeType && inv.assigneeId === assignee;
    });
    kept.set(assignee, recorded ?? [...numbers].sort()[0]!);
  }
  return kept;
}

/** The system's name at the start of a sentence. */
function sentence(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function isAssignedHere(source: NumberSource, inv: NumberRow): boolean {
  return inv.status === 'assigned' && inv.assigneeType === source.assigneeType;
}

function drift(kind: DriftKind, e164: string, s: SystemNumber | null, inv: NumberRow | null, source: NumberSource, outcome: { fix: string } | { reason: string }): DriftItem {
  return {
    kind,
    e164,
    numberId: inv?.id ?? null,
    system: s ? { assigned: s.assignee !== null, assigneeId: s.assignee?.id ?? null, assigneeUpn: s.assignee?.upn ?? null, assigneeName: s.assignee?.name ?? null, kind: s.kind, via: s.via } : null,
    inventory: inv ? { status: inv.status, kind: inv.kind, assigneeType: inv.assigneeType, assigneeId: inv.assigneeId, assigneeUpn: inv.assigneeUpn, assigneeName: inv.assigneeName } : null,
    fix: 'fix' in outcome ? outcome.fix : null,
    reason: 'reason' in outcome ? outcome.reason : null,
  };
}

/** Fixes are applied in this order: releases first, so an assignee's old number is free before the system's number is recorded for them. */
const fixOrder: Record<DriftKind, number> = { unassigned_in_system: 0, missing_in_system: 1, different_assignee: 2, free_in_inventory: 3, missing_in_inventory: 4 };

/**
 * Applies the fixes for the chosen numbers (or all drift), in one transaction. The drift is
 * computed again first, so only drift that still exists is fixed. A number without a fix, or
 * whose fix the lifecycle refuses now, is skipped with its reason and the rest go ahead; each
 * fix writes its own audit event, and the run one more.
 */
export async function fixDrift(deps: AppDeps, actor: Actor, tenantId: string, source: NumberSource, e164s: string[] | 'all', info: RequestInfo, options: { kinds?: DriftKind[] } = {}): Promise<DriftFixResult> {
  await loadActiveTenant(deps.db, actor, tenantId);
  const report = await findDrift(deps, actor, tenantId, source);
  const { items } = report;
  const chosen = (e164s === 'all' ? items : items.filter((i) => e164s.includes(i.e164))).filter((i) => !options.kinds || options.kinds.includes(i.kind));
  if (e164s !== 'all' && chosen.length === 0 && e164s.length > 0) throw new ValidationError('None of these numbers drift any more; refresh the comparison.');
  const skips = chosen.flatMap((i) => (i.fix === null ? [{ e164: i.e164, reason: i.reason ?? 'There is no automatic fix.' }] : []));
  const wanted = chosen.filter((i) => i.fix !== null).sort((a, b) => fixOrder[a.kind] - fixOrder[b.kind]);
  const otherNumber = `${sentence(source.name)} gives the assignee another number`;
  let fixed = 0;
  await deps.db.transaction(async (tx) => {
    for (const item of wanted.filter((i) => i.kind !== 'missing_in_inventory')) {
      try {
        if (item.kind === 'unassigned_in_system') await changeNumberStatus(deps, actor, tenantId, item.numberId!, { action: 'release', reason: `${sentence(source.name)} does not assign this number` }, info, tx);
        else if (item.kind === 'missing_in_system') await changeNumberStatus(deps, actor, tenantId, item.numberId!, { action: 'retire', reason: `${sentence(source.name)} does not have this number` }, info, tx);
        else await adoptNumber(deps, tx, actor, tenantId, item.numberId!, { type: source.assigneeType, id: item.system!.assigneeId!, upn: item.system!.assigneeUpn, name: item.system!.assigneeName }, info, otherNumber);
        fixed += 1;
      } catch (error) {
        // Refused by the lifecycle (or gone) since the comparison: nothing was written for it, so the batch goes on.
        if (error instanceof NotFoundError) skips.push({ e164: item.e164, reason: 'The number is no longer in the inventory.' });
        else if (error instanceof ConflictError && error.code === 'illegal_transition') skips.push({ e164: item.e164, reason: error.message });
        else throw error;
      }
    }
    const missing = wanted.filter((i) => i.kind === 'missing_in_inventory');
    if (missing.length) {
      const added = new Set(
        await insertAdoptedNumbers(
          deps,
          tx,
          actor,
          tenantId,
          missing.map((i) => ({
            e164: i.e164,
            extension: '',
            kind: i.system!.kind,
            status: i.system!.assigned ? ('assigned' as const) : ('available' as const),
            rangeId: null,
            siteId: null,
            carrier: i.system!.via ?? '',
            tags: source.added.tags,
            notes: source.added.notes,
            assigneeType: i.system!.assigned ? source.assigneeType : null,
            assigneeId: i.system!.assigneeId,
            assigneeUpn: i.system!.assigneeUpn,
            assigneeName: i.system!.assigneeName,
          })),
          info,
          { source: source.added.source },
          otherNumber,
        ),
      );
      fixed += added.size;
      for (const i of missing) if (!added.has(i.e164)) skips.push({ e164: i.e164, reason: ANOTHER_TENANT });
    }
    await recordAudit(tx, { action: source.auditAction, actor, tenantId, targetType: 'tenant', targetId: tenantId, after: { fixed, numbers: wanted.map((w) => `${w.e164} (${w.kind})`).slice(0, 200), skipped: skips.slice(0, 200) }, request: info });
  });
  // What is left is the comparison just made, less what was fixed: the Overview no longer lists it.
  const unfixed = new Set(skips.map((s) => s.e164));
  const settled = new Set(wanted.filter((w) => !unfixed.has(w.e164)).map((w) => w.e164));
  await recordCheck(deps, tenantId, { ...report, items: items.filter((i) => !settled.has(i.e164)) });
  return { fixed, skipped: skips.length, skips };
}
