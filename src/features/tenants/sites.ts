import { and, asc, eq, sql } from 'drizzle-orm';
import { ConflictError, NotFoundError } from '../../core/errors.ts';
import { sites } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { loadActiveTenant, loadTenant } from './tenants.ts';

export function siteView(s: typeof sites.$inferSelect) {
  return { id: s.id, tenantId: s.tenantId, name: s.name, address: s.address, createdAt: s.createdAt.toISOString() };
}

export async function listSites(deps: AppDeps, actor: Actor, tenantId: string) {
  await loadTenant(deps.db, actor, tenantId);
  const rows = await deps.db.select().from(sites).where(eq(sites.tenantId, tenantId)).orderBy(asc(sites.name));
  return rows.map(siteView);
}

export async function createSite(deps: AppDeps, actor: Actor, tenantId: string, input: { name: string; address?: string | undefined }, request: RequestInfo) {
  return deps.db.transaction(async (tx) => {
    await loadActiveTenant(tx, actor, tenantId);
    const [clash] = await tx.select({ id: sites.id }).from(sites).where(and(eq(sites.tenantId, tenantId), sql`lower(${sites.name}) = lower(${input.name.trim()})`));
    if (clash) throw new ConflictError(`A site named "${input.name.trim()}" already exists in this tenant.`, 'site_name_taken');
    const [row] = await tx.insert(sites).values({ tenantId, name: input.name.trim(), address: input.address ?? '' }).returning();
    await recordAudit(tx, { action: 'site.created', actor, tenantId, targetType: 'site', targetId: row!.id, after: siteView(row!), request });
    return siteView(row!);
  });
}

export async function updateSite(deps: AppDeps, actor: Actor, tenantId: string, siteId: string, input: { name?: string | undefined; address?: string | undefined }, request: RequestInfo) {
  return deps.db.transaction(async (tx) => {
    await loadActiveTenant(tx, actor, tenantId);
    const [before] = await tx.select().from(sites).where(and(eq(sites.id, siteId), eq(sites.tenantId, tenantId)));
    if (!before) throw new NotFoundError('Site');
    // Nothing to change (an empty PATCH): the site as it is, no write and no audit event.
    if (input.name === undefined && input.address === undefined) return siteView(before);
    const [after] = await tx
      .update(sites)
      .set({ ...(input.name !== undefined ? { name: input.name.trim() } : {}), ...(input.address !== undefined ? { address: input.address } : {}) })
      .where(eq(sites.id, siteId))
      .returning();
    await recordAudit(tx, { action: 'site.updated', actor, tenantId, targetType: 'site', targetId: siteId, before: siteView(before), after: siteView(after!), request });
    return siteView(after!);
  });
}
