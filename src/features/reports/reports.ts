import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { numberStatuses } from '../../core/number-vocabulary.ts';
import { RANGE_FULL_PERCENT, isRunningOut, percentInUse, rangeCounts } from '../../core/range-rules.ts';
import { queryRows } from '../../db/connection.ts';
import { numberRanges, phoneNumbers, reconcileChecks, teamsUsers, tenants } from '../../db/schema/index.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';
import { scopeCondition } from '../kernel/tenant-scope.ts';
import { cachedSettings } from '../settings/app-settings.ts';
import { loadTenant } from '../tenants/tenants.ts';
import type { LicensedWithoutNumberReportDto, RangeUseDto, RangesRunningOutReportDto, StatusCountsDto, TeamsDriftReportDto, UtilisationReportDto } from './schemas.ts';

/** Lists on screen are capped; the CSV export has every row. */
export const SHOWN_ROWS = 500;

type Scope = { ids: string[]; nameOf: Map<string, string> };

/**
 * The tenants a report covers: the one asked for (in the operator's scope, else "not found"),
 * or every active tenant the operator may see, by name.
 */
async function reportScope(deps: AppDeps, actor: Actor, tenantId: string | undefined): Promise<Scope> {
  const rows = tenantId
    ? [await loadTenant(deps.db, actor, tenantId)]
    : await deps.db
        .select()
        .from(tenants)
        .where(and(eq(tenants.status, 'active'), scopeCondition(actor, tenants.id)))
        .orderBy(asc(tenants.name));
  return { ids: rows.map((t) => t.id), nameOf: new Map(rows.map((t) => [t.id, t.name])) };
}

const idList = (ids: string[]): SQL => sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `);
const emptyCounts = (): StatusCountsDto => Object.fromEntries(numberStatuses.map((s) => [s, 0])) as StatusCountsDto;
const inUseOf = (c: StatusCountsDto) => c.assigned + c.reserved;
const byTenantName = (scope: Scope) => (a: { tenantId: string }, b: { tenantId: string }) => (scope.nameOf.get(a.tenantId) ?? '').localeCompare(scope.nameOf.get(b.tenantId) ?? '');

async function rangeUse(deps: AppDeps, scope: Scope): Promise<RangeUseDto[]> {
  if (!scope.ids.length) return [];
  const rows = await deps.db
    .select({ id: numberRanges.id, tenantId: numberRanges.tenantId, name: numberRanges.name, startE164: numberRanges.startE164, endE164: numberRanges.endE164, size: numberRanges.size, pattern: numberRanges.pattern, status: phoneNumbers.status, n: sql<number>`count(${phoneNumbers.id})::int` })
    .from(numberRanges)
    .leftJoin(phoneNumbers, eq(phoneNumbers.rangeId, numberRanges.id))
    .where(inArray(numberRanges.tenantId, scope.ids))
    .groupBy(numberRanges.id, phoneNumbers.status);
  const ranges = new Map<string, RangeUseDto>();
  const patternOf = new Map(rows.map((r) => [r.id, r.pattern]));
  for (const r of rows) {
    const range = ranges.get(r.id) ?? { tenantId: r.tenantId, tenantName: scope.nameOf.get(r.tenantId) ?? '', rangeId: r.id, name: r.name, startE164: r.startE164, endE164: r.endE164, size: r.size, counts: emptyCounts(), free: 0, inUse: 0, percentInUse: 0 };
    if (r.status) range.counts[r.status] = r.n;
    ranges.set(r.id, range);
  }
  return [...ranges.values()]
    .map((r) => ({ ...r, counts: { ...r.counts, available: rangeCounts({ size: r.size, pattern: patternOf.get(r.rangeId) ?? null }, r.counts).available ?? 0 } }))
    .map((r) => ({ ...r, free: r.counts.available, inUse: inUseOf(r.counts), percentInUse: percentInUse(inUseOf(r.counts), r.size) }))
    .sort((a, b) => byTenantName(scope)(a, b) || a.name.localeCompare(b.name));
}

/** Numbers by status per tenant and per range, counted now. In use = assigned + reserved. */
export async function utilisationReport(deps: AppDeps, actor: Actor, tenantId?: string): Promise<UtilisationReportDto> {
  const scope = await reportScope(deps, actor, tenantId);
  const counts = new Map(scope.ids.map((id) => [id, emptyCounts()]));
  if (scope.ids.length) {
    const rows = await deps.db
      .select({ tenantId: phoneNumbers.tenantId, status: phoneNumbers.status, n: sql<number>`count(*)::int` })
      .from(phoneNumbers)
      .where(inArray(phoneNumbers.tenantId, scope.ids))
      .groupBy(phoneNumbers.tenantId, phoneNumbers.status);
    for (const r of rows) counts.get(r.tenantId)![r.status] = r.n;
  }
  const tenantRows = scope.ids.map((id) => {
    const c = counts.get(id)!;
    const total = Object.values(c).reduce((a, b) => a + b, 0);
    return { tenantId: id, tenantName: scope.nameOf.get(id) ?? '', total, counts: c, inUse: inUseOf(c), percentInUse: percentInUse(inUseOf(c), total) };
  });
  return { generatedAt: deps.now().toISOString(), tenants: tenantRows, ranges: await rangeUse(deps, scope) };
}

/** Ranges at ≥ 90 % in use or with fewer free numbers than the `rangeLowFree` setting, fewest free first. */
export async function rangesRunningOutReport(deps: AppDeps, actor: Actor, tenantId?: string): Promise<RangesRunningOutReportDto> {
  const scope = await reportScope(deps, actor, tenantId);
  const { rangeLowFree } = await cachedSettings(deps.db);
  const ranges = (await rangeUse(deps, scope)).filter((r) => isRunningOut(r, rangeLowFree)).sort((a, b) => a.free - b.free || b.percentInUse - a.percentInUse);
  return { generatedAt: deps.now().toISOString(), fullPercent: RANGE_FULL_PERCENT, lowFree: rangeLowFree, ranges };
}

/** How much of each tenant's Teams directory is stored, and when it was last read from Teams. */
async function directoryStates(deps: AppDeps, scope: Scope) {
  const rows = scope.ids.length
    ? await deps.db
        .select({ tenantId: teamsUsers.tenantId, users: sql<number>`count(*)::int`, syncedAt: sql<string>`max(${teamsUsers.syncedAt})` })
        .from(teamsUsers)
        .where(inArray(teamsUsers.tenantId, scope.ids))
        .groupBy(teamsUsers.tenantId)
    : [];
  const byTenant = new Map(rows.map((r) => [r.tenantId, r]));
  return (id: string) => {
    const r = byTenant.get(id);
    return { directoryUsers: r?.users ?? 0, directorySyncedAt: r ? new Date(r.syncedAt).toISOString() : null };
  };
}

/** Users with a Teams Phone licence and no phone number, from the stored Teams directory (its last sync). */
export async function licensedWithoutNumberReport(deps: AppDeps, actor: Actor, tenantId?: string, options: { all?: boolean } = {}): Promise<LicensedWithoutNumberReportDto> {
  const scope = await reportScope(deps, actor, tenantId);
  const stateOf = await directoryStates(deps, scope);
  const where = and(inArray(teamsUsers.tenantId, scope.ids), eq(teamsUsers.phoneSystem, true), sql`jsonb_array_length(${teamsUsers.numbers}) = 0`);
  const [perTenant, users] = await Promise.all([
    deps.db.select({ tenantId: teamsUsers.tenantId, n: sql<number>`count(*)::int` }).from(teamsUsers).where(where).groupBy(teamsUsers.tenantId),
    deps.db
      .select()
      .from(teamsUsers)
      .where(where)
      .orderBy(asc(teamsUsers.tenantId), asc(teamsUsers.upn))
      .limit(options.all ? Number.MAX_SAFE_INTEGER : SHOWN_ROWS),
  ]);
  const countOf = new Map(perTenant.map((r) => [r.tenantId, r.n]));
  const total = perTenant.reduce((a, r) => a + r.n, 0);
  const rows = users
    .map((u) => ({ tenantId: u.tenantId, tenantName: scope.nameOf.get(u.tenantId) ?? '', userId: u.userId, upn: u.upn, displayName: u.displayName, accountEnabled: u.accountEnabled, usageLocation: u.usageLocation, enterpriseVoice: u.enterpriseVoice, syncedAt: u.syncedAt.toISOString() }))
    .sort((a, b) => byTenantName(scope)(a, b) || a.upn.localeCompare(b.upn));
  return {
    generatedAt: deps.now().toISOString(),
    tenants: scope.ids.map((id) => ({ tenantId: id, tenantName: scope.nameOf.get(id) ?? '', ...stateOf(id), users: countOf.get(id) ?? 0 })),
    users: rows,
    total,
    shown: rows.length,
  };
}

type DriftRow = { id: string; tenant_id: string; e164: string; assignee_id: string; assignee_upn: string | null; in_directory: boolean; directory_numbers: Array<{ telephoneNumber: string }> | null };

/**
 * Numbers the inventory has assigned to a Teams user that no user of the tenant's stored Teams
 * directory holds, computed now from the directory as its last sync left it; a tenant whose
 * directory was never synced gets no count (nothing is known). Next to it, per tenant, what the last
 * comparison with Teams itself found (reconcile_checks: only counts are kept, not the numbers).
 */
export async function teamsDriftReport(deps: AppDeps, actor: Actor, tenantId?: string, options: { all?: boolean } = {}): Promise<TeamsDriftReportDto> {
  const scope = await reportScope(deps, actor, tenantId);
  const stateOf = await directoryStates(deps, scope);
  const synced = scope.ids.filter((id) => stateOf(id).directorySyncedAt !== null);
  const assigned = scope.ids.length
    ? await deps.db
        .select({ tenantId: phoneNumbers.tenantId, n: sql<number>`count(*)::int` })
        .from(phoneNumbers)
        .where(and(inArray(phoneNumbers.tenantId, scope.ids), eq(phoneNumbers.status, 'assigned'), eq(phoneNumbers.assigneeType, 'teams_user')))
        .groupBy(phoneNumbers.tenantId)
    : [];
  const checks = scope.ids.length ? await deps.db.select().from(reconcileChecks).where(and(eq(reconcileChecks.system, 'teams'), inArray(reconcileChecks.tenantId, scope.ids))) : [];
  // The directory's numbers, normalised the way the inventory writes them (+digits).
  const drifting = (select: SQL, tail: SQL) => sql`
    with directory as (
      select u.tenant_id, '+' || ltrim(regexp_replace(n.value->>'telephoneNumber', '^tel:', '', 'i'), '+') as e164
        from teams_users u cross join lateral jsonb_array_elements(u.numbers) n
       where u.tenant_id in (${idList(synced)})
    )
    select ${select}
      from phone_numbers p
      left join teams_users u on u.tenant_id = p.tenant_id and u.user_id = p.assignee_id
     where p.tenant_id in (${idList(synced)}) and p.status = 'assigned' and p.assignee_type = 'teams_user'
       and not exists (select 1 from directory d where d.tenant_id = p.tenant_id and d.e164 = p.e164)
     ${tail}`;
  const [driftCounts, driftRows] = synced.length
    ? await Promise.all([
        queryRows<{ tenant_id: string; n: number }>(deps.db, drifting(sql`p.tenant_id, count(*)::int as n`, sql`group by p.tenant_id`)),
        queryRows<DriftRow>(deps.db, drifting(sql`p.id, p.tenant_id, p.e164, p.assignee_id, p.assignee_upn, u.user_id is not null as in_directory, u.numbers as directory_numbers`, options.all ? sql`order by p.tenant_id, p.e164` : sql`order by p.tenant_id, p.e164 limit ${SHOWN_ROWS}`)),
      ])
    : [[], []];
  const assignedOf = new Map(assigned.map((r) => [r.tenantId, r.n]));
  const checkOf = new Map(checks.map((c) => [c.tenantId, { checkedAt: c.checkedAt.toISOString(), notInTeams: c.byKind.unassigned_in_system ?? 0, drift: c.driftCount }]));
  const driftOf = new Map(driftCounts.map((r) => [r.tenant_id, r.n]));
  const numbers = driftRows
    .map((r) => ({
      tenantId: r.tenant_id,
      tenantName: scope.nameOf.get(r.tenant_id) ?? '',
      numberId: r.id,
      e164: r.e164,
      assigneeId: r.assignee_id,
      assigneeUpn: r.assignee_upn,
      teamsSays: !r.in_directory ? 'The user is not in the Teams directory' : r.directory_numbers?.length ? `The user has ${r.directory_numbers.map((n) => n.telephoneNumber).join(', ')} in Teams` : 'The user has no number in Teams',
    }))
    .sort((a, b) => byTenantName(scope)(a, b) || (a.e164 < b.e164 ? -1 : 1));
  return {
    generatedAt: deps.now().toISOString(),
    tenants: scope.ids.map((id) => {
      const state = stateOf(id);
      return { tenantId: id, tenantName: scope.nameOf.get(id) ?? '', ...state, assignedInUcr: assignedOf.get(id) ?? 0, notInTeams: state.directorySyncedAt === null ? null : (driftOf.get(id) ?? 0), lastReconcile: checkOf.get(id) ?? null };
    }),
    numbers,
    total: driftCounts.reduce((a, r) => a + r.n, 0),
    shown: numbers.length,
  };
}
