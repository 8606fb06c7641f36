import { and, asc, eq, like, sql } from 'drizzle-orm';
import { likeEscape } from '../../core/search-query.ts';
import type { GraphUser, UserConfiguration } from '../../connectors/teams/graph-schemas.ts';
import { canonicalPolicyType } from '../../core/policy-types.ts';
import { NotFoundError } from '../../core/errors.ts';
import { teamsDirectorySyncs, teamsPolicies, teamsUsers, tenantConnections, type TeamsUserPolicies } from '../../db/schema/index.ts';
import { cachedSettings } from '../settings/app-settings.ts';
import type { Db } from '../../db/connection.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { teamsApiFor } from './connection.ts';
import { loadTenant, type TenantRow } from '../tenants/tenants.ts';
import { assertTenantInScope } from '../kernel/tenant-scope.ts';

export type TeamsUserRow = typeof teamsUsers.$inferSelect;

/** A directory row from Graph's user and its Teams configuration. */
export function directoryRow(tenantId: string, user: GraphUser, config: UserConfiguration | undefined, now: Date): typeof teamsUsers.$inferInsert {
  const policies: TeamsUserPolicies = {};
  for (const p of config?.effectivePolicyAssignments ?? []) {
    const type = canonicalPolicyType(p.policyType);
    if (type) policies[type] = { name: p.policyAssignment.displayName ?? null, policyId: p.policyAssignment.policyId ?? null, assignmentType: p.policyAssignment.assignmentType ?? null };
  }
  const numbers = (config?.telephoneNumbers ?? []).map((n) => ({ telephoneNumber: n.telephoneNumber, assignmentCategory: n.assignmentCategory ?? null }));
  return {
    tenantId,
    userId: user.id,
    upn: user.userPrincipalName.toLowerCase(),
    displayName: user.displayName ?? '',
    accountEnabled: user.accountEnabled ?? true,
    usageLocation: user.usageLocation ?? null,
    accountType: config?.accountType ?? null,
    phoneSystem: (config?.featureTypes ?? []).some((f) => f.toLowerCase() === 'phonesystem'),
    enterpriseVoice: config?.isEnterpriseVoiceEnabled ?? false,
    numbers,
    policies,
    searchText: [user.userPrincipalName, user.displayName ?? '', ...numbers.map((n) => `${n.telephoneNumber} ${n.telephoneNumber.slice(1)}`)].join(' ').toLowerCase(),
    syncedAt: now,
  };
}

async function upsertUsers(db: Db, rows: Array<typeof teamsUsers.$inferInsert>): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insert(teamsUsers)
      .values(rows.slice(i, i + 500))
      .onConflictDoUpdate({
        target: [teamsUsers.tenantId, teamsUsers.userId],
        set: {
          upn: sql`excluded.upn`,
          displayName: sql`excluded.display_name`,
          accountEnabled: sql`excluded.account_enabled`,
          usageLocation: sql`excluded.usage_location`,
          accountType: sql`excluded.account_type`,
          phoneSystem: sql`excluded.phone_system`,
          enterpriseVoice: sql`excluded.enterprise_voice`,
          numbers: sql`excluded.numbers`,
          policies: sql`excluded.policies`,
          searchText: sql`excluded.search_text`,
          syncedAt: sql`excluded.synced_at`,
        },
      });
  }
}

/** Policy names seen on users join the tenant's catalog (D3). */
async function recordSeenPolicies(db: Db, tenantId: string, rows: Array<typeof teamsUsers.$inferInsert>): Promise<void> {
  const seen = new Map<string, { policyType: string; name: string; policyId: string | null }>();
  for (const row of rows) {
    for (const [policyType, p] of Object.entries(row.policies ?? {})) {
      if (p.name) seen.set(`${policyType}|${p.name.toLowerCase()}`, { policyType, name: p.name, policyId: p.policyId });
    }
  }
  for (const p of seen.values()) {
    await db.insert(teamsPolicies).values({ tenantId, policyType: p.policyType, name: p.name, policyId: p.policyId, source: 'seen' }).onConflictDoNothing();
  }
}

/** Reads every user and Teams configuration of the tenant into the directory (D1). */
export async function syncTeamsDirectory(deps: AppDeps, tenant: TenantRow): Promise<{ users: number; removed: number }> {
  const api = await teamsApiFor(deps, tenant);
  const [users, configs] = await Promise.all([api.listUsers(), api.listUserConfigurations()]);
  const configById = new Map(configs.map((c) => [c.id, c]));
  const now = deps.now();
  const rows = users.map((u) => directoryRow(tenant.id, u, configById.get(u.id), now));
  return deps.db.transaction(async (tx) => {
    await upsertUsers(tx, rows);
    await recordSeenPolicies(tx, tenant.id, rows);
    // Users no longer in the tenant leave the directory.
    const removed = await tx.delete(teamsUsers).where(and(eq(teamsUsers.tenantId, tenant.id), sql`${teamsUsers.syncedAt} < ${now.toISOString()}::timestamptz`)).returning({ id: teamsUsers.userId });
    await tx.insert(teamsDirectorySyncs).values({ tenantId: tenant.id, syncedAt: now }).onConflictDoUpdate({ target: teamsDirectorySyncs.tenantId, set: { syncedAt: now } });
    return { users: rows.length, removed: removed.length };
  });
}

export async function syncTeamsDirectoryFor(deps: AppDeps, actor: Actor, tenantId: string, request: RequestInfo) {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const result = await syncTeamsDirectory(deps, tenant);
  await recordAudit(deps.db, { action: 'teams.directory_synced', actor, tenantId, targetType: 'tenant', targetId: tenantId, after: result, request });
  return result;
}

/** Re-reads one user from Teams (the voice panel opens with the live state). */
export async function refreshTeamsUser(deps: AppDeps, tenant: TenantRow, userId: string): Promise<TeamsUserRow> {
  const api = await teamsApiFor(deps, tenant);
  const [user, config] = await Promise.all([api.getUser(userId), api.getUserConfiguration(userId).catch(() => undefined)]);
  // Graph documents userConfiguration's telephoneNumbers for users and is silent on resource
  // accounts; their number is read from the numberAssignments that name them (voiceApplicationAssigned).
  const numbers = config?.accountType === 'resourceAccount' && !config.telephoneNumbers?.length ? (await api.listNumberAssignments(`assignmentTargetId eq '${user.id.replace(/'/g, "''")}'`)).filter((n) => n.assignmentTargetId === user.id && n.assignmentStatus !== 'unassigned') : [];
  const row = directoryRow(tenant.id, user, numbers.length ? { ...config!, telephoneNumbers: numbers.map((n) => ({ telephoneNumber: n.telephoneNumber, assignmentCategory: n.assignmentCategory ?? 'primary' })) } : config, deps.now());
  await upsertUsers(deps.db, [row]);
  await recordSeenPolicies(deps.db, tenant.id, [row]);
  const [stored] = await deps.db.select().from(teamsUsers).where(and(eq(teamsUsers.tenantId, tenant.id), eq(teamsUsers.userId, user.id)));
  return stored!;
}

export function teamsUserView(u: TeamsUserRow) {
  return {
    userId: u.userId,
    upn: u.upn,
    displayName: u.displayName,
    accountEnabled: u.accountEnabled,
    usageLocation: u.usageLocation,
    accountType: u.accountType,
    phoneSystem: u.phoneSystem,
    enterpriseVoice: u.enterpriseVoice,
    numbers: u.numbers,
    policies: u.policies,
    syncedAt: u.syncedAt.toISOString(),
  };
}
export type TeamsUserView = ReturnType<typeof teamsUserView>;

/** Search-as-you-type over the synced directory: name, UPN or number, best matches first; for a tenant the caller has been checked against already. */
async function queryTeamsUsers(db: Db, tenantId: string, search: string | undefined, limit: number) {
  const term = search?.trim().toLowerCase();
  // LIKE on the lower-cased search text (the trigram index serves it; ILIKE's case folding per row is not needed).
  const pattern = term ? `%${likeEscape(term)}%` : undefined;
  const rows = await db
    .select()
    .from(teamsUsers)
    .where(and(eq(teamsUsers.tenantId, tenantId), pattern ? like(teamsUsers.searchText, pattern) : undefined))
    .orderBy(...(term ? [sql`case when ${teamsUsers.upn} like ${`${likeEscape(term)}%`} then 0 else 1 end`] : []), asc(teamsUsers.displayName))
    .limit(limit);
  return rows.map(teamsUserView);
}

/** The users page: the directory opened (a stale one refreshed in the background) and the users matching the search. */
export async function openAndSearchDirectory(deps: AppDeps, actor: Actor, tenantId: string, search: string | undefined, limit: number) {
  const directory = await openDirectory(deps, actor, tenantId);
  return { users: await queryTeamsUsers(deps.db, tenantId, search, limit), directory };
}

export async function getTeamsUser(deps: AppDeps, actor: Actor, tenantId: string, userId: string, options: { live: boolean }) {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  if (options.live) return teamsUserView(await refreshTeamsUser(deps, tenant, userId));
  const [row] = await deps.db.select().from(teamsUsers).where(and(eq(teamsUsers.tenantId, tenantId), eq(teamsUsers.userId, userId)));
  if (!row) throw new NotFoundError('Teams user');
  return teamsUserView(row);
}

export const DIRECTORY_REFRESH_QUEUE = 'teams-directory-refresh';

/** When the directory was last read in full, and whether a background refresh is under way. */
type DirectorySync = typeof teamsDirectorySyncs.$inferSelect;
type DirectoryFreshness = { syncedAt: string | null; refreshing: boolean; staleAfterMinutes: number };

function freshnessOf(row: DirectorySync | undefined, usersStaleMinutes: number, now: Date): DirectoryFreshness {
  const cutoff = now.getTime() - usersStaleMinutes * 60_000;
  const asked = row?.requestedAt && row.requestedAt.getTime() > cutoff && (!row.syncedAt || row.requestedAt > row.syncedAt);
  return { syncedAt: row?.syncedAt?.toISOString() ?? null, refreshing: Boolean(asked), staleAfterMinutes: usersStaleMinutes };
}

/**
 * Opening a tenant's users asks for a background sync when the last one is older than the
 * setting. The claim is one conditional upsert on requested_at, so of several requests (on any
 * node) at most one per period wins and queues the job; the job's singleton key is a second
 * guard. The caller never waits for the sync itself. Returns the sync row as it now stands.
 */
async function refreshDirectoryIfStale(deps: AppDeps, tenantId: string, known: DirectorySync | undefined, usersStaleMinutes: number): Promise<DirectorySync | undefined> {
  if (!deps.queue) return known;
  const now = deps.now();
  const cutoffTime = now.getTime() - usersStaleMinutes * 60_000;
  // Searching calls this on every keystroke: the row already read settles the usual, fresh case without a write.
  if (known && ((known.syncedAt && known.syncedAt.getTime() >= cutoffTime) || (known.requestedAt && known.requestedAt.getTime() >= cutoffTime))) return known;
  const [connection] = await deps.db.select({ tenantId: tenantConnections.tenantId }).from(tenantConnections).where(and(eq(tenantConnections.tenantId, tenantId), eq(tenantConnections.system, 'teams')));
  if (!connection) return known;
  const cutoff = new Date(cutoffTime).toISOString();
  const [claimed] = await deps.db
    .insert(teamsDirectorySyncs)
    .values({ tenantId, requestedAt: now })
    .onConflictDoUpdate({
      target: teamsDirectorySyncs.tenantId,
      set: { requestedAt: now },
      setWhere: sql`(${teamsDirectorySyncs.syncedAt} is null or ${teamsDirectorySyncs.syncedAt} < ${cutoff}::timestamptz) and (${teamsDirectorySyncs.requestedAt} is null or ${teamsDirectorySyncs.requestedAt} < ${cutoff}::timestamptz)`,
    })
    .returning();
  if (!claimed) {
    // Another request (on any node) claimed it first: show the row as it claimed it.
    const [current] = await deps.db.select().from(teamsDirectorySyncs).where(eq(teamsDirectorySyncs.tenantId, tenantId));
    return current;
  }
  await deps.queue.send(DIRECTORY_REFRESH_QUEUE, { tenantId }, { singletonKey: `directory-${tenantId}`, retryLimit: 2, retryDelay: 30, expireInSeconds: 1800 });
  return claimed;
}

/**
 * A tenant's users are being looked at: refresh them in the background if stale, and say how
 * fresh they are. The sync row is read once; the tenant row only when there is none (a sync row
 * belongs to an existing tenant), to answer 404 for a tenant that does not exist (#16).
 */
export async function openDirectory(deps: AppDeps, actor: Actor, tenantId: string): Promise<DirectoryFreshness> {
  assertTenantInScope(actor, tenantId);
  const { usersStaleMinutes } = await cachedSettings(deps.db);
  let [row] = await deps.db.select().from(teamsDirectorySyncs).where(eq(teamsDirectorySyncs.tenantId, tenantId));
  if (!row) await loadTenant(deps.db, actor, tenantId);
  // A failed claim or queue must never keep the list from showing.
  row = await refreshDirectoryIfStale(deps, tenantId, row, usersStaleMinutes).catch((error: unknown) => {
    deps.log.warn({ err: error, tenantId }, 'could not ask for a background Teams directory refresh');
    return row;
  });
  return freshnessOf(row, usersStaleMinutes, deps.now());
}
