import type { DriftItem } from './schemas.ts';
import { and, eq, inArray } from 'drizzle-orm';
import { ValidationError } from '../../core/errors.ts';
import { phoneNumbers, teamsUsers } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { insertNumbers } from '../numbers/number-bulk-insert.ts';
import { changeNumberStatus } from '../numbers/number-lifecycle.ts';
import { numberSnapshot, searchTextOf, type NumberRow } from '../numbers/number-view.ts';
import { teamsApiFor } from './connection.ts';
import { loadActiveTenant, loadTenant } from '../tenants/tenants.ts';



const graphKind: Record<string, 'direct_routing' | 'calling_plan' | 'operator_connect'> = {
  directRouting: 'direct_routing',
  callingPlan: 'calling_plan',
  operatorConnect: 'operator_connect',
};
const teamsKinds = ['direct_routing', 'calling_plan', 'operator_connect'] as const;

/**
 * Compares the inventory with the numbers Teams has (C7), both ways: numbers Teams assigns that
 * the inventory has free, missing or on someone else; and numbers the inventory has assigned that
 * Teams does not. Teams is taken as the truth; each drift comes with the fix that follows it.
 */
export async function findTeamsDrift(deps: AppDeps, actor: Actor, tenantId: string): Promise<{ items: DriftItem[]; teamsNumbers: number; inventoryNumbers: number; checkedAt: string }> {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const api = await teamsApiFor(deps, tenant);
  const teamsNumbers = (await api.listNumberAssignments()).filter((n) => graphKind[n.numberType]);
  const inventory = await deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenantId), inArray(phoneNumbers.kind, [...teamsKinds])));
  const users = await deps.db.select({ userId: teamsUsers.userId, upn: teamsUsers.upn }).from(teamsUsers).where(eq(teamsUsers.tenantId, tenantId));
  const upnOf = new Map(users.map((u) => [u.userId, u.upn]));
  const byE164 = new Map(inventory.filter((n) => n.extension === '').map((n) => [n.e164, n]));
  const items: DriftItem[] = [];
  const seen = new Set<string>();

  for (const t of teamsNumbers) {
    seen.add(t.telephoneNumber);
    // Any assignment counts: users, resource accounts (voice applications), conference bridges.
    const assigned = Boolean(t.assignmentStatus) && t.assignmentStatus !== 'unassigned' && Boolean(t.assignmentTargetId);
    const teams = { assigned, userId: assigned ? t.assignmentTargetId! : null, userUpn: assigned ? (upnOf.get(t.assignmentTargetId!) ?? null) : null, numberType: t.numberType };
    const inv = byE164.get(t.telephoneNumber);
    const who = teams.userUpn ?? teams.userId;
    if (!inv) {
      items.push({ kind: 'missing_in_inventory', e164: t.telephoneNumber, numberId: null, teams, inventory: null, fix: assigned ? `Add to the inventory as assigned to ${who}` : 'Add to the inventory as available' });
      continue;
    }
    const invView = { status: inv.status, assigneeId: inv.assigneeId, assigneeUpn: inv.assigneeUpn };
    if (assigned && inv.status !== 'assigned') items.push({ kind: 'free_in_inventory', e164: t.telephoneNumber, numberId: inv.id, teams, inventory: invView, fix: `Mark as assigned to ${who}` });
    else if (assigned && inv.assigneeId !== teams.userId) items.push({ kind: 'different_assignee', e164: t.telephoneNumber, numberId: inv.id, teams, inventory: invView, fix: `Change the assignee to ${who}` });
    else if (!assigned && inv.status === 'assigned' && inv.assigneeType === 'teams_user') items.push({ kind: 'unassigned_in_teams', e164: t.telephoneNumber, numberId: inv.id, teams, inventory: invView, fix: 'Release it (into cooling)' });
  }
  for (const inv of inventory) {
    if (inv.status === 'assigned' && inv.assigneeType === 'teams_user' && !seen.has(inv.e164)) {
      items.push({ kind: 'unassigned_in_teams', e164: inv.e164, numberId: inv.id, teams: null, inventory: { status: inv.status, assigneeId: inv.assigneeId, assigneeUpn: inv.assigneeUpn }, fix: 'Release it (into cooling): Teams does not have this number' });
    }
  }
  items.sort((a, b) => a.e164.localeCompare(b.e164));
  return { items, teamsNumbers: teamsNumbers.length, inventoryNumbers: inventory.length, checkedAt: deps.now().toISOString() };
}

/**
 * Applies the fixes for the chosen numbers. The drift is computed again first, so a fix is only
 * applied when the drift still exists; each fix writes its own audit event.
 */
export async function fixTeamsDrift(deps: AppDeps, actor: Actor, tenantId: string, e164s: string[] | 'all', info: RequestInfo): Promise<{ fixed: number; skipped: number }> {
  await loadActiveTenant(deps.db, actor, tenantId);
  const { items } = await findTeamsDrift(deps, actor, tenantId);
  const wanted = e164s === 'all' ? items : items.filter((i) => e164s.includes(i.e164));
  if (e164s !== 'all' && wanted.length === 0 && e164s.length > 0) throw new ValidationError('None of these numbers drift any more; refresh the comparison.');
  let fixed = 0;
  await deps.db.transaction(async (tx) => {
    const missing = wanted.filter((i) => i.kind === 'missing_in_inventory');
    if (missing.length) {
      fixed += await insertNumbers(
        tx,
        tenantId,
        missing.map((i) => ({
          e164: i.e164,
          extension: '',
          kind: graphKind[i.teams!.numberType!]!,
          status: i.teams!.assigned ? 'assigned' : 'available',
          rangeId: null,
          siteId: null,
          carrier: '',
          tags: [],
          notes: 'Added from Teams by reconcile',
          assigneeType: i.teams!.assigned ? 'teams_user' : null,
          assigneeId: i.teams!.userId,
          assigneeUpn: i.teams!.userUpn,
        })),
        actor,
        info,
        { source: 'teams reconcile' },
      );
    }
    for (const item of wanted.filter((i) => i.kind !== 'missing_in_inventory')) {
      const [row] = await tx.select().from(phoneNumbers).where(eq(phoneNumbers.id, item.numberId!)).for('update');
      if (!row) continue;
      if (item.kind === 'unassigned_in_teams') {
        await changeNumberStatus(deps, actor, tenantId, row.id, { action: 'release', reason: 'Teams does not assign this number' }, info, tx);
      } else {
        await setAssigneeFromTeams(deps, tx, actor, row, item, info);
      }
      fixed += 1;
    }
    await recordAudit(tx, { action: 'teams.reconciled', actor, tenantId, targetType: 'tenant', targetId: tenantId, after: { fixed, numbers: wanted.map((w) => `${w.e164} (${w.kind})`).slice(0, 200) }, request: info });
  });
  return { fixed, skipped: wanted.length - fixed };
}

/**
 * The tenant already assigns this number; the inventory records the fact rather than making a
 * lifecycle move, since nothing is being handed out here.
 */
async function setAssigneeFromTeams(deps: AppDeps, tx: Parameters<typeof recordAudit>[0], actor: Actor, row: NumberRow, item: DriftItem, info: RequestInfo): Promise<void> {
  const next = { ...row, status: 'assigned' as const, assigneeType: 'teams_user' as const, assigneeId: item.teams!.userId, assigneeUpn: item.teams!.userUpn, assigneeName: null, reservedBy: null, reservedUntil: null, reservationReason: null, reservationTicket: null, coolingUntil: null };
  // Someone else's inventory assignment of this user would break the one-number rule: release it first.
  const [other] = await tx
    .select()
    .from(phoneNumbers)
    .where(and(eq(phoneNumbers.tenantId, row.tenantId), eq(phoneNumbers.status, 'assigned'), eq(phoneNumbers.assigneeId, item.teams!.userId!)));
  if (other && other.id !== row.id) await changeNumberStatus(deps, actor, row.tenantId, other.id, { action: 'release', reason: 'Teams assigns the user another number' }, info, tx);
  const [after] = await tx
    .update(phoneNumbers)
    .set({ ...next, searchText: searchTextOf(next), statusChangedAt: deps.now(), updatedAt: deps.now() })
    .where(eq(phoneNumbers.id, row.id))
    .returning();
  await recordAudit(tx, { action: 'number.reconciled', actor, tenantId: row.tenantId, targetType: 'phone_number', targetId: row.id, before: numberSnapshot(row), after: numberSnapshot(after!), request: info });
}
