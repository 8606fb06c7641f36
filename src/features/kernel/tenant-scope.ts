import { inArray, sql, type SQL, type Column } from 'drizzle-orm';
import { NotFoundError } from '../../core/errors.ts';
import type { Actor } from './deps.ts';

export function inScope(actor: Actor, tenantId: string): boolean {
  return actor.allTenants || actor.tenantIds.includes(tenantId);
}

/**
 * Refuses a tenant outside the caller's scope as "not found": an operator must not even learn
 * that another customer's tenant or number exists.
 */
export function assertTenantInScope(actor: Actor, tenantId: string): void {
  if (!inScope(actor, tenantId)) throw new NotFoundError('Tenant');
}

/** A WHERE condition limiting a tenant id column to the caller's scope. */
export function scopeCondition(actor: Actor, tenantColumn: Column): SQL | undefined {
  if (actor.allTenants) return undefined;
  if (actor.tenantIds.length === 0) return sql`false`;
  return inArray(tenantColumn, actor.tenantIds);
}
