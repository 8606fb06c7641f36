import { and, eq, inArray, or } from 'drizzle-orm';
import { ValidationError } from '../../core/errors.ts';
import { phoneNumbers } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { insertNumbers } from '../numbers/number-bulk-insert.ts';
import { changeNumberStatus } from '../numbers/number-lifecycle.ts';
import { numberSnapshot, searchTextOf, type NumberRow } from '../numbers/number-view.ts';
import { threeCxApiFor } from './connection.ts';
import { loadActiveTenant, loadTenant } from '../tenants/tenants.ts';

export type ThreeCxDriftKind = 'missing_in_inventory' | 'free_in_inventory' | 'different_assignee' | 'unassigned_on_pbx' | 'not_on_pbx';

export type ThreeCxDriftItem = {
  kind: ThreeCxDriftKind;
  e164: string;
  numberId: string | null;
  pbx: { onTrunk: string | null; extension: string | null; extensionName: string | null } | null;
  inventory: { status: string; kind: string; assigneeType: string | null; assigneeId: string | null } | null;
  /** What the one-click fix does, in words; null when there is no safe fix. */
  fix: string | null;
};

/**
 * Compares the inventory with the PBX (C7), both ways. On the PBX side a DID is a number of a
 * trunk, and it belongs to the extension whose outbound caller id it is. The PBX is taken as
 * the truth for DIDs it has; a 3CX DID the inventory holds that no trunk has is shown too.
 */
export async function findThreeCxDrift(deps: AppDeps, actor: Actor, tenantId: string) {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const api = await threeCxApiFor(deps, tenant);
  const trunks = await api.listTrunks();
  const users = await api.allUsers();
  const pbxDids = new Map(trunks.flatMap((t) => (t.DidNumbers ?? []).map((d) => [d, t.Gateway?.Name ?? `Trunk ${t.Number}`] as const)));
  const byCallerId = new Map<string, { number: string; name: string }>();
  for (const u of users) if (u.OutboundCallerID && pbxDids.has(u.OutboundCallerID) && !byCallerId.has(u.OutboundCallerID)) byCallerId.set(u.OutboundCallerID, { number: u.Number, name: u.DisplayName ?? '' });
  const extensions = new Set(users.map((u) => u.Number));

  const inventory = await deps.db
    .select()
    .from(phoneNumbers)
    .where(
      and(
        eq(phoneNumbers.tenantId, tenantId),
        eq(phoneNumbers.extension, ''),
        or(eq(phoneNumbers.kind, 'threecx_did'), eq(phoneNumbers.assigneeType, 'threecx_extension'), pbxDids.size ? inArray(phoneNumbers.e164, [...pbxDids.keys()]) : undefined),
      ),
    );
  const byE164 = new Map(inventory.map((n) => [n.e164, n]));
  const items: ThreeCxDriftItem[] = [];
  const invView = (n: NumberRow) => ({ status: n.status, kind: n.kind, assigneeType: n.assigneeType, assigneeId: n.assigneeId });

  for (const [did, trunkName] of pbxDids) {
    const ext = byCallerId.get(did) ?? null;
    const pbx = { onTrunk: trunkName, extension: ext?.number ?? null, extensionName: ext?.name ?? null };
    const inv = byE164.get(did);
    if (!inv) {
      items.push({ kind: 'missing_in_inventory', e164: did, numberId: null, pbx, inventory: null, fix: ext ? `Add as a 3CX DID assigned to extension ${ext.number}` : 'Add as an available 3CX DID' });
      continue;
    }
    if (ext && inv.status !== 'assigned') items.push({ kind: 'free_in_inventory', e164: did, numberId: inv.id, pbx, inventory: invView(inv), fix: inv.status === 'retired' ? null : `Mark as assigned to extension ${ext.number}` });
    else if (ext && (inv.assigneeType !== 'threecx_extension' || inv.assigneeId !== ext.number)) items.push({ kind: 'different_assignee', e164: did, numberId: inv.id, pbx, inventory: invView(inv), fix: `Change the assignee to extension ${ext.number}` });
    else if (!ext && inv.status === 'assigned' && inv.assigneeType === 'threecx_extension') items.push({ kind: 'unassigned_on_pbx', e164: did, numberId: inv.id, pbx, inventory: invView(inv), fix: 'Release it (into cooling): no extension uses it' });
  }
  for (const inv of inventory) {
    if (pbxDids.has(inv.e164)) continue;
    if (inv.status === 'assigned' && inv.assigneeType === 'threecx_extension') {
      items.push({ kind: 'unassigned_on_pbx', e164: inv.e164, numberId: inv.id, pbx: null, inventory: invView(inv), fix: extensions.has(inv.assigneeId ?? '') ? 'Release it (into cooling): no trunk has this DID' : 'Release it (into cooling): the extension is gone' });
    } else if (inv.kind === 'threecx_did' && inv.status !== 'retired') {
      const retirable = ['available', 'cooling', 'blocked'].includes(inv.status);
      items.push({ kind: 'not_on_pbx', e164: inv.e164, numberId: inv.id, pbx: null, inventory: invView(inv), fix: retirable ? 'Retire it: no trunk on the PBX has this DID' : null });
    }
  }
  items.sort((a, b) => a.e164.localeCompare(b.e164));
  return { items, pbxDids: pbxDids.size, inventoryNumbers: inventory.filter((n) => n.kind === 'threecx_did').length, checkedAt: deps.now().toISOString() };
}

/**
 * Applies the fixes for the chosen numbers (or every fixable drift). The drift is computed again
 * first, so only drift that still exists is fixed; each fix writes its own audit event.
 */
export async function fixThreeCxDrift(deps: AppDeps, actor: Actor, tenantId: string, e164s: string[] | 'all', info: RequestInfo, options: { kinds?: ThreeCxDriftKind[] } = {}): Promise<{ fixed: number; skipped: number }> {
  await loadActiveTenant(deps.db, actor, tenantId);
  const { items } = await findThreeCxDrift(deps, actor, tenantId);
  const chosen = (e164s === 'all' ? items : items.filter((i) => e164s.includes(i.e164))).filter((i) => !options.kinds || options.kinds.includes(i.kind));
  if (e164s !== 'all' && chosen.length === 0 && e164s.length > 0) throw new ValidationError('None of these numbers drift any more; refresh the comparison.');
  const wanted = chosen.filter((i) => i.fix !== null);
  let fixed = 0;
  await deps.db.transaction(async (tx) => {
    // A number another tenant holds cannot be added here (numbers are unique across tenants).
    const candidates = wanted.filter((i) => i.kind === 'missing_in_inventory');
    const elsewhere = candidates.length ? new Set((await tx.select({ e164: phoneNumbers.e164 }).from(phoneNumbers).where(and(inArray(phoneNumbers.e164, candidates.map((c) => c.e164)), eq(phoneNumbers.extension, '')))).map((r) => r.e164)) : new Set<string>();
    const missing = candidates.filter((i) => !elsewhere.has(i.e164));
    if (missing.length) {
      fixed += await insertNumbers(
        tx,
        tenantId,
        missing.map((i) => ({
          e164: i.e164,
          extension: '',
          kind: 'threecx_did',
          status: i.pbx!.extension ? 'assigned' : 'available',
          rangeId: null,
          siteId: null,
          carrier: i.pbx!.onTrunk ?? '',
          tags: ['3cx'],
          notes: 'Imported from the 3CX PBX by reconcile',
          assigneeType: i.pbx!.extension ? 'threecx_extension' : null,
          assigneeId: i.pbx!.extension,
          assigneeName: i.pbx!.extensionName,
        })),
        actor,
        info,
        { source: '3cx reconcile' },
      );
    }
    for (const item of wanted.filter((i) => i.kind !== 'missing_in_inventory')) {
      const [row] = await tx.select().from(phoneNumbers).where(eq(phoneNumbers.id, item.numberId!)).for('update');
      if (!row) continue;
      if (item.kind === 'unassigned_on_pbx') await changeNumberStatus(deps, actor, tenantId, row.id, { action: 'release', reason: 'The 3CX PBX does not use this DID' }, info, tx);
      else if (item.kind === 'not_on_pbx') await changeNumberStatus(deps, actor, tenantId, row.id, { action: 'retire', reason: 'No trunk on the 3CX PBX has this DID' }, info, tx);
      else await setAssigneeFromPbx(deps, tx, actor, row, item.pbx!, info);
      fixed += 1;
    }
    await recordAudit(tx, { action: 'threecx.reconciled', actor, tenantId, targetType: 'tenant', targetId: tenantId, after: { fixed, numbers: wanted.map((w) => `${w.e164} (${w.kind})`).slice(0, 200) }, request: info });
  });
  return { fixed, skipped: chosen.length - fixed };
}

/** The PBX already gives this DID to an extension; the inventory records the fact (nothing is being handed out). */
async function setAssigneeFromPbx(deps: AppDeps, tx: Parameters<typeof recordAudit>[0], actor: Actor, row: NumberRow, pbx: NonNullable<ThreeCxDriftItem['pbx']>, info: RequestInfo): Promise<void> {
  // The extension's other inventory number would break the one-number rule: release it first.
  const others = await tx
    .select()
    .from(phoneNumbers)
    .where(and(eq(phoneNumbers.tenantId, row.tenantId), eq(phoneNumbers.status, 'assigned'), eq(phoneNumbers.assigneeType, 'threecx_extension'), inArray(phoneNumbers.assigneeId, [pbx.extension!])));
  for (const other of others) if (other.id !== row.id) await changeNumberStatus(deps, actor, row.tenantId, other.id, { action: 'release', reason: 'The PBX gives the extension another DID' }, info, tx);
  const next = { ...row, status: 'assigned' as const, assigneeType: 'threecx_extension' as const, assigneeId: pbx.extension, assigneeUpn: null, assigneeName: pbx.extensionName, reservedBy: null, reservedUntil: null, reservationReason: null, reservationTicket: null, coolingUntil: null };
  const [after] = await tx
    .update(phoneNumbers)
    .set({ ...next, searchText: searchTextOf(next), statusChangedAt: deps.now(), updatedAt: deps.now() })
    .where(eq(phoneNumbers.id, row.id))
    .returning();
  await recordAudit(tx, { action: 'number.reconciled', actor, tenantId: row.tenantId, targetType: 'phone_number', targetId: row.id, before: numberSnapshot(row), after: numberSnapshot(after!), request: info });
}
