import { and, asc, eq, sql } from 'drizzle-orm';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { inRange, parseNumber } from '../../core/phone-number.ts';
import { auditEvents, numberRanges, phoneNumbers, sites } from '../../db/schema/index.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { changeNumberStatus, editNumberAttributes, insertNumbers, type LifecycleRequest, type NumberAttributes } from './number-store.ts';
import { ticketWorkLogger, type TicketLogChoices } from '../kernel/ticket-work.ts';
import { numberView, type NumberRow, type NumberView } from './number-view.ts';
import { loadActiveTenant, loadTenant } from '../tenants/tenants.ts';

async function loadNumber(deps: AppDeps, tenantId: string, numberId: string): Promise<NumberRow> {
  const [row] = await deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.id, numberId), eq(phoneNumbers.tenantId, tenantId)));
  if (!row) throw new NotFoundError('Number');
  return row;
}

export async function getNumber(deps: AppDeps, actor: Actor, tenantId: string, numberId: string): Promise<NumberView> {
  await loadTenant(deps.db, actor, tenantId);
  return numberView(await loadNumber(deps, tenantId, numberId));
}

async function assertTenantOwns(deps: AppDeps, tenantId: string, attrs: { siteId?: string | null | undefined; rangeId?: string | null | undefined }, e164?: string): Promise<void> {
  if (attrs.siteId) {
    const [site] = await deps.db.select({ id: sites.id }).from(sites).where(and(eq(sites.id, attrs.siteId), eq(sites.tenantId, tenantId)));
    if (!site) throw new ValidationError('That site does not exist in this tenant.', [{ field: 'siteId', message: 'Unknown site' }]);
  }
  if (attrs.rangeId) {
    const [range] = await deps.db.select().from(numberRanges).where(and(eq(numberRanges.id, attrs.rangeId), eq(numberRanges.tenantId, tenantId)));
    if (!range) throw new ValidationError('That range does not exist in this tenant.', [{ field: 'rangeId', message: 'Unknown range' }]);
    if (e164 && !inRange(e164, range.startE164, range.endE164)) {
      throw new ValidationError(`${e164} is outside the range ${range.name} (${range.startE164} to ${range.endE164}).`, [{ field: 'rangeId', message: 'Number is outside this range' }]);
    }
  }
}

/** Adds one number by hand, as available. */
export async function addNumber(deps: AppDeps, actor: Actor, tenantId: string, input: { number: string; kind: NumberRow['kind'] } & Omit<NumberAttributes, 'kind'>, request: RequestInfo): Promise<NumberView> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const parsed = parseNumber(input.number, tenant.defaultCountry);
  if (!parsed.ok) throw new ValidationError(parsed.reason, [{ field: 'number', message: parsed.reason }]);
  await assertTenantOwns(deps, tenantId, input, parsed.value.e164);
  const [existing] = await deps.db.select({ tenantId: phoneNumbers.tenantId }).from(phoneNumbers).where(and(eq(phoneNumbers.e164, parsed.value.e164), eq(phoneNumbers.extension, parsed.value.extension)));
  if (existing) throw new ConflictError(`${parsed.value.e164} is already in the inventory${existing.tenantId === tenantId ? '' : ' (another tenant holds it)'}.`, 'number_exists');
  return deps.db.transaction(async (tx) => {
    await insertNumbers(
      tx,
      tenantId,
      [{ e164: parsed.value.e164, extension: parsed.value.extension, kind: input.kind, status: 'available', rangeId: input.rangeId ?? null, siteId: input.siteId ?? null, carrier: input.carrier ?? '', tags: input.tags ?? [], notes: input.notes ?? '', displayName: input.displayName ?? '', usageLocation: input.usageLocation ?? '', country: parsed.value.country ?? '' }],
      actor,
      request,
      { source: 'manual' },
    );
    const [row] = await tx.select().from(phoneNumbers).where(and(eq(phoneNumbers.e164, parsed.value.e164), eq(phoneNumbers.extension, parsed.value.extension)));
    return numberView(row!);
  });
}

/** Edits what a number is (kind, carrier, site, tags, notes); status changes go through the lifecycle. */
export async function updateNumberAttributes(deps: AppDeps, actor: Actor, tenantId: string, numberId: string, changes: NumberAttributes, request: RequestInfo): Promise<NumberView> {
  await loadActiveTenant(deps.db, actor, tenantId);
  const current = await loadNumber(deps, tenantId, numberId);
  await assertTenantOwns(deps, tenantId, changes, current.e164);
  return deps.db.transaction((tx) => editNumberAttributes(deps, tx, actor, tenantId, numberId, changes, request));
}

/** A number's own timeline, oldest first, from the audit log (C9). */
export async function numberHistory(deps: AppDeps, actor: Actor, tenantId: string, numberId: string) {
  await loadTenant(deps.db, actor, tenantId);
  await loadNumber(deps, tenantId, numberId);
  const events = await deps.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.targetType, 'phone_number'), eq(auditEvents.targetId, numberId)))
    .orderBy(asc(auditEvents.id));
  return events.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() }));
}

/** Distinct carriers and tags of a tenant, for filter pickers. */
export async function numberFacets(deps: AppDeps, actor: Actor, tenantId: string) {
  await loadTenant(deps.db, actor, tenantId);
  const carriers = await deps.db.selectDistinct({ carrier: phoneNumbers.carrier }).from(phoneNumbers).where(eq(phoneNumbers.tenantId, tenantId)).orderBy(asc(phoneNumbers.carrier)).limit(200);
  const tags = await deps.db
    .selectDistinct({ tag: sql<string>`unnest(${phoneNumbers.tags})` })
    .from(phoneNumbers)
    .where(eq(phoneNumbers.tenantId, tenantId))
    .limit(500);
  return { carriers: carriers.map((c) => c.carrier).filter(Boolean), tags: tags.map((t) => t.tag).sort() };
}

const ACTION_WORDS: Record<LifecycleRequest['action'], string> = {
  reserve: 'reserved',
  claim: 'claimed',
  reclaim: 'reclaimed',
  assign: 'assigned',
  cancel_reservation: 'reservation cancelled',
  release: 'released',
  block: 'blocked',
  unblock: 'unblocked',
  retire: 'retired',
  restore: 'restored',
  expire_cooling: 'back from cooling',
  expire_reservation: 'reservation expired',
};

/**
 * A lifecycle action an operator takes on a number (reserve, assign, release, block…). With a
 * ticket it is logged there like any change (note, status, time entry), through the one ticket
 * logger: its choices are checked before the move, and the log is recorded in the move's transaction.
 */
export async function lifecycleAction(deps: AppDeps, actor: Actor, tenantId: string, numberId: string, body: LifecycleRequest & { ticketLog?: TicketLogChoices | undefined }, info: RequestInfo): Promise<NumberView> {
  const { ticketLog, ...request } = body;
  const logger = request.ticketId ? ticketWorkLogger() : undefined;
  const choices = logger ? await logger.check(deps, actor, tenantId, request.ticketId, ticketLog) : {};
  const startedAt = deps.now();
  let logId: string | null = null;
  const view = await changeNumberStatus(deps, actor, tenantId, numberId, request as LifecycleRequest, info, undefined, async (db, after) => {
    if (!logger || !request.ticketId) return;
    const who = 'assignee' in request ? ` to ${request.assignee.upn ?? request.assignee.name ?? request.assignee.id}` : '';
    const reason = 'reason' in request && request.reason ? ` Reason: ${request.reason}.` : '';
    const note = `Number ${after.e164}${after.extension ? ` x${after.extension}` : ''} ${ACTION_WORDS[request.action]}${who} in the inventory.${reason}\nBy ${actor.displayName} (UCR Manager).`;
    logId = await logger.record(db, { tenantId, ticketId: request.ticketId, system: 'numbers', subject: `number ${after.e164}`, note, operatorId: actor.operatorId, startedAt, finishedAt: deps.now(), choices });
  });
  if (logger) await logger.start(deps, logId);
  return view;
}
