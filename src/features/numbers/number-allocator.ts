import { and, arrayContains, asc, eq } from 'drizzle-orm';
import { ConflictError, ValidationError } from '../../core/errors.ts';
import type { Db } from '../../db/connection.ts';
import { phoneNumbers } from '../../db/schema/index.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { changeNumberStatus, type LifecycleRequest } from './number-store.ts';
import type { NumberView } from './number-view.ts';
import { loadActiveTenant } from '../tenants/tenants.ts';

export type AllocationSource = { rangeId: string } | { siteId: string } | { tag: string };

/**
 * Takes the lowest available number from a range, site or tag and reserves or assigns it.
 * `FOR UPDATE SKIP LOCKED` lets concurrent allocations pass each other: each locks a
 * different free row, so two operators never get the same number, and nobody waits.
 */
export async function allocateNextNumber(
  deps: AppDeps,
  actor: Actor,
  tenantId: string,
  source: AllocationSource,
  then: (Extract<LifecycleRequest, { action: 'reserve' | 'claim' | 'reclaim' }> & { action: 'reserve' }) | Extract<LifecycleRequest, { action: 'assign' }>,
  info: RequestInfo,
  tx?: Db,
): Promise<NumberView> {
  const run = async (db: Db) => {
    await loadActiveTenant(db, actor, tenantId);
    const where = and(
      eq(phoneNumbers.tenantId, tenantId),
      eq(phoneNumbers.status, 'available'),
      'rangeId' in source ? eq(phoneNumbers.rangeId, source.rangeId) : 'siteId' in source ? eq(phoneNumbers.siteId, source.siteId) : arrayContains(phoneNumbers.tags, [source.tag]),
    );
    const [free] = await db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(where).orderBy(asc(phoneNumbers.e164)).limit(1).for('update', { skipLocked: true });
    if (!free) {
      const what = 'rangeId' in source ? 'that range' : 'siteId' in source ? 'that site' : `tag "${source.tag}"`;
      throw new ConflictError(`No available number is left in ${what}.`, 'no_free_number');
    }
    return changeNumberStatus(deps, actor, tenantId, free.id, then, info, db);
  };
  if (!('rangeId' in source) && !('siteId' in source) && !source.tag.trim()) throw new ValidationError('Say where to allocate from: a range, a site or a tag.');
  return tx ? run(tx) : deps.db.transaction(run);
}
