import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { expandRange, parseNumber, rangeEnd } from '../../core/phone-number.ts';
import { numberRanges, phoneNumbers, sites } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { insertNumbers } from './number-store.ts';
import { countByStatus } from './numbers-query.ts';
import { loadActiveTenant, loadTenant } from '../tenants/tenants.ts';

export type NumberKind = (typeof numberRanges.$inferSelect)['kind'];

export type RangeInput = {
  name: string;
  start: string;
  end?: string | undefined;
  count?: number | undefined;
  kind: NumberKind;
  carrier?: string | undefined;
  siteId?: string | null | undefined;
};

function rangeView(r: typeof numberRanges.$inferSelect, counts: Record<string, number>) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const inUse = (counts.assigned ?? 0) + (counts.reserved ?? 0);
  return {
    id: r.id,
    tenantId: r.tenantId,
    name: r.name,
    startE164: r.startE164,
    endE164: r.endE164,
    size: r.size,
    kind: r.kind,
    carrier: r.carrier,
    siteId: r.siteId,
    createdAt: r.createdAt.toISOString(),
    counts,
    utilisation: total === 0 ? 0 : Math.round((inUse / total) * 1000) / 10,
  };
}
export type RangeView = ReturnType<typeof rangeView>;

export async function listRanges(deps: AppDeps, actor: Actor, tenantId: string): Promise<RangeView[]> {
  await loadTenant(deps.db, actor, tenantId);
  const ranges = await deps.db.select().from(numberRanges).where(eq(numberRanges.tenantId, tenantId)).orderBy(asc(numberRanges.startE164));
  const counts = await deps.db
    .select({ rangeId: phoneNumbers.rangeId, status: phoneNumbers.status, n: sql<number>`count(*)::int` })
    .from(phoneNumbers)
    .where(eq(phoneNumbers.tenantId, tenantId))
    .groupBy(phoneNumbers.rangeId, phoneNumbers.status);
  return ranges.map((r) => rangeView(r, Object.fromEntries(counts.filter((c) => c.rangeId === r.id).map((c) => [c.status, c.n]))));
}

export async function getRange(deps: AppDeps, actor: Actor, tenantId: string, rangeId: string): Promise<RangeView> {
  await loadTenant(deps.db, actor, tenantId);
  const [range] = await deps.db.select().from(numberRanges).where(and(eq(numberRanges.id, rangeId), eq(numberRanges.tenantId, tenantId)));
  if (!range) throw new NotFoundError('Range');
  return rangeView(range, await countByStatus(deps.db, tenantId, rangeId));
}

/**
 * Creates a range and all its numbers as available. Refused, with the clashing numbers named,
 * when any number of the range is already in the inventory.
 */
export async function createRange(deps: AppDeps, actor: Actor, tenantId: string, input: RangeInput, request: RequestInfo): Promise<RangeView> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const start = parseNumber(input.start, tenant.defaultCountry);
  if (!start.ok) throw new ValidationError(start.reason, [{ field: 'start', message: start.reason }]);
  let endE164: string;
  if (input.end) {
    const end = parseNumber(input.end, tenant.defaultCountry);
    if (!end.ok) throw new ValidationError(end.reason, [{ field: 'end', message: end.reason }]);
    endE164 = end.value.e164;
  } else if (input.count) {
    endE164 = rangeEnd(start.value.e164, input.count);
  } else {
    throw new ValidationError('Give the last number of the range or how many numbers it holds.', [{ field: 'end', message: 'End or count is required' }]);
  }
  const expanded = expandRange(start.value.e164, endE164);
  if (!expanded.ok) throw new ValidationError(expanded.reason, [{ field: 'end', message: expanded.reason }]);
  const endCheck = parseNumber(endE164);
  if (!endCheck.ok) throw new ValidationError(`The range would end at ${endE164}, which is not a valid number.`, [{ field: 'end', message: endCheck.reason }]);

  return deps.db.transaction(async (tx) => {
    if (input.siteId) {
      const [site] = await tx.select({ id: sites.id }).from(sites).where(and(eq(sites.id, input.siteId), eq(sites.tenantId, tenantId)));
      if (!site) throw new ValidationError('That site does not exist in this tenant.', [{ field: 'siteId', message: 'Unknown site' }]);
    }
    const [nameClash] = await tx.select({ id: numberRanges.id }).from(numberRanges).where(and(eq(numberRanges.tenantId, tenantId), sql`lower(${numberRanges.name}) = lower(${input.name.trim()})`));
    if (nameClash) throw new ConflictError(`A range named "${input.name.trim()}" already exists in this tenant.`, 'range_name_taken');
    const existing: string[] = [];
    for (let i = 0; i < expanded.numbers.length && existing.length < 5; i += 5_000) {
      const slice = expanded.numbers.slice(i, i + 5_000);
      const found = await tx.select({ e164: phoneNumbers.e164 }).from(phoneNumbers).where(inArray(phoneNumbers.e164, slice)).limit(5);
      existing.push(...found.map((f) => f.e164));
    }
    if (existing.length > 0) {
      throw new ConflictError(`Some numbers of this range are already in the inventory (${existing.slice(0, 5).join(', ')}${existing.length >= 5 ? ', …' : ''}).`, 'numbers_exist');
    }
    const [range] = await tx
      .insert(numberRanges)
      .values({ tenantId, name: input.name.trim(), startE164: start.value.e164, endE164, size: expanded.numbers.length, kind: input.kind, carrier: input.carrier ?? '', siteId: input.siteId ?? null })
      .returning();
    await insertNumbers(
      tx,
      tenantId,
      expanded.numbers.map((e164) => ({ e164, extension: '', kind: input.kind, status: 'available', rangeId: range!.id, siteId: input.siteId ?? null, carrier: input.carrier ?? '', tags: [], notes: '' })),
      actor,
      request,
      { source: 'range', rangeId: range!.id },
    );
    const view = rangeView(range!, { available: expanded.numbers.length });
    await recordAudit(tx, { action: 'range.created', actor, tenantId, targetType: 'range', targetId: range!.id, after: { ...view, counts: undefined }, request });
    return view;
  });
}
