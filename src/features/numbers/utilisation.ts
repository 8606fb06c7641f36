import { and, asc, eq, gte, isNull, sql } from 'drizzle-orm';
import { queryRows } from '../../db/connection.ts';
import { numberStatsDaily } from '../../db/schema/index.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';
import { countByStatus } from './numbers-query.ts';
import { listRanges } from './number-ranges.ts';
import { loadTenant } from '../tenants/tenants.ts';

/** Counts by status for the tenant and each range, and the tenant's daily history (C8). */
export async function tenantUtilisation(deps: AppDeps, actor: Actor, tenantId: string, days = 90) {
  await loadTenant(deps.db, actor, tenantId);
  const since = new Date(deps.now().getTime() - days * 86_400_000).toISOString().slice(0, 10);
  const history = await deps.db
    .select({ day: numberStatsDaily.day, status: numberStatsDaily.status, count: numberStatsDaily.count })
    .from(numberStatsDaily)
    .where(and(eq(numberStatsDaily.tenantId, tenantId), isNull(numberStatsDaily.rangeId), gte(numberStatsDaily.day, since)))
    .orderBy(asc(numberStatsDaily.day));
  const byDay = new Map<string, Record<string, number>>();
  for (const h of history) byDay.set(h.day, { ...byDay.get(h.day), [h.status]: h.count });
  return {
    counts: await countByStatus(deps.db, tenantId),
    ranges: (await listRanges(deps, actor, tenantId)).map((r) => ({ id: r.id, name: r.name, size: r.size, counts: r.counts, utilisation: r.utilisation })),
    history: [...byDay.entries()].map(([day, counts]) => ({ day, counts })),
  };
}

/** Records today's counts per tenant and per range; run daily, safe to run again the same day. */
export async function snapshotUtilisation(deps: AppDeps): Promise<number> {
  const day = deps.now().toISOString().slice(0, 10);
  return deps.db.transaction(async (tx) => {
    await tx.delete(numberStatsDaily).where(eq(numberStatsDaily.day, day));
    const rows = await queryRows<{ n: number }>(
      tx,
      sql`with counts as (
            select tenant_id, null::uuid as range_id, status, count(*)::int as count from phone_numbers group by tenant_id, status
            union all
            select tenant_id, range_id, status, count(*)::int from phone_numbers where range_id is not null group by tenant_id, range_id, status
          ), inserted as (
            insert into number_stats_daily (day, tenant_id, range_id, status, count)
            select ${day}::date, tenant_id, range_id, status, count from counts
            returning 1
          ) select count(*)::int as n from inserted`,
    );
    return rows[0]?.n ?? 0;
  });
}
