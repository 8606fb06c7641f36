import { and, arrayContains, asc, eq, isNotNull } from 'drizzle-orm';
import { ConflictError, ValidationError } from '../../core/errors.ts';
import type { Db } from '../../db/connection.ts';
import { numberRanges, phoneNumbers } from '../../db/schema/index.ts';
import { takePatternNumber } from './number-ranges.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { changeNumberStatus, type LifecycleRequest } from './number-store.ts';
import type { NumberView } from './number-view.ts';
import { loadActiveTenant } from '../tenants/tenants.ts';

export type AllocationSource = { rangeId: string } | { siteId: string } | { tag: string };

/**
 * Takes the lowest available number from a range, site or tag and reserves or assigns it.
 * `FOR UPDATE SKIP LOCKED` lets concurrent allocations pass each other: each locks a
 * different free row, so two operators never get the same number, and nobody waits.
 * When none is available, a pattern range creates its next number (number-ranges.ts
 * `takePatternNumber`): there allocations from one range take turns on the range's row.
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
    const [row] = await db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(where).orderBy(asc(phoneNumbers.e164)).limit(1).for('update', { skipLocked: true });
    const free = row ?? (await fromPatterns(db, source));
    if (!free) {
      const what = 'rangeId' in source ? 'that range' : 'siteId' in source ? 'that site' : `tag "${source.tag}"`;
      throw new ConflictError(`No available number is left in ${what}.`, 'no_free_number');
    }
    return changeNumberStatus(deps, actor, tenantId, free.id, then, info, db);
  };
  // No available number exists: a pattern range (of the range, or of the site) creates its next one.
  const fromPatterns = async (db: Db, from: AllocationSource): Promise<{ id: string } | undefined> => {
    if ('tag' in from) return undefined;
    const ranges = await db
      .select({ id: numberRanges.id })
      .from(numberRanges)
      .where(and(eq(numberRanges.tenantId, tenantId), isNotNull(numberRanges.pattern), 'rangeId' in from ? eq(numberRanges.id, from.rangeId) : eq(numberRanges.siteId, from.siteId)))
      .orderBy(asc(numberRanges.startE164));
    for (const range of ranges) {
      const id = await takePatternNumber(db, actor, tenantId, range.id, info);
      if (id) return { id };
    }
    return undefined;
  };
  if (!('rangeId' in source) && !('siteId' in source) && !source.tag.trim()) throw new ValidationError('Say where to allocate from: a range, a site or a tag.');
  return tx ? run(tx) : deps.db.transaction(run);
}
