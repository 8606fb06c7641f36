import { and, desc, eq, gte, ilike, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { auditEvents } from '../db/schema/index.ts';
import type { Actor, AppDeps } from './deps.ts';
import { scopeCondition } from './tenant-scope.ts';

export type AuditFilter = {
  tenantId?: string | undefined;
  action?: string | undefined;
  operatorId?: string | undefined;
  targetId?: string | undefined;
  ticketId?: string | undefined;
  result?: 'success' | 'failure' | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  search?: string | undefined;
  /** Keyset paging: events older than this id. */
  before?: number | undefined;
  limit: number;
};

/** Newest first, paged by id so a page stays fast however long the log grows. */
export async function searchAudit(deps: AppDeps, actor: Actor, filter: AuditFilter) {
  const conditions: SQL[] = [];
  // Admins see everything in their tenant scope. Others see their tenants' events (not other
  // operators' sign-ins and account changes, which belong to no tenant) and their own events.
  const scope = scopeCondition(actor, auditEvents.tenantId);
  const ownEvents = eq(auditEvents.operatorId, actor.operatorId);
  if (actor.role === 'admin') {
    if (scope) conditions.push(or(scope, and(isNull(auditEvents.tenantId), ownEvents))!);
  } else {
    conditions.push(or(and(isNotNull(auditEvents.tenantId), scope ?? sql`true`), ownEvents)!);
  }
  if (filter.tenantId) conditions.push(eq(auditEvents.tenantId, filter.tenantId));
  if (filter.action) conditions.push(filter.action.endsWith('.') ? ilike(auditEvents.action, `${filter.action}%`) : eq(auditEvents.action, filter.action));
  if (filter.operatorId) conditions.push(eq(auditEvents.operatorId, filter.operatorId));
  if (filter.targetId) conditions.push(eq(auditEvents.targetId, filter.targetId));
  if (filter.ticketId) conditions.push(eq(auditEvents.ticketId, filter.ticketId));
  if (filter.result) conditions.push(eq(auditEvents.result, filter.result));
  if (filter.from) conditions.push(gte(auditEvents.occurredAt, filter.from));
  if (filter.to) conditions.push(lte(auditEvents.occurredAt, filter.to));
  if (filter.before) conditions.push(lt(auditEvents.id, filter.before));
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(auditEvents.actor, pattern), ilike(auditEvents.action, pattern), ilike(auditEvents.targetId, pattern))!);
  }
  const rows = await deps.db
    .select()
    .from(auditEvents)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  return {
    events: page.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })),
    nextBefore: rows.length > filter.limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}
