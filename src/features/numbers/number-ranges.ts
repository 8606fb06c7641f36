import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { expandRange, parseNumber, rangeEnd } from '../../core/phone-number.ts';
import { nthNumber, parsePattern, rangeCounts } from '../../core/range-rules.ts';
import type { Db } from '../../db/connection.ts';
import { numberRanges, phoneNumbers, sites } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { createPatternNumber, insertNumbers } from './number-store.ts';
import { countByStatus } from './numbers-query.ts';
import { loadActiveTenant, loadTenant } from '../tenants/tenants.ts';

export type NumberKind = (typeof numberRanges.$inferSelect)['kind'];

export type RangeInput = {
  name: string;
  start?: string | undefined;
  end?: string | undefined;
  /** Instead of start and end or count: a pattern such as +1555123xxxx (core/range-rules.ts parsePattern). */
  pattern?: string | undefined;
  count?: number | undefined;
  kind: NumberKind;
  carrier?: string | undefined;
  siteId?: string | null | undefined;
};

function rangeView(r: typeof numberRanges.$inferSelect, rowCounts: Record<string, number>) {
  const counts = rangeCounts(r, rowCounts);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const inUse = (counts.assigned ?? 0) + (counts.reserved ?? 0);
  return {
    id: r.id,
    tenantId: r.tenantId,
    name: r.name,
    startE164: r.startE164,
    endE164: r.endE164,
    size: r.size,
    pattern: r.pattern,
    used: inUse,
    percentUsed: r.size === 0 ? 0 : Math.round((inUse / r.size) * 1000) / 10,
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
 * when any number of the range is already in the inventory, and when the range overlaps another.
 * A pattern range (+1555123xxxx) is created without its numbers: the allocator creates each as
 * it hands it out (`takePatternNumber`).
 */
export async function createRange(deps: AppDeps, actor: Actor, tenantId: string, input: RangeInput, request: RequestInfo): Promise<RangeView> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const span = input.pattern ? patternSpan(input.pattern) : explicitSpan(input, tenant.defaultCountry);

  return deps.db.transaction(async (tx) => {
    if (input.siteId) {
      const [site] = await tx.select({ id: sites.id }).from(sites).where(and(eq(sites.id, input.siteId), eq(sites.tenantId, tenantId)));
      if (!site) throw new ValidationError('That site does not exist in this tenant.', [{ field: 'siteId', message: 'Unknown site' }]);
    }
    const [nameClash] = await tx.select({ id: numberRanges.id }).from(numberRanges).where(and(eq(numberRanges.tenantId, tenantId), sql`lower(${numberRanges.name}) = lower(${input.name.trim()})`));
    if (nameClash) throw new ConflictError(`A range named "${input.name.trim()}" already exists in this tenant.`, 'range_name_taken');
    // Ranges of every tenant: a number is one tenant's (e164 is unique across tenants), so two ranges may never share one.
    // Same-length E.164 compare as text like the numbers they are (e164 is COLLATE "C").
    const [overlap] = await tx
      .select({ name: numberRanges.name, tenantId: numberRanges.tenantId, startE164: numberRanges.startE164, endE164: numberRanges.endE164 })
      .from(numberRanges)
      .where(and(sql`length(${numberRanges.startE164}) = ${span.startE164.length}`, sql`${numberRanges.startE164} <= ${span.endE164}`, sql`${numberRanges.endE164} >= ${span.startE164}`))
      .limit(1);
    if (overlap) {
      const which = overlap.tenantId === tenantId ? `the range ${overlap.name} (${overlap.startE164} to ${overlap.endE164})` : 'a range of another tenant';
      throw new ConflictError(`${span.label} overlaps ${which}; a number belongs to one range only.`, 'range_overlaps');
    }
    const existing = await tx
      .select({ e164: phoneNumbers.e164 })
      .from(phoneNumbers)
      .where(and(sql`${phoneNumbers.e164} between ${span.startE164} and ${span.endE164}`, sql`length(${phoneNumbers.e164}) = ${span.startE164.length}`))
      .orderBy(asc(phoneNumbers.e164))
      .limit(5);
    if (existing.length > 0) {
      throw new ConflictError(`Some numbers of this range are already in the inventory (${existing.slice(0, 5).map((e) => e.e164).join(', ')}${existing.length >= 5 ? ', …' : ''}).`, 'numbers_exist');
    }
    const [range] = await tx
      .insert(numberRanges)
      .values({ tenantId, name: input.name.trim(), startE164: span.startE164, endE164: span.endE164, size: span.size, pattern: span.pattern, kind: input.kind, carrier: input.carrier ?? '', siteId: input.siteId ?? null })
      .returning();
    if (!span.pattern) {
      const numbers = expandRange(span.startE164, span.endE164);
      await insertNumbers(
        tx,
        tenantId,
        (numbers.ok ? numbers.numbers : []).map((e164) => ({ e164, extension: '', kind: input.kind, status: 'available', rangeId: range!.id, siteId: input.siteId ?? null, carrier: input.carrier ?? '', tags: [], notes: '' })),
        actor,
        request,
        { source: 'range', rangeId: range!.id },
      );
    }
    const view = rangeView(range!, span.pattern ? {} : { available: span.size });
    await recordAudit(tx, { action: 'range.created', actor, tenantId, targetType: 'range', targetId: range!.id, after: { ...view, counts: undefined }, request });
    return view;
  });
}

type RangeSpan = { startE164: string; endE164: string; size: number; pattern: string | null; label: string };

function patternSpan(text: string): RangeSpan {
  const parsed = parsePattern(text);
  if (!parsed.ok) throw new ValidationError(parsed.reason, [{ field: 'pattern', message: parsed.reason }]);
  const p = parsed.value;
  return { startE164: p.firstE164, endE164: p.lastE164, size: p.capacity, pattern: p.pattern, label: `The pattern ${p.pattern}` };
}

function explicitSpan(input: RangeInput, defaultCountry: string | null): RangeSpan {
  const start = parseNumber(input.start ?? '', defaultCountry);
  if (!start.ok) throw new ValidationError(start.reason, [{ field: 'start', message: start.reason }]);
  let endE164: string;
  if (input.end) {
    const end = parseNumber(input.end, defaultCountry);
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
  return { startE164: start.value.e164, endE164, size: expanded.numbers.length, pattern: null, label: `The range ${start.value.e164} to ${endE164}` };
}

/**
 * The allocator found no available number in a pattern range: the pattern's next number not yet
 * created, created now as available (with its `number.created` event) and returned, or null when
 * the pattern is used up. The range row's update locks it until the caller's transaction ends, so
 * concurrent allocators from one range take turns here and each gets the next number; a number
 * that is in the inventory already (another tenant's, or added by hand) is stepped over.
 */
export async function takePatternNumber(tx: Db, actor: Actor, tenantId: string, rangeId: string, request: RequestInfo): Promise<string | null> {
  for (;;) {
    const [taken] = await tx
      .update(numberRanges)
      .set({ patternNext: sql`${numberRanges.patternNext} + 1` })
      .where(and(eq(numberRanges.id, rangeId), eq(numberRanges.tenantId, tenantId), isNotNull(numberRanges.pattern), sql`${numberRanges.patternNext} < ${numberRanges.size}`))
      .returning({ index: sql<number>`${numberRanges.patternNext} - 1`, pattern: numberRanges.pattern, kind: numberRanges.kind, carrier: numberRanges.carrier, siteId: numberRanges.siteId });
    if (!taken) return null;
    const parsed = parsePattern(taken.pattern!);
    const e164 = parsed.ok ? nthNumber(parsed.value, taken.index) : undefined;
    if (!e164) return null;
    const id = await createPatternNumber(tx, tenantId, { e164, extension: '', kind: taken.kind, status: 'available', rangeId, siteId: taken.siteId, carrier: taken.carrier, tags: [], notes: '' }, actor, request, { source: 'pattern range', rangeId });
    if (id) return id;
  }
}
