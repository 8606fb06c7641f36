import { and, eq, sql } from 'drizzle-orm';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { transition, type LifecycleAction } from '../../core/number-lifecycle.ts';
import type { Db } from '../../db/connection.ts';
import { phoneNumbers, tenants } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { numberSnapshot, numberView, searchTextOf, type NumberRow, type NumberView } from './number-view.ts';
import { loadActiveTenant, tenantFeatures, type TenantRow } from '../tenants/tenants.ts';

export type Assignee = { type: 'teams_user' | 'threecx_extension'; id: string; upn?: string | null | undefined; name?: string | null | undefined };

export type LifecycleRequest =
  | { action: 'reserve' | 'claim' | 'reclaim'; reason: string; until: Date; ticketId?: string | null | undefined }
  | { action: 'assign'; assignee: Assignee; ticketId?: string | null | undefined }
  | { action: Exclude<LifecycleAction, 'reserve' | 'claim' | 'reclaim' | 'assign'>; reason?: string | undefined; ticketId?: string | null | undefined };

const MAX_RESERVATION_DAYS = 365;

/**
 * Moves one number through the lifecycle: locks the row, asks the state machine, writes the
 * new state and one audit event, all in one transaction. Pass `tx` to run inside a larger one.
 */
export async function changeNumberStatus(
  deps: AppDeps,
  actor: Actor | null,
  tenantId: string,
  numberId: string,
  request: LifecycleRequest,
  info: RequestInfo | undefined,
  tx?: Db,
): Promise<NumberView> {
  const run = async (db: Db) => {
    const tenant = actor ? await loadActiveTenant(db, actor, tenantId) : await systemTenant(db, tenantId);
    const [row] = await db
      .select()
      .from(phoneNumbers)
      .where(and(eq(phoneNumbers.id, numberId), eq(phoneNumbers.tenantId, tenantId)))
      .for('update');
    if (!row) throw new NotFoundError('Number');
    const after = await applyTransition(deps, db, tenant, row, request, actor);
    await recordAudit(db, {
      action: `number.${request.action}`,
      actor: actor ?? undefined,
      tenantId,
      targetType: 'phone_number',
      targetId: row.id,
      before: numberSnapshot(row),
      after: numberSnapshot(after),
      ticketId: request.ticketId ?? null,
      ...(info ? { request: info } : {}),
    });
    return numberView(after);
  };
  if (tx) return run(tx);
  try {
    return await deps.db.transaction(run);
  } catch (error) {
    // A refused move changes nothing, but the attempt belongs on the record (G1: result and error).
    if (error instanceof AppError && error.status < 500 && error.status !== 404) {
      await recordAudit(deps.db, {
        action: `number.${request.action}`,
        result: 'failure',
        error: error.message,
        actor: actor ?? undefined,
        tenantId,
        targetType: 'phone_number',
        targetId: numberId,
        ticketId: request.ticketId ?? null,
        ...(info ? { request: info } : {}),
      });
    }
    throw error;
  }
}

async function systemTenant(db: Db, tenantId: string): Promise<TenantRow> {
  const [row] = await db.select().from(tenants).where(eq(tenants.id, tenantId));
  if (!row) throw new NotFoundError('Tenant');
  return row;
}

async function applyTransition(deps: AppDeps, db: Db, tenant: TenantRow, row: NumberRow, request: LifecycleRequest, actor: Actor | null): Promise<NumberRow> {
  const features = await tenantFeatures(deps, tenant, db);
  const result = transition(row.status, request.action, { coolingDays: features.coolingDays });
  if (!result.ok) throw new ConflictError(`${row.e164}: ${result.reason}`, 'illegal_transition');
  const now = deps.now();
  const cleared = { reservedBy: null, reservedUntil: null, reservationReason: null, reservationTicket: null, coolingUntil: null };
  let changes: Partial<NumberRow> = { ...cleared };
  switch (request.action) {
    case 'claim':
    case 'reclaim':
    case 'reserve': {
      if (request.until <= now) throw new ValidationError('The reservation must end in the future.', [{ field: 'until', message: 'Must be in the future' }]);
      if (request.until.getTime() - now.getTime() > MAX_RESERVATION_DAYS * 86_400_000) {
        throw new ValidationError(`A reservation lasts at most ${MAX_RESERVATION_DAYS} days.`, [{ field: 'until', message: `At most ${MAX_RESERVATION_DAYS} days ahead` }]);
      }
      changes = { reservedBy: actor?.operatorId ?? null, reservedUntil: request.until, reservationReason: request.reason, reservationTicket: request.ticketId ?? null, coolingUntil: null };
      break;
    }
    case 'assign':
      changes = { ...cleared, assigneeType: request.assignee.type, assigneeId: request.assignee.id, assigneeUpn: request.assignee.upn ?? null, assigneeName: request.assignee.name ?? null };
      break;
    case 'release':
      changes = {
        ...cleared,
        assigneeType: null,
        assigneeId: null,
        assigneeUpn: null,
        assigneeName: null,
        coolingUntil: result.to === 'cooling' ? new Date(now.getTime() + features.coolingDays * 86_400_000) : null,
      };
      break;
    default:
      break;
  }
  const next = { ...row, ...changes, status: result.to };
  try {
    const [after] = await db
      .update(phoneNumbers)
      .set({ ...changes, status: result.to, statusChangedAt: now, updatedAt: now, searchText: searchTextOf(next) })
      .where(eq(phoneNumbers.id, row.id))
      .returning();
    return after!;
  } catch (error) {
    if (isUniqueViolation(error, 'phone_numbers_one_number_per_assignee')) {
      throw new ConflictError(`${request.action === 'assign' ? request.assignee.upn ?? request.assignee.id : 'That user'} already has a number in this tenant; release it first.`, 'assignee_has_number');
    }
    throw error;
  }
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  // Drizzle wraps driver errors; the PostgreSQL error sits in `cause` on both drivers.
  const candidates = [error, (error as { cause?: unknown })?.cause];
  return candidates.some((e) => {
    const pgError = e as { code?: string; constraint?: string; message?: string } | undefined;
    return pgError?.code === '23505' && (!constraint || pgError.constraint === constraint || (pgError.message ?? '').includes(constraint));
  });
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
