import { and, asc, eq, sql } from 'drizzle-orm';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { serverTimeZone } from '../../core/time-zone.ts';
import type { Db } from '../../db/connection.ts';
import { tenants } from '../../db/schema/index.ts';
import { cachedSettings, type AppSettings } from '../settings/app-settings.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { assertTenantInScope, scopeCondition } from '../kernel/tenant-scope.ts';

export type TenantRow = typeof tenants.$inferSelect;

export type TenantFeatures = { teams: boolean; threecx: boolean; connectwise: boolean; manualNumberEntry: boolean; coolingDays: number };

/** A tenant's own settings where it has them, the global defaults elsewhere. */
export function effectiveFeatures(tenant: TenantRow, defaults: AppSettings): TenantFeatures {
  return {
    teams: tenant.teamsEnabled ?? defaults.teamsEnabled,
    threecx: tenant.threecxEnabled ?? defaults.threecxEnabled,
    connectwise: tenant.connectwiseEnabled ?? defaults.connectwiseEnabled,
    manualNumberEntry: tenant.manualNumberEntry ?? defaults.manualNumberEntry,
    coolingDays: tenant.coolingDays ?? defaults.coolingDays,
  };
}

export function tenantView(t: TenantRow, defaults: AppSettings) {
  return {
    id: t.id,
    name: t.name,
    microsoftTenantId: t.microsoftTenantId,
    primaryDomain: t.primaryDomain,
    defaultCountry: t.defaultCountry,
    /** The zone its times are chosen and shown in: its own setting, else the server's. */
    timeZone: tenantTimeZone(t),
    timeZoneSet: t.timeZone !== null,
    connectwiseCompanyId: t.connectwiseCompanyId,
    notes: t.notes,
    status: t.status,
    isDemo: t.isDemo,
    overrides: {
      teams: t.teamsEnabled,
      threecx: t.threecxEnabled,
      connectwise: t.connectwiseEnabled,
      manualNumberEntry: t.manualNumberEntry,
      coolingDays: t.coolingDays,
    },
    features: effectiveFeatures(t, defaults),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}
export type TenantView = ReturnType<typeof tenantView>;

/** The IANA zone a tenant's times are chosen and shown in. */
export const tenantTimeZone = (t: TenantRow): string => t.timeZone ?? serverTimeZone();

export type TenantInput = {
  name: string;
  microsoftTenantId?: string | null | undefined;
  primaryDomain?: string | null | undefined;
  defaultCountry?: string | null | undefined;
  /** IANA name; null: the server's zone. */
  timeZone?: string | null | undefined;
  connectwiseCompanyId?: string | null | undefined;
  notes?: string | undefined;
  overrides?: Partial<{ teams: boolean | null; threecx: boolean | null; connectwise: boolean | null; manualNumberEntry: boolean | null; coolingDays: number | null }> | undefined;
};

function columnsFrom(input: Partial<TenantInput>) {
  const o = input.overrides ?? {};
  return {
    ...(input.name !== undefined ? { name: input.name.trim() } : {}),
    ...(input.microsoftTenantId !== undefined ? { microsoftTenantId: input.microsoftTenantId?.toLowerCase() ?? null } : {}),
    ...(input.primaryDomain !== undefined ? { primaryDomain: input.primaryDomain?.toLowerCase() ?? null } : {}),
    ...(input.defaultCountry !== undefined ? { defaultCountry: input.defaultCountry?.toUpperCase() ?? null } : {}),
    ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
    ...(input.connectwiseCompanyId !== undefined ? { connectwiseCompanyId: input.connectwiseCompanyId } : {}),
    ...(input.notes !== undefined ? { notes: input.notes } : {}),
    ...(o.teams !== undefined ? { teamsEnabled: o.teams } : {}),
    ...(o.threecx !== undefined ? { threecxEnabled: o.threecx } : {}),
    ...(o.connectwise !== undefined ? { connectwiseEnabled: o.connectwise } : {}),
    ...(o.manualNumberEntry !== undefined ? { manualNumberEntry: o.manualNumberEntry } : {}),
    ...(o.coolingDays !== undefined ? { coolingDays: o.coolingDays } : {}),
  };
}

async function assertUnique(db: Db, input: Partial<TenantInput>, exceptId?: string): Promise<void> {
  if (input.name !== undefined) {
    const [clash] = await db.select({ id: tenants.id }).from(tenants).where(sql`lower(${tenants.name}) = lower(${input.name.trim()})`);
    if (clash && clash.id !== exceptId) throw new ConflictError(`A tenant named "${input.name.trim()}" already exists.`, 'tenant_name_taken');
  }
  if (input.microsoftTenantId) {
    const [clash] = await db.select({ id: tenants.id, name: tenants.name }).from(tenants).where(eq(tenants.microsoftTenantId, input.microsoftTenantId.toLowerCase()));
    if (clash && clash.id !== exceptId) throw new ConflictError(`The Microsoft tenant ${input.microsoftTenantId} already belongs to "${clash.name}".`, 'microsoft_tenant_taken');
  }
}

export async function listTenants(deps: AppDeps, actor: Actor, options: { includeArchived: boolean }): Promise<TenantView[]> {
  const defaults = await cachedSettings(deps.db);
  const rows = await deps.db
    .select()
    .from(tenants)
    .where(and(scopeCondition(actor, tenants.id), options.includeArchived ? undefined : eq(tenants.status, 'active')))
    .orderBy(asc(sql`lower(${tenants.name})`));
  return rows.map((t) => tenantView(t, defaults));
}

export async function loadTenant(db: Db, actor: Actor, tenantId: string): Promise<TenantRow> {
  assertTenantInScope(actor, tenantId);
  const [row] = await db.select().from(tenants).where(eq(tenants.id, tenantId));
  if (!row) throw new NotFoundError('Tenant');
  return row;
}

/** For work on a tenant's data: archived tenants are read-only. */
export async function loadActiveTenant(db: Db, actor: Actor, tenantId: string): Promise<TenantRow> {
  const row = await loadTenant(db, actor, tenantId);
  if (row.status === 'archived') throw new ConflictError(`The tenant "${row.name}" is archived; restore it before changing its data.`, 'tenant_archived');
  return row;
}

export async function getTenant(deps: AppDeps, actor: Actor, tenantId: string): Promise<TenantView> {
  return tenantView(await loadTenant(deps.db, actor, tenantId), await cachedSettings(deps.db));
}

export async function createTenant(deps: AppDeps, actor: Actor, input: TenantInput, request: RequestInfo, options: { isDemo?: boolean } = {}): Promise<TenantView> {
  return deps.db.transaction(async (tx) => {
    await assertUnique(tx, input);
    const [row] = await tx.insert(tenants).values({ ...columnsFrom(input), name: input.name.trim(), isDemo: options.isDemo ?? false }).returning();
    const defaults = await cachedSettings(tx);
    const view = tenantView(row!, defaults);
    await recordAudit(tx, { action: 'tenant.created', actor, tenantId: row!.id, targetType: 'tenant', targetId: row!.id, after: view, request });
    return view;
  });
}

export async function updateTenant(deps: AppDeps, actor: Actor, tenantId: string, changes: Partial<TenantInput>, request: RequestInfo): Promise<TenantView> {
  if (Object.keys(changes).length === 0) throw new ValidationError('Nothing to change.');
  return deps.db.transaction(async (tx) => {
    const before = await loadTenant(tx, actor, tenantId);
    await assertUnique(tx, changes, tenantId);
    const [after] = await tx.update(tenants).set({ ...columnsFrom(changes), updatedAt: deps.now() }).where(eq(tenants.id, tenantId)).returning();
    const defaults = await cachedSettings(tx);
    const view = tenantView(after!, defaults);
    await recordAudit(tx, { action: 'tenant.updated', actor, tenantId, targetType: 'tenant', targetId: tenantId, before: tenantView(before, defaults), after: view, request });
    return view;
  });
}

export async function setTenantStatus(deps: AppDeps, actor: Actor, tenantId: string, status: 'active' | 'archived', request: RequestInfo): Promise<TenantView> {
  return deps.db.transaction(async (tx) => {
    const before = await loadTenant(tx, actor, tenantId);
    if (before.status === status) throw new ConflictError(`The tenant is already ${status}.`);
    const [after] = await tx.update(tenants).set({ status, updatedAt: deps.now() }).where(eq(tenants.id, tenantId)).returning();
    await recordAudit(tx, { action: status === 'archived' ? 'tenant.archived' : 'tenant.restored', actor, tenantId, targetType: 'tenant', targetId: tenantId, before: { status: before.status }, after: { status }, request });
    return tenantView(after!, await cachedSettings(tx));
  });
}

/** Pass the transaction handle when inside one: PGlite has a single connection, so reading through deps.db there would wait on ourselves. */
export async function tenantFeatures(deps: AppDeps, tenant: TenantRow, db: Db = deps.db): Promise<TenantFeatures> {
  return effectiveFeatures(tenant, await cachedSettings(db));
}
