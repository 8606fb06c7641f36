import { and, desc, eq, gte, ilike, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { ValidationError } from '../../core/errors.ts';
import { likeEscape } from '../../core/search-query.ts';
import { auditEvents } from '../../db/schema/index.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';
import { scopeCondition } from '../kernel/tenant-scope.ts';

/** What the audit log can be narrowed by; the list and the CSV export take the same filter. */
export type AuditFilter = {
  tenantId?: string | undefined;
  /** Exact action, or a prefix ending in "." (e.g. "voice.") for a whole family. */
  action?: string | undefined;
  operatorId?: string | undefined;
  targetId?: string | undefined;
  ticketId?: string | undefined;
  result?: 'success' | 'failure' | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Free text: who, action, target, ticket or error message. */
  search?: string | undefined;
};

export type AuditPageFilter = AuditFilter & {
  /** Keyset paging: events older than this id. */
  before?: number | undefined;
  limit: number;
};

/**
 * The WHERE conditions for a caller and a filter. Admins see everything in their tenant scope.
 * Others see their tenants' events (not other operators' sign-ins and account changes, which
 * belong to no tenant) and their own events. The export uses exactly this, so it can never
 * show more than the list.
 */
export function auditConditions(actor: Actor, filter: AuditFilter): SQL[] {
  if (filter.from && filter.to && filter.from > filter.to) {
    throw new ValidationError('The start of the time range is after its end.', [{ field: 'querystring.from', message: 'must not be after "to"' }]);
  }
  const conditions: SQL[] = [];
  const scope = scopeCondition(actor, auditEvents.tenantId);
  const ownEvents = eq(auditEvents.operatorId, actor.operatorId);
  if (actor.role === 'admin') {
    if (scope) conditions.push(or(scope, and(isNull(auditEvents.tenantId), ownEvents))!);
  } else {
    conditions.push(or(and(isNotNull(auditEvents.tenantId), scope ?? sql`true`), ownEvents)!);
  }
  if (filter.tenantId) conditions.push(eq(auditEvents.tenantId, filter.tenantId));
  if (filter.action) conditions.push(filter.action.endsWith('.') ? ilike(auditEvents.action, `${likeEscape(filter.action)}%`) : eq(auditEvents.action, filter.action));
  if (filter.operatorId) conditions.push(eq(auditEvents.operatorId, filter.operatorId));
  if (filter.targetId) conditions.push(eq(auditEvents.targetId, filter.targetId));
  if (filter.ticketId) conditions.push(eq(auditEvents.ticketId, filter.ticketId));
  if (filter.result) conditions.push(eq(auditEvents.result, filter.result));
  if (filter.from) conditions.push(gte(auditEvents.occurredAt, filter.from));
  if (filter.to) conditions.push(lte(auditEvents.occurredAt, filter.to));
  if (filter.search) {
    const pattern = `%${likeEscape(filter.search)}%`;
    conditions.push(
      or(
        ilike(auditEvents.actor, pattern),
        ilike(auditEvents.action, pattern),
        ilike(auditEvents.targetId, pattern),
        ilike(auditEvents.ticketId, pattern),
        ilike(auditEvents.error, pattern),
      )!,
    );
  }
  return conditions;
}

/** Newest first, paged by id so a page stays fast however long the log grows. */
export async function searchAudit(deps: AppDeps, actor: Actor, filter: AuditPageFilter) {
  const conditions = auditConditions(actor, filter);
  if (filter.before) conditions.push(lt(auditEvents.id, filter.before));
  const where = conditions.length ? and(...conditions) : undefined;
  // One tenant's page: the ids first, from (tenant, id, action) alone, then their rows. Asked
  // directly, the planner walks the whole log newest-first and drops other tenants' events,
  // because it assumes each tenant's events are spread evenly through it; for a quiet tenant
  // among busy ones that walk is the whole log (#16, docs/performance.md).
  const rows = await deps.db
    .select()
    .from(auditEvents)
    .where(filter.tenantId ? inArray(auditEvents.id, deps.db.select({ id: auditEvents.id }).from(auditEvents).where(where).orderBy(desc(auditEvents.id)).limit(filter.limit + 1)) : where)
    .orderBy(desc(auditEvents.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  return {
    events: page.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })),
    nextBefore: rows.length > filter.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}
