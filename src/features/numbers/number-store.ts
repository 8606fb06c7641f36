/**
 * The one writer of `phone_numbers`. Every insert, status change and attribute edit of a number
 * goes through this module, and each writes its audit event in the same transaction. Status
 * changes ask the state machine (core/number-lifecycle.ts `transition`); the database keeps the
 * rest honest: one row per number (e164 + extension unique across tenants) and one assigned
 * number per assignee (partial unique index), with rows locked (SELECT … FOR UPDATE) before a change.
 * Other features read numbers through numbers-query.ts and number-view.ts.
 */
import { and, eq, inArray, ne, sql, type SQL } from 'drizzle-orm';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { transition, type LifecycleAction } from '../../core/number-lifecycle.ts';
import { countryOfNumber } from '../../core/phone-number.ts';
import { queryRows, type Db } from '../../db/connection.ts';
import { phoneNumbers, tenants } from '../../db/schema/index.ts';
import { recordAudit, type AuditInput } from '../kernel/audit-log.ts';
import { actorLabel, type Actor, type AppDeps, type RequestInfo } from '../kernel/deps.ts';
import { numberSnapshot, numberView, searchTextOf, type NumberRow, type NumberView } from './number-view.ts';
import { loadActiveTenant, tenantFeatures, type TenantRow } from '../tenants/tenants.ts';

export type Assignee = { type: 'teams_user' | 'threecx_extension'; id: string; upn?: string | null | undefined; name?: string | null | undefined };

export type LifecycleRequest =
  | { action: 'reserve' | 'claim' | 'reclaim'; reason: string; until: Date; ticketId?: string | null | undefined }
  | { action: 'assign'; assignee: Assignee; ticketId?: string | null | undefined }
  | { action: Exclude<LifecycleAction, 'reserve' | 'claim' | 'reclaim' | 'assign' | 'adopt'>; reason?: string | undefined; ticketId?: string | null | undefined };

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
  /** More writes that belong to the same move (its ticket logging), in its transaction. */
  alsoInTransaction?: (db: Db, after: NumberView) => Promise<void>,
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
    const view = numberView(after);
    if (alsoInTransaction) await alsoInTransaction(db, view);
    return view;
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
  const now = deps.now();
  if (row.linkedExtension) {
    // The same person's 3CX extension still has the DID: when Teams lets it go, the number stays
    // assigned, to the extension, instead of cooling while a phone still rings on it.
    if (request.action !== 'release') throw new ConflictError(`${row.e164} is also held by 3CX extension ${row.linkedExtension}; remove the extension first.`, 'number_has_extension');
    const moved = { assigneeType: 'threecx_extension' as const, assigneeId: row.linkedExtension, assigneeUpn: null, assigneeName: row.linkedExtensionName, linkedExtension: null, linkedExtensionName: null };
    const [after] = await db
      .update(phoneNumbers)
      .set({ ...moved, statusChangedAt: now, updatedAt: now, searchText: searchTextOf({ ...row, ...moved }) })
      .where(eq(phoneNumbers.id, row.id))
      .returning();
    return after!;
  }
  const result = transition(row.status, request.action, { coolingDays: features.coolingDays });
  if (!result.ok) throw new ConflictError(`${row.e164}: ${result.reason}`, 'illegal_transition');
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

/** The reservation a claim replaced: `unclaimNumber` puts it back. Dates may come back from JSON as strings. */
export type ClaimSnapshot = {
  status: NumberRow['status'];
  reservedBy: string | null;
  reservedUntil: Date | string | null;
  reservationReason: string | null;
  reservationTicket: string | null;
  coolingUntil: Date | string | null;
};

/**
 * Holds a number for a change an external system is asked to make (claim → reserved; a revert
 * may reclaim a cooling number). `row` is the caller's locked row. Returns the snapshot to
 * give `unclaimNumber` if the system refuses.
 */
export async function claimNumber(
  deps: AppDeps,
  tx: Db,
  actor: Actor,
  row: NumberRow,
  request: { reason: string; until: Date; ticketId?: string | null | undefined; reclaimCooling?: boolean | undefined },
  info: RequestInfo,
): Promise<ClaimSnapshot> {
  const snapshot: ClaimSnapshot = { status: row.status, reservedBy: row.reservedBy, reservedUntil: row.reservedUntil, reservationReason: row.reservationReason, reservationTicket: row.reservationTicket, coolingUntil: row.coolingUntil };
  const action = row.status === 'cooling' && request.reclaimCooling ? 'reclaim' : 'claim';
  await changeNumberStatus(deps, actor, row.tenantId, row.id, { action, reason: request.reason, until: request.until, ticketId: request.ticketId }, info, tx);
  return snapshot;
}

/**
 * The external system refused: puts a claimed number back exactly as the snapshot taken at
 * claim says. Does nothing when the number is no longer held (someone has moved it since).
 */
export async function unclaimNumber(
  deps: AppDeps,
  tx: Db,
  actor: AuditInput['actor'],
  tenantId: string,
  numberId: string,
  snapshot: ClaimSnapshot,
  why: { error: string; heldFor?: string | undefined; ticketId?: string | null | undefined; request?: RequestInfo | undefined },
): Promise<void> {
  const [row] = await tx.select().from(phoneNumbers).where(and(eq(phoneNumbers.id, numberId), eq(phoneNumbers.tenantId, tenantId))).for('update');
  if (row?.status !== 'reserved') return;
  const toDate = (d: Date | string | null) => (d === null ? null : new Date(d));
  await tx
    .update(phoneNumbers)
    .set({
      status: snapshot.status,
      assigneeType: null,
      assigneeId: null,
      assigneeUpn: null,
      assigneeName: null,
      reservedBy: snapshot.reservedBy,
      reservedUntil: toDate(snapshot.reservedUntil),
      reservationReason: snapshot.reservationReason,
      reservationTicket: snapshot.reservationTicket,
      coolingUntil: toDate(snapshot.coolingUntil),
      searchText: searchTextOf({ ...row, assigneeUpn: null, assigneeName: null, assigneeId: null }),
      updatedAt: deps.now(),
    })
    .where(eq(phoneNumbers.id, numberId));
  await recordAudit(tx, {
    action: 'number.assignment_rolled_back',
    actor,
    tenantId,
    targetType: 'phone_number',
    targetId: numberId,
    before: { status: 'reserved', ...(why.heldFor ? { heldFor: why.heldFor } : {}) },
    after: { status: snapshot.status },
    error: why.error,
    ticketId: why.ticketId ?? null,
    ...(why.request ? { request: why.request } : {}),
  });
}

/**
 * Reconcile: an external system already gives this number to `assignee`, so the inventory records
 * the fact (nothing is handed out here). The state machine refuses a blocked or retired number.
 * The assignee's other inventory number would break the one-number rule, so it is released first.
 */
export async function adoptNumber(deps: AppDeps, tx: Db, actor: Actor, tenantId: string, numberId: string, assignee: Assignee, info: RequestInfo, otherNumberReason: string): Promise<NumberView> {
  const [row] = await tx.select().from(phoneNumbers).where(and(eq(phoneNumbers.id, numberId), eq(phoneNumbers.tenantId, tenantId))).for('update');
  if (!row) throw new NotFoundError('Number');
  const result = transition(row.status, 'adopt', { coolingDays: 0 });
  if (!result.ok) throw new ConflictError(`${row.e164}: ${result.reason}`, 'illegal_transition');
  await releaseOtherNumbersOf(deps, tx, actor, tenantId, [assignee], info, otherNumberReason, row.id);
  // A link is kept only while the number stays with the same Teams user.
  const keepsLink = row.linkedExtension !== null && assignee.type === 'teams_user' && assignee.id === row.assigneeId;
  const assigneeFields = { assigneeType: assignee.type, assigneeId: assignee.id, assigneeUpn: assignee.upn ?? null, assigneeName: assignee.name ?? null, ...(keepsLink ? {} : { linkedExtension: null, linkedExtensionName: null }) };
  const next = { ...row, ...assigneeFields };
  const now = deps.now();
  const [after] = await tx
    .update(phoneNumbers)
    .set({ ...assigneeFields, status: result.to, reservedBy: null, reservedUntil: null, reservationReason: null, reservationTicket: null, coolingUntil: null, searchText: searchTextOf(next), statusChangedAt: now, updatedAt: now })
    .where(eq(phoneNumbers.id, row.id))
    .returning();
  await recordAudit(tx, { action: 'number.reconciled', actor, tenantId, targetType: 'phone_number', targetId: row.id, before: numberSnapshot(row), after: numberSnapshot(after!), request: info });
  return numberView(after!);
}

/** Releases (through the lifecycle) the numbers these assignees hold in the tenant, except `keep`. */
async function releaseOtherNumbersOf(deps: AppDeps, tx: Db, actor: Actor, tenantId: string, assignees: Assignee[], info: RequestInfo, reason: string, keep?: string): Promise<void> {
  for (const type of new Set(assignees.map((a) => a.type))) {
    const ids = assignees.filter((a) => a.type === type).map((a) => a.id);
    const held = await tx
      .select({ id: phoneNumbers.id })
      .from(phoneNumbers)
      .where(and(eq(phoneNumbers.tenantId, tenantId), eq(phoneNumbers.status, 'assigned'), eq(phoneNumbers.assigneeType, type), inArray(phoneNumbers.assigneeId, ids), keep ? ne(phoneNumbers.id, keep) : undefined));
    for (const other of held) await changeNumberStatus(deps, actor, tenantId, other.id, { action: 'release', reason }, info, tx);
  }
}

/**
 * The same person's 3CX extension takes the Teams user's number as its DID too (3CX integrated
 * with Teams): the number stays assigned to the Teams user and gains the extension as its second
 * holder. Refused when the number is not that user's, already has an extension, or the extension
 * holds another number; the row lock and the unique index keep two extensions off one number and
 * one extension off two numbers, whoever comes second.
 */
export async function linkExtension(deps: AppDeps, tx: Db, actor: Actor, tenantId: string, numberId: string, link: { teamsUserId: string; extension: string; name: string | null }, info: RequestInfo, ticketId?: string | null): Promise<NumberView> {
  const [row] = await tx.select().from(phoneNumbers).where(and(eq(phoneNumbers.id, numberId), eq(phoneNumbers.tenantId, tenantId))).for('update');
  if (!row) throw new NotFoundError('Number');
  if (row.linkedExtension === link.extension) return numberView(row);
  if (row.status !== 'assigned' || row.assigneeType !== 'teams_user' || row.assigneeId !== link.teamsUserId) {
    throw new ConflictError(`${row.e164} is not this user's Teams number (it is ${row.status}${row.assigneeUpn ? `, ${row.assigneeUpn}` : ''}); a 3CX extension shares a number only with the same person's Teams user.`, 'number_not_users');
  }
  if (row.linkedExtension) throw new ConflictError(`${row.e164} is already the DID of 3CX extension ${row.linkedExtension}.`, 'number_has_extension');
  const [own] = await tx
    .select({ e164: phoneNumbers.e164 })
    .from(phoneNumbers)
    .where(and(eq(phoneNumbers.tenantId, tenantId), eq(phoneNumbers.status, 'assigned'), eq(phoneNumbers.assigneeType, 'threecx_extension'), eq(phoneNumbers.assigneeId, link.extension)));
  if (own) throw new ConflictError(`3CX extension ${link.extension} already has ${own.e164}.`, 'assignee_has_number');
  const next = { ...row, linkedExtension: link.extension, linkedExtensionName: link.name };
  let after: NumberRow | undefined;
  try {
    [after] = await tx
      .update(phoneNumbers)
      .set({ linkedExtension: link.extension, linkedExtensionName: link.name, searchText: searchTextOf(next), updatedAt: deps.now() })
      .where(eq(phoneNumbers.id, row.id))
      .returning();
  } catch (error) {
    if (isUniqueViolation(error, 'phone_numbers_one_linked_number_per_extension')) throw new ConflictError(`3CX extension ${link.extension} already has another number.`, 'assignee_has_number');
    throw error;
  }
  await recordAudit(tx, { action: 'number.extension_linked', actor, tenantId, targetType: 'phone_number', targetId: row.id, before: numberSnapshot(row), after: numberSnapshot(after!), ticketId: ticketId ?? null, request: info });
  return numberView(after!);
}

/** The 3CX extension lets go of a number it shared with a Teams user; the Teams user keeps it. Returns false when no number was linked to it. */
export async function unlinkExtension(deps: AppDeps, tx: Db, actor: Actor, tenantId: string, extension: string, info: RequestInfo, reason: string, ticketId?: string | null): Promise<boolean> {
  const [row] = await tx.select().from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenantId), eq(phoneNumbers.linkedExtension, extension))).for('update');
  if (!row) return false;
  const next = { ...row, linkedExtension: null, linkedExtensionName: null };
  const [after] = await tx.update(phoneNumbers).set({ linkedExtension: null, linkedExtensionName: null, searchText: searchTextOf(next), updatedAt: deps.now() }).where(eq(phoneNumbers.id, row.id)).returning();
  await recordAudit(tx, { action: 'number.extension_unlinked', actor, tenantId, targetType: 'phone_number', targetId: row.id, before: numberSnapshot(row), after: { ...numberSnapshot(after!), reason }, ticketId: ticketId ?? null, request: info });
  return true;
}

/**
 * Says why a number rests in cooling (e.g. "leaver"), kept on the row until cooling ends so the
 * inventory shows it; the number's status does not change. Refused unless the number is cooling.
 */
export async function setCoolingReason(deps: AppDeps, actor: Actor, tenantId: string, numberId: string, reason: string, info: RequestInfo, ticketId?: string | null): Promise<NumberView> {
  return deps.db.transaction(async (tx) => {
    const [row] = await tx.select().from(phoneNumbers).where(and(eq(phoneNumbers.id, numberId), eq(phoneNumbers.tenantId, tenantId))).for('update');
    if (!row) throw new NotFoundError('Number');
    if (row.status !== 'cooling') throw new ConflictError(`${row.e164} is ${row.status}, not cooling.`, 'illegal_transition');
    const [after] = await tx.update(phoneNumbers).set({ reservationReason: reason, updatedAt: deps.now() }).where(eq(phoneNumbers.id, numberId)).returning();
    await recordAudit(tx, { action: 'number.cooling_reason', actor, tenantId, targetType: 'phone_number', targetId: numberId, before: numberSnapshot(row), after: numberSnapshot(after!), ticketId: ticketId ?? null, request: info });
    return numberView(after!);
  });
}

/** An extension was renumbered: the number stays with it, so the inventory's assignee id follows. */
export async function renameAssignee(deps: AppDeps, tx: Db, actor: Actor, tenantId: string, numberId: string, assigneeId: string, info: RequestInfo): Promise<void> {
  const [row] = await tx.select().from(phoneNumbers).where(and(eq(phoneNumbers.id, numberId), eq(phoneNumbers.tenantId, tenantId))).for('update');
  if (!row) return;
  await tx
    .update(phoneNumbers)
    .set({ assigneeId, searchText: searchTextOf({ ...row, assigneeId }), updatedAt: deps.now() })
    .where(eq(phoneNumbers.id, numberId));
  await recordAudit(tx, { action: 'number.assignee_renamed', actor, tenantId, targetType: 'phone_number', targetId: numberId, before: { assignee: row.assigneeId }, after: { assignee: assigneeId }, request: info });
}

/**
 * Records a number's Teams emergency location (Graph numberAssignment.locationId; null clears it)
 * with its audit event, in the caller's transaction. `how` says what set it: UCR's own order to
 * Teams (`set`) or what Teams was found to hold (`read`).
 */
export async function setEmergencyLocation(
  deps: AppDeps,
  tx: Db,
  actor: AuditInput['actor'],
  tenantId: string,
  numberId: string,
  locationId: string | null,
  how: { action: 'set' | 'read'; ticketId?: string | null | undefined; request?: RequestInfo | undefined; via?: string | undefined },
): Promise<NumberView> {
  const [before] = await tx.select().from(phoneNumbers).where(and(eq(phoneNumbers.id, numberId), eq(phoneNumbers.tenantId, tenantId))).for('update');
  if (!before) throw new NotFoundError('Number');
  if (before.emergencyLocationId === locationId) return numberView(before);
  const [after] = await tx.update(phoneNumbers).set({ emergencyLocationId: locationId, updatedAt: deps.now() }).where(eq(phoneNumbers.id, numberId)).returning();
  await recordAudit(tx, {
    action: how.action === 'set' ? 'number.emergency_location_set' : 'number.emergency_location_read',
    actor,
    tenantId,
    targetType: 'phone_number',
    targetId: numberId,
    before: { e164: before.e164, emergencyLocationId: before.emergencyLocationId },
    after: { e164: before.e164, emergencyLocationId: locationId, ...(how.via ? { via: how.via } : {}) },
    ticketId: how.ticketId ?? null,
    ...(how.request ? { request: how.request } : {}),
  });
  return numberView(after!);
}

/**
 * What Teams holds, set-based: every inventory number of the tenant whose locationId differs from
 * the `byE164` map (E.164 → locationId or null) takes Teams' value, one audit event each, in one
 * statement. Numbers Teams does not list are left alone. Returns how many changed.
 */
export async function recordTeamsLocations(tx: Db, tenantId: string, byE164: Map<string, string | null>, actor: Actor, request: RequestInfo): Promise<number> {
  if (byE164.size === 0) return 0;
  const pairs = JSON.stringify([...byE164].map(([e164, location_id]) => ({ e164, location_id })));
  const rows = await queryRows<{ n: number }>(
    tx,
    sql`with teams as (
          select e164, location_id from jsonb_to_recordset(${pairs}::jsonb) as r(e164 text, location_id text)
        ), old as (
          select p.id, p.e164, p.emergency_location_id as before, t.location_id as after
            from phone_numbers p join teams t on t.e164 = p.e164
           where p.tenant_id = ${tenantId}::uuid and p.extension = '' and p.emergency_location_id is distinct from t.location_id
             for update of p
        ), done as (
          update phone_numbers p set emergency_location_id = old.after, updated_at = now()
            from old where p.id = old.id
          returning p.id
        ), audit as (
          insert into audit_events (operator_id, actor, tenant_id, action, target_type, target_id, before, after, result, request_id, ip)
          select ${actor.operatorId}::uuid, ${actorLabel(actor)}, ${tenantId}::uuid, 'number.emergency_location_read', 'phone_number', old.id::text,
                 jsonb_build_object('e164', old.e164, 'emergencyLocationId', old.before), jsonb_build_object('e164', old.e164, 'emergencyLocationId', old.after, 'via', 'Teams numberAssignments'),
                 'success', ${request.requestId}, ${request.ip ?? null}
            from old join done on done.id = old.id
          returning 1
        ) select count(*)::int as n from audit`,
  );
  return rows[0]?.n ?? 0;
}

export type NumberAttributes = { kind?: NumberRow['kind']; carrier?: string; tags?: string[]; notes?: string; siteId?: string | null; rangeId?: string | null; displayName?: string; usageLocation?: string };

/** Edits what a number is (kind, carrier, site, range, tags, notes, name, usage location); the caller has checked the site and range belong to the tenant. */
export async function editNumberAttributes(deps: AppDeps, tx: Db, actor: Actor, tenantId: string, numberId: string, changes: NumberAttributes, request: RequestInfo): Promise<NumberView> {
  const [before] = await tx.select().from(phoneNumbers).where(and(eq(phoneNumbers.id, numberId), eq(phoneNumbers.tenantId, tenantId))).for('update');
  if (!before) throw new NotFoundError('Number');
  // Nothing to change (an empty PATCH): the number as it is, without bumping updatedAt or an audit event.
  if (Object.values(changes).every((v) => v === undefined)) return numberView(before);
  const merged = { ...before, ...changes, tags: changes.tags ? [...new Set(changes.tags.map((t) => t.trim()).filter(Boolean))] : before.tags };
  const [after] = await tx
    .update(phoneNumbers)
    .set({ kind: merged.kind, carrier: merged.carrier, tags: merged.tags, notes: merged.notes, siteId: merged.siteId, rangeId: merged.rangeId, displayName: merged.displayName, usageLocation: merged.usageLocation, searchText: searchTextOf(merged), updatedAt: deps.now() })
    .where(eq(phoneNumbers.id, numberId))
    .returning();
  await recordAudit(tx, { action: 'number.updated', actor, tenantId, targetType: 'phone_number', targetId: numberId, before: numberSnapshot(before), after: numberSnapshot(after!), request });
  return numberView(after!);
}

export type NewNumber = {
  e164: string;
  extension: string;
  kind: string;
  status: 'available' | 'reserved' | 'assigned' | 'blocked' | 'retired';
  rangeId: string | null;
  siteId: string | null;
  carrier: string;
  tags: string[];
  notes: string;
  displayName?: string | undefined;
  usageLocation?: string | undefined;
  /** The number's country when the caller has derived it already (the import has); derived here otherwise. */
  country?: string | undefined;
  assigneeType?: string | null;
  assigneeId?: string | null;
  assigneeUpn?: string | null;
  assigneeName?: string | null;
  reservedBy?: string | null;
  reservedUntil?: string | null;
  reservationReason?: string | null;
  /** The CSV import that brings the number in. */
  importId?: string | null;
};

const INSERT_CHUNK = 10_000;

/**
 * Inserts many numbers and one `number.created` audit event per number, set-based: each
 * chunk is one statement that inserts the rows and writes their audit events from the
 * RETURNING list. Runs inside the caller's transaction, so a failure anywhere keeps nothing.
 */
export async function insertNumbers(tx: Db, tenantId: string, rows: NewNumber[], actor: Actor, request: RequestInfo, source: Record<string, unknown>): Promise<number> {
  return (await insertRows(tx, tenantId, rows, actor, request, source, sql``)).length;
}

/**
 * Reconcile: adds numbers an external system has and the inventory lacks. The assignees' other
 * inventory numbers are released first (one number per assignee). A number some other tenant
 * inserted meanwhile is left out rather than failing the batch; returns the E.164s inserted.
 */
export async function insertAdoptedNumbers(deps: AppDeps, tx: Db, actor: Actor, tenantId: string, rows: Array<NewNumber & { assigneeType?: Assignee['type'] | null }>, info: RequestInfo, source: Record<string, unknown>, otherNumberReason: string): Promise<string[]> {
  const assignees = rows.flatMap((r) => (r.status === 'assigned' && r.assigneeType && r.assigneeId ? [{ type: r.assigneeType, id: r.assigneeId }] : []));
  if (assignees.length) await releaseOtherNumbersOf(deps, tx, actor, tenantId, assignees, info, otherNumberReason);
  return insertRows(tx, tenantId, rows, actor, info, source, sql`on conflict (e164, extension) do nothing`);
}

async function insertRows(tx: Db, tenantId: string, rows: NewNumber[], actor: Actor, request: RequestInfo, source: Record<string, unknown>, onConflict: SQL): Promise<string[]> {
  const inserted: string[] = [];
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK).map((r) => ({
      tenant_id: tenantId,
      e164: r.e164,
      extension: r.extension,
      kind: r.kind,
      status: r.status,
      range_id: r.rangeId,
      site_id: r.siteId,
      carrier: r.carrier,
      tags: r.tags,
      notes: r.notes,
      display_name: r.displayName ?? '',
      usage_location: r.usageLocation ?? '',
      country: r.country ?? countryOfNumber(r.e164),
      assignee_type: r.assigneeType ?? null,
      assignee_id: r.assigneeId ?? null,
      assignee_upn: r.assigneeUpn ?? null,
      assignee_name: r.assigneeName ?? null,
      reserved_by: r.reservedBy ?? null,
      reserved_until: r.reservedUntil ?? null,
      reservation_reason: r.reservationReason ?? null,
      import_id: r.importId ?? null,
      search_text: searchTextOf({ ...r, assigneeUpn: r.assigneeUpn ?? null, assigneeName: r.assigneeName ?? null, assigneeId: r.assigneeId ?? null }),
    }));
    // The audit CTE runs to completion whether or not the final select reads it (PostgreSQL's rule for data-modifying WITH).
    const result = await queryRows<{ e164: string }>(
      tx,
      sql`with ins as (
            insert into phone_numbers (tenant_id, e164, extension, kind, status, range_id, site_id, carrier, tags, notes, display_name, usage_location, country,
                                       assignee_type, assignee_id, assignee_upn, assignee_name, reserved_by, reserved_until, reservation_reason, import_id, search_text)
            select tenant_id, e164, extension, kind, status, range_id, site_id, carrier, tags, notes, display_name, usage_location, country,
                   assignee_type, assignee_id, assignee_upn, assignee_name, reserved_by, reserved_until, reservation_reason, import_id, search_text
              from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as r(
                tenant_id uuid, e164 text, extension text, kind text, status text, range_id uuid, site_id uuid, carrier text, tags text[], notes text, display_name text, usage_location text, country text,
                assignee_type text, assignee_id text, assignee_upn text, assignee_name text, reserved_by uuid, reserved_until timestamptz, reservation_reason text, import_id uuid, search_text text)
            ${onConflict}
            returning id, tenant_id, e164, extension, status, kind
          ), audit as (
            insert into audit_events (operator_id, actor, tenant_id, action, target_type, target_id, after, result, request_id, ip)
            select ${actor.operatorId}::uuid, ${actorLabel(actor)}, tenant_id, 'number.created', 'phone_number', id::text,
                   jsonb_build_object('e164', e164, 'extension', extension, 'status', status, 'kind', kind) || ${JSON.stringify(source)}::jsonb,
                   'success', ${request.requestId}, ${request.ip ?? null}
              from ins
            returning 1
          )
          select e164 from ins`,
    );
    inserted.push(...result.map((r) => r.e164));
  }
  return inserted;
}

/**
 * Returns numbers whose cooling or reservation has ended to available, each with its own
 * audit event, in one statement per kind: set-based, so a tenant with thousands of expiries
 * is done in one go, and idempotent, so running it twice changes nothing the second time.
 */
export async function expireCoolingAndReservations(deps: AppDeps): Promise<{ cooling: number; reservations: number }> {
  const now = deps.now().toISOString();
  return deps.db.transaction(async (tx) => ({
    cooling: await expire(tx, 'cooling', sql`cooling_until = null, reservation_reason = null`, sql`cooling_until <= ${now}::timestamptz`, now),
    reservations: await expire(
      tx,
      'reserved',
      sql`reserved_by = null, reserved_until = null, reservation_reason = null, reservation_ticket = null`,
      sql`reserved_until <= ${now}::timestamptz`,
      now,
    ),
  }));
}

async function expire(tx: Db, status: 'cooling' | 'reserved', clear: SQL, ended: SQL, now: string): Promise<number> {
  const action = status === 'cooling' ? 'number.expire_cooling' : 'number.expire_reservation';
  const actor = status === 'cooling' ? 'system (cooling expiry)' : 'system (reservation expiry)';
  const rows = await queryRows<{ n: number }>(
    tx,
    sql`with done as (
          update phone_numbers set status = 'available', ${clear}, status_changed_at = ${now}::timestamptz, updated_at = ${now}::timestamptz
           where status = ${status} and ${ended}
          returning id, tenant_id, e164
        ), audit as (
          insert into audit_events (actor, tenant_id, action, target_type, target_id, before, after, result)
          select ${actor}, tenant_id, ${action}, 'phone_number', id::text,
                 jsonb_build_object('e164', e164, 'status', ${status}::text), jsonb_build_object('e164', e164, 'status', 'available'), 'success'
            from done returning 1
        ) select count(*)::int as n from audit`,
  );
  return rows[0]?.n ?? 0;
}

/**
 * The demo tenant's seed: spreads the first `count` numbers of the tenant over the statuses a
 * live tenant shows (reserved, cooling, blocked, retired), one audit event each, so each
 * number's timeline reads right. Only the demo calls this, on a tenant it has just created.
 */
export async function seedDemoStatuses(tx: Db, tenantId: string, operatorId: string, now: Date, count: number): Promise<void> {
  await tx.execute(sql`
    update phone_numbers p set
      status = case when n.i % 10 = 1 then 'reserved' when n.i % 10 = 2 then 'cooling' when n.i % 20 = 3 then 'blocked' when n.i % 40 = 4 then 'retired' else 'available' end,
      reserved_until = case when n.i % 10 = 1 then ${new Date(now.getTime() + 7 * 86_400_000).toISOString()}::timestamptz end,
      reservation_reason = case when n.i % 10 = 1 then 'New starter (demo)' end,
      reserved_by = case when n.i % 10 = 1 then ${operatorId}::uuid end,
      cooling_until = case when n.i % 10 = 2 then ${new Date(now.getTime() + 10 * 86_400_000).toISOString()}::timestamptz end
    from (select id, row_number() over (order by e164) as i from phone_numbers where tenant_id = ${tenantId}::uuid) n
    where p.id = n.id and n.i <= ${count}`);
  await tx.execute(sql`
    insert into audit_events (operator_id, actor, tenant_id, action, target_type, target_id, before, after, result, request_id)
    select ${operatorId}::uuid, 'system (demo seed)', tenant_id, 'number.demo_status', 'phone_number', id::text,
           jsonb_build_object('e164', e164, 'status', 'available'), jsonb_build_object('e164', e164, 'status', status), 'success', 'demo-seed'
      from phone_numbers where tenant_id = ${tenantId}::uuid and status <> 'available'`);
}

/** One row of a bulk change: the locked row as it was and as it will be, and the audit action it is recorded under. */
export type BulkWrite = { before: NumberRow; after: NumberRow; action: string };

/**
 * Writes a chunk of bulk changes (inventory bulk work) in one statement, with one audit event per
 * number carrying its before and after, in the caller's transaction. The caller has locked the
 * rows and checked every change against the lifecycle (core/number-bulk-change.ts).
 */
export async function writeBulkChanges(tx: Db, tenantId: string, writes: BulkWrite[], actor: Actor, request: RequestInfo, now: Date): Promise<number> {
  if (writes.length === 0) return 0;
  const payload = writes.map(({ before, after, action }) => ({
    id: before.id,
    status: after.status,
    kind: after.kind,
    carrier: after.carrier,
    site_id: after.siteId,
    tags: after.tags,
    notes: after.notes,
    assignee_type: after.assigneeType,
    assignee_id: after.assigneeId,
    assignee_upn: after.assigneeUpn,
    assignee_name: after.assigneeName,
    reserved_by: after.reservedBy,
    reserved_until: after.reservedUntil?.toISOString() ?? null,
    reservation_reason: after.reservationReason,
    reservation_ticket: after.reservationTicket,
    cooling_until: after.coolingUntil?.toISOString() ?? null,
    status_changed: after.status !== before.status,
    search_text: searchTextOf(after),
    action,
    before: numberSnapshot(before),
    after: numberSnapshot(after),
  }));
  const rows = await queryRows<{ n: number }>(
    tx,
    sql`with w as (
          select * from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) as r(
            id uuid, status text, kind text, carrier text, site_id uuid, tags text[], notes text,
            assignee_type text, assignee_id text, assignee_upn text, assignee_name text,
            reserved_by uuid, reserved_until timestamptz, reservation_reason text, reservation_ticket text, cooling_until timestamptz,
            status_changed boolean, search_text text, action text, before jsonb, after jsonb)
        ), done as (
          update phone_numbers p set status = w.status, kind = w.kind, carrier = w.carrier, site_id = w.site_id, tags = w.tags, notes = w.notes,
                 assignee_type = w.assignee_type, assignee_id = w.assignee_id, assignee_upn = w.assignee_upn, assignee_name = w.assignee_name,
                 reserved_by = w.reserved_by, reserved_until = w.reserved_until, reservation_reason = w.reservation_reason, reservation_ticket = w.reservation_ticket,
                 cooling_until = w.cooling_until, search_text = w.search_text,
                 status_changed_at = case when w.status_changed then ${now.toISOString()}::timestamptz else p.status_changed_at end,
                 updated_at = ${now.toISOString()}::timestamptz
            from w where p.id = w.id and p.tenant_id = ${tenantId}::uuid
          returning p.id
        ), audit as (
          insert into audit_events (operator_id, actor, tenant_id, action, target_type, target_id, before, after, result, request_id, ip)
          select ${actor.operatorId}::uuid, ${actorLabel(actor)}, ${tenantId}::uuid, w.action, 'phone_number', w.id::text, w.before, w.after || '{"via":"bulk"}'::jsonb,
                 'success', ${request.requestId}, ${request.ip ?? null}
            from w join done on done.id = w.id
          returning 1
        ) select count(*)::int as n from audit`,
  );
  return rows[0]?.n ?? 0;
}

/**
 * Deletes numbers from the inventory, one `number.deleted` audit event each (the audit keeps
 * their history), in one statement, in the caller's transaction. The caller has locked the rows
 * and checked none is assigned (core/number-bulk-change.ts `deleteRefusal`).
 */
export async function deleteNumberRows(tx: Db, tenantId: string, rows: NumberRow[], actor: Actor, request: RequestInfo, source: Record<string, unknown>): Promise<number> {
  if (rows.length === 0) return 0;
  const payload = rows.map((r) => ({ id: r.id, before: numberSnapshot(r) }));
  const result = await queryRows<{ n: number }>(
    tx,
    sql`with w as (
          select * from jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) as r(id uuid, before jsonb)
        ), done as (
          delete from phone_numbers p using w where p.id = w.id and p.tenant_id = ${tenantId}::uuid and p.status <> 'assigned'
          returning p.id
        ), audit as (
          insert into audit_events (operator_id, actor, tenant_id, action, target_type, target_id, before, after, result, request_id, ip)
          select ${actor.operatorId}::uuid, ${actorLabel(actor)}, ${tenantId}::uuid, 'number.deleted', 'phone_number', w.id::text, w.before, ${JSON.stringify(source)}::jsonb,
                 'success', ${request.requestId}, ${request.ip ?? null}
            from w join done on done.id = w.id
          returning 1
        ) select count(*)::int as n from audit`,
  );
  return result[0]?.n ?? 0;
}

/** Locks and returns the tenant's numbers with these ids (a chunk of a bulk selection), in E.164 order. */
export async function lockNumbers(tx: Db, tenantId: string, ids: string[]): Promise<NumberRow[]> {
  if (ids.length === 0) return [];
  return tx.select().from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenantId), inArray(phoneNumbers.id, ids))).orderBy(phoneNumbers.e164).for('update');
}

/**
 * A pattern range's next number, created for the allocator (the range was never loaded): inserted
 * as available with its `number.created` event, unless the number is in the inventory already (any
 * tenant), when nothing is written. Returns the new row's id, or null when the number was taken.
 * The unique index decides between two allocators that try the same number: the second waits for
 * the first to commit, then inserts nothing.
 */
export async function createPatternNumber(tx: Db, tenantId: string, row: NewNumber, actor: Actor, request: RequestInfo, source: Record<string, unknown>): Promise<string | null> {
  const inserted = await insertRows(tx, tenantId, [row], actor, request, source, sql`on conflict (e164, extension) do nothing`);
  if (inserted.length === 0) return null;
  const [created] = await tx.select({ id: phoneNumbers.id }).from(phoneNumbers).where(and(eq(phoneNumbers.e164, row.e164), eq(phoneNumbers.extension, row.extension)));
  return created!.id;
}

/**
 * Numbers written before the country was kept (the column came with migration 0018) get theirs,
 * derived from the E.164, a batch at a time; '' when libphonenumber names none. Not audited: it
 * records a fact of the number, nothing anyone changed. Returns how many rows it filled.
 */
export async function fillMissingCountries(db: Db, batch = 5_000): Promise<number> {
  let filled = 0;
  for (;;) {
    const rows = await db.select({ id: phoneNumbers.id, e164: phoneNumbers.e164 }).from(phoneNumbers).where(sql`${phoneNumbers.country} is null`).limit(batch);
    if (rows.length === 0) return filled;
    const pairs = JSON.stringify(rows.map((r) => ({ id: r.id, country: countryOfNumber(r.e164) })));
    await db.execute(sql`update phone_numbers p set country = r.country from jsonb_to_recordset(${pairs}::jsonb) as r(id uuid, country text) where p.id = r.id`);
    filled += rows.length;
  }
}
