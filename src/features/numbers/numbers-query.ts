import { and, arrayContains, asc, desc, eq, inArray, isNotNull, like, sql, type SQL } from 'drizzle-orm';
import { likeEscape } from '../../core/search-query.ts';
import { ValidationError } from '../../core/errors.ts';
import { decodeNumberCursor, encodeNumberCursor, type NumberSort } from '../../core/number-cursor.ts';
import type { Db } from '../../db/connection.ts';
import { phoneNumbers } from '../../db/schema/index.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';
import { numberView, type NumberRow, type NumberView } from './number-view.ts';
import { loadTenant } from '../tenants/tenants.ts';
import { assertTenantInScope } from '../kernel/tenant-scope.ts';

export { numberSorts, type NumberSort } from '../../core/number-cursor.ts';

export type NumberFilter = {
  search?: string | undefined;
  status?: NumberRow['status'][] | undefined;
  kind?: NumberRow['kind'][] | undefined;
  rangeId?: string | undefined;
  siteId?: string | undefined;
  carrier?: string | undefined;
  tag?: string | undefined;
  /** The numbers one CSV import created. */
  importId?: string | undefined;
  /** The number's country (ISO alpha-2, derived from the E.164). */
  country?: string | undefined;
  usageLocation?: string | undefined;
  /** Numbers a Teams user and the same person's 3CX extension both use (docs/decisions/0006). */
  shared?: boolean | undefined;
};

export type NumberPageRequest = NumberFilter & { sort: NumberSort; dir: 'asc' | 'desc'; after?: string | undefined; limit: number; withTotal?: boolean | undefined };

/** The columns each sort orders by; the id always comes last so the order is total. */
function sortColumns(sort: NumberSort): SQL[] {
  switch (sort) {
    case 'status':
      return [sql`${phoneNumbers.status}`, sql`${phoneNumbers.e164}`, sql`${phoneNumbers.id}`];
    case 'updatedAt':
      return [sql`${phoneNumbers.updatedAt}`, sql`${phoneNumbers.id}`];
    case 'assignee':
      return [sql`coalesce(${phoneNumbers.assigneeUpn}, '')`, sql`${phoneNumbers.e164}`, sql`${phoneNumbers.id}`];
    default:
      return [sql`${phoneNumbers.e164}`, sql`${phoneNumbers.id}`];
  }
}

/** The cursor that continues after `row` in the given sort order. */
export function cursorAfter(sort: NumberSort, row: NumberRow): string {
  return encodeNumberCursor(cursorValues(sort, row));
}

function cursorValues(sort: NumberSort, row: NumberRow): string[] {
  switch (sort) {
    case 'status':
      return [row.status, row.e164, row.id];
    case 'updatedAt':
      return [row.updatedAt.toISOString(), row.id];
    case 'assignee':
      return [row.assigneeUpn ?? '', row.e164, row.id];
    default:
      return [row.e164, row.id];
  }
}

export function filterConditions(tenantId: string, f: NumberFilter): SQL {
  const conditions: (SQL | undefined)[] = [eq(phoneNumbers.tenantId, tenantId)];
  if (f.status?.length) conditions.push(inArray(phoneNumbers.status, f.status));
  if (f.kind?.length) conditions.push(inArray(phoneNumbers.kind, f.kind));
  if (f.rangeId) conditions.push(eq(phoneNumbers.rangeId, f.rangeId));
  if (f.siteId) conditions.push(eq(phoneNumbers.siteId, f.siteId));
  if (f.carrier) conditions.push(eq(phoneNumbers.carrier, f.carrier));
  if (f.tag) conditions.push(arrayContains(phoneNumbers.tags, [f.tag]));
  if (f.importId) conditions.push(eq(phoneNumbers.importId, f.importId));
  // Each served by its index: (tenant, country, e164), (tenant, usage location, e164) and the partial (tenant, linked extension).
  if (f.country) conditions.push(eq(phoneNumbers.country, f.country));
  if (f.usageLocation) conditions.push(eq(phoneNumbers.usageLocation, f.usageLocation));
  if (f.shared) conditions.push(isNotNull(phoneNumbers.linkedExtension));
  const search = f.search?.trim().toLowerCase();
  if (search) {
    // "+1 (415) 555-01" and "41555501" should both find +14155550123: digits-only searches ignore formatting.
    const digits = search.replace(/[\s()+.-]/g, '');
    const term = /^\d+$/.test(digits) ? digits : search.replace(/^\+/, '');
    // LIKE, not ILIKE: search_text is stored lower-cased and so is the term; ILIKE's per-row case
    // folding made a dense digit search's index walk ten times dearer (#16, docs/performance.md).
    conditions.push(like(phoneNumbers.searchText, `%${likeEscape(term)}%`));
  }
  return and(...conditions)!;
}

/**
 * One page of a tenant's numbers, filtered and sorted, with keyset paging: the cursor is the
 * last row's sort key, so page 500 costs what page 1 costs.
 */
export async function listNumbers(deps: AppDeps, actor: Actor, tenantId: string, page: NumberPageRequest): Promise<{ numbers: NumberView[]; next: string | null; total?: number }> {
  assertTenantInScope(actor, tenantId);
  const result = await queryNumberPage(deps.db, tenantId, page);
  // A number belongs to an existing tenant, so only an empty page needs the tenant read to tell
  // "no such tenant" (404) from "no numbers match": one round trip less for every page (#16).
  if (result.numbers.length === 0) await loadTenant(deps.db, actor, tenantId);
  return result;
}

export async function queryNumberPage(db: Db, tenantId: string, page: NumberPageRequest): Promise<{ numbers: NumberView[]; next: string | null; total?: number }> {
  const rows = await queryNumberRows(db, tenantId, page);
  const hasMore = rows.length > page.limit;
  const pageRows = rows.slice(0, page.limit);
  const last = pageRows[pageRows.length - 1];
  const result: { numbers: NumberView[]; next: string | null; total?: number } = {
    numbers: pageRows.map(numberView),
    next: hasMore && last ? cursorAfter(page.sort, last) : null,
  };
  if (page.withTotal) {
    const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(phoneNumbers).where(filterConditions(tenantId, page));
    result.total = count?.n ?? 0;
  }
  return result;
}

/** Raw rows of one page (limit + 1, to tell whether more follow). */
export async function queryNumberRows(db: Db, tenantId: string, page: NumberPageRequest): Promise<NumberRow[]> {
  const columns = sortColumns(page.sort);
  const where: SQL[] = [filterConditions(tenantId, page)];
  if (page.after) {
    // The route's schema has checked the cursor already; this is the same check for other callers.
    const cursor = decodeNumberCursor(page.sort, page.after);
    if (!cursor.ok) throw new ValidationError(`The page cursor ${cursor.message}.`, [{ field: 'querystring.after', message: cursor.message }]);
    const values = cursor.values;
    const typed = values.map((v, i) => (page.sort === 'updatedAt' && i === 0 ? sql`${v}::timestamptz` : i === columns.length - 1 ? sql`${v}::uuid` : sql`${v}`));
    const op = page.dir === 'asc' ? sql`>` : sql`<`;
    where.push(sql`(${sql.join(columns, sql`, `)}) ${op} (${sql.join(typed, sql`, `)})`);
  }
  const order = columns.map((c) => (page.dir === 'asc' ? asc(c) : desc(c)));
  return db
    .select()
    .from(phoneNumbers)
    .where(and(...where))
    .orderBy(...order)
    .limit(page.limit + 1);
}
/** Count of numbers by status, for one tenant (and optionally one range). */
export async function countByStatus(db: Db, tenantId: string, rangeId?: string): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: phoneNumbers.status, n: sql<number>`count(*)::int` })
    .from(phoneNumbers)
    .where(and(eq(phoneNumbers.tenantId, tenantId), rangeId ? eq(phoneNumbers.rangeId, rangeId) : undefined))
    .groupBy(phoneNumbers.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
