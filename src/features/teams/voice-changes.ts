import { and, desc, eq, gte, ilike, inArray, lte, or, sql } from 'drizzle-orm';
import { TeamsError, classifyFailure } from '../../connectors/teams/errors.ts';
import { graphNumberType, type TeamsApi } from '../../connectors/teams/teams-api.ts';
import { isTeamsUserKind, kindWords } from '../../core/number-vocabulary.ts';
import type { NumberOperation } from '../../connectors/teams/graph-schemas.ts';
import { canonicalPolicyType, type TeamsPolicyType } from '../../core/policy-types.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { parseNumber } from '../../core/phone-number.ts';
import { likeEscape } from '../../core/search-query.ts';
import { encodeVoiceChangeCursor, type VoiceChangeCursor } from '../../core/voice-change-cursor.ts';
import type { Db } from '../../db/connection.ts';
import { phoneNumbers, teamsPolicies, teamsUsers, tenants, voiceChanges, type VoiceState } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { queueTicketLog, ticketLoggingApplies } from '../connectwise/ticket-logger.ts';
import { checkTicketChoices } from '../connectwise/ticket-choices.ts';
import type { TicketLogChoices } from '../kernel/ticket-work.ts';
import { defaultLocationFor, findEmergencyLocation } from '../numbers/emergency-defaults.ts';
import { changeNumberStatus, claimNumber, insertNumbers, setEmergencyLocation, unclaimNumber, type ClaimSnapshot } from '../numbers/number-store.ts';
import type { NumberRow } from '../numbers/number-view.ts';
import { teamsApiFor } from './connection.ts';
import { refreshTeamsUser, type TeamsUserRow } from './directory.ts';
import { loadActiveTenant, loadTenant, tenantFeatures, type TenantRow } from '../tenants/tenants.ts';

export const VOICE_CHANGE_QUEUE = 'voice-change';

export type VoiceChangeRow = typeof voiceChanges.$inferSelect;

export type VoiceChangeRequest = {
  userId: string;
  /** undefined: keep the number; null: remove it; otherwise the number to assign. */
  number?: { numberId: string } | { e164: string } | null | undefined;
  /** Policy type → policy name, or null to remove the direct assignment (the user then inherits). */
  policies?: Partial<Record<TeamsPolicyType, string | null>> | undefined;
  /** The new number's emergency location (locationId or name); undefined: what the number has, else its range's, then its site's default. */
  locationId?: string | undefined;
  ticketId?: string | null | undefined;
  /** The operator's ConnectWise choices for the ticket; left out: the defaults. */
  ticketLog?: TicketLogChoices | undefined;
  /** Remove every policy assigned directly to the user, so they inherit the tenant's (the number drawer's "Reset the user's policies"). */
  resetPolicies?: boolean | undefined;
  /** The number the operator saw on the user: when Teams shows another one now, nothing changes. */
  expectedNumber?: string | undefined;
};

export function voiceChangeView(c: VoiceChangeRow) {
  return {
    id: c.id,
    tenantId: c.tenantId,
    userId: c.userId,
    userUpn: c.userUpn,
    kind: c.kind,
    status: c.status,
    before: c.before,
    requested: c.requested,
    errorCode: c.errorCode,
    errorMessage: c.errorMessage,
    ticketId: c.ticketId,
    ticketLog: { status: c.ticketLogStatus, error: c.ticketLogError, choices: c.ticketChoices },
    revertOf: c.revertOf,
    operatorId: c.operatorId,
    createdAt: c.createdAt.toISOString(),
    completedAt: c.completedAt?.toISOString() ?? null,
  };
}
export type VoiceChangeView = ReturnType<typeof voiceChangeView>;

/** The user's voice state as Teams reports it: primary number and directly assigned policies. */
function stateOf(user: TeamsUserRow, inventory: NumberRow | undefined): VoiceState {
  const primary = user.numbers.find((n) => (n.assignmentCategory ?? 'primary') === 'primary') ?? user.numbers[0];
  const policies: Record<string, string | null> = {};
  for (const [type, p] of Object.entries(user.policies)) policies[type] = p.assignmentType === 'direct' ? p.name : null;
  return { number: primary ? { e164: primary.telephoneNumber, numberId: inventory?.id ?? null, numberType: inventory?.kind ?? null } : null, policies };
}

async function inventoryNumber(db: Db, tenantId: string, e164: string): Promise<NumberRow | undefined> {
  const [row] = await db.select().from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenantId), eq(phoneNumbers.e164, e164), eq(phoneNumbers.extension, '')));
  return row;
}

/** Resolves policy names to ids: the catalog first, then Graph's getPolicyId. Unknown names are refused. */
async function resolvePolicies(deps: AppDeps, api: TeamsApi, tenantId: string, policies: Record<string, string | null>): Promise<Record<string, { name: string; policyId: string } | null>> {
  const resolved: Record<string, { name: string; policyId: string } | null> = {};
  for (const [rawType, name] of Object.entries(policies)) {
    const type = canonicalPolicyType(rawType);
    if (!type) throw new ValidationError(`Unknown policy type ${rawType}.`, [{ field: `policies.${rawType}`, message: 'Unknown policy type' }]);
    if (name === null || name === '') {
      resolved[type] = null;
      continue;
    }
    const [known] = await deps.db
      .select()
      .from(teamsPolicies)
      .where(and(eq(teamsPolicies.tenantId, tenantId), eq(teamsPolicies.policyType, type), sql`lower(${teamsPolicies.name}) = lower(${name})`));
    const policyId = known?.policyId ?? (await api.getPolicyId(type, name));
    if (!policyId) throw new ValidationError(`The tenant has no ${type} named "${name}".`, [{ field: `policies.${type}`, message: 'No such policy in the tenant' }]);
    resolved[type] = { name: known?.name ?? name, policyId };
  }
  return resolved;
}

/**
 * Starts a change to a user's number and/or policies (D2). The intent is recorded first — the
 * new number is claimed in the inventory (so nobody else can take it) and a pending change row
 * is written with the user's state before — then Teams is called. A number order is
 * asynchronous: the change stays pending until a job sees Teams confirm it (D7).
 */
export async function requestVoiceChange(deps: AppDeps, actor: Actor, tenantId: string, input: VoiceChangeRequest, info: RequestInfo, options: { kind?: 'revert'; revertOf?: string; bulkRowId?: string } = {}): Promise<VoiceChangeView> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const api = await teamsApiFor(deps, tenant);
  const user = await refreshTeamsUser(deps, tenant, input.userId);
  const [busy] = await deps.db.select({ id: voiceChanges.id }).from(voiceChanges).where(and(eq(voiceChanges.tenantId, tenantId), eq(voiceChanges.userId, user.userId), eq(voiceChanges.status, 'pending')));
  if (busy) throw new ConflictError(`A change for ${user.upn} is still waiting for Teams; wait for it to finish.`, 'change_pending');

  // Checked before anything changes: a status not on the ticket's board changes nothing (not even a typed number joining the inventory).
  const ticketChoices = await checkTicketChoices(deps, actor, tenantId, input.ticketId, input.ticketLog);

  const currentInventory = user.numbers[0] ? await inventoryNumber(deps.db, tenantId, user.numbers[0].telephoneNumber) : undefined;
  const before = stateOf(user, currentInventory);
  if (input.expectedNumber !== undefined && before.number?.e164 !== input.expectedNumber) {
    throw new ConflictError(
      `${user.upn} does not have ${input.expectedNumber} in Teams any more (${before.number ? `they have ${before.number.e164} now` : 'they have no number now'}); nothing was changed. Reconcile the tenant with Teams to bring the inventory up to date.`,
      'number_moved',
    );
  }
  const policies = await resolvePolicies(deps, api, tenantId, input.resetPolicies ? directPoliciesCleared(user.upn, before, input.policies) : (input.policies ?? {}));
  const target = input.number === undefined ? undefined : input.number === null ? null : await resolveTargetNumber(deps, actor, tenant, input.number, info);
  const numberChanges = target === null ? before.number !== null : target !== undefined && target.e164 !== before.number?.e164;
  const policyChanges = Object.entries(policies).filter(([type, p]) => (p?.name ?? null) !== (before.policies[type] ?? null));
  if (!numberChanges && policyChanges.length === 0) throw new ValidationError(`Nothing to change: ${user.upn} already has this configuration.`);
  if (numberChanges && target) assertUserCanHaveNumber(user);
  if (numberChanges && target && !isTeamsUserKind(target.kind)) {
    throw new ValidationError(`${target.e164} is a ${kindWords(target.kind)} number: Teams gives a user a Direct Routing, Calling Plan or Operator Connect number only.`, [{ field: 'number', message: 'Not a user number' }]);
  }

  const locationId = numberChanges && target ? await locationForAssignment(deps, tenantId, target, input.locationId) : null;
  const requested: VoiceState = {
    number: target === undefined ? before.number : target === null ? null : { e164: target.e164, numberId: target.id, numberType: target.kind, ...(locationId ? { locationId } : {}) },
    policies: { ...before.policies, ...Object.fromEntries(Object.entries(policies).map(([t, p]) => [t, p?.name ?? null])) },
  };
  const kind = options.kind ?? (numberChanges ? (target ? 'assign_number' : 'remove_number') : 'policies');
  const change = await deps.db.transaction(async (tx) => {
    let claimedFrom: ClaimSnapshot | null = null;
    if (numberChanges && target) {
      const [locked] = await tx.select().from(phoneNumbers).where(eq(phoneNumbers.id, target.id)).for('update');
      if (!locked) throw new NotFoundError('Number');
      const [inFlight] = await tx.select({ upn: voiceChanges.userUpn }).from(voiceChanges).where(and(eq(voiceChanges.newNumberId, target.id), eq(voiceChanges.status, 'pending')));
      if (inFlight) throw new ConflictError(`${locked.e164} is being assigned to ${inFlight.upn} right now.`, 'number_in_change');
      // Held as reserved while Teams works: the user keeps the old number until Teams confirms the new one.
      claimedFrom = await claimNumber(deps, tx, actor, locked, { reason: `Being assigned to ${user.upn} in Teams`, until: new Date(deps.now().getTime() + 86_400_000), ticketId: input.ticketId, reclaimCooling: options.kind === 'revert' }, info);
    }
    const [row] = await tx
      .insert(voiceChanges)
      .values({
        tenantId,
        userId: user.userId,
        userUpn: user.upn,
        kind,
        status: 'pending',
        before,
        requested,
        newNumberId: numberChanges && target ? target.id : null,
        oldNumberId: numberChanges ? (currentInventory?.id ?? null) : null,
        claimedFrom,
        ticketId: input.ticketId ?? null,
        ticketChoices,
        revertOf: options.revertOf ?? null,
        bulkRowId: options.bulkRowId ?? null,
        operatorId: actor.operatorId,
        createdAt: deps.now(),
      })
      .returning();
    await recordAudit(tx, { action: `voice.${kind}_requested`, actor, tenantId, targetType: 'teams_user', targetId: user.userId, before, after: { ...requested, changeId: row!.id }, ticketId: input.ticketId ?? null, request: info });
    return row!;
  });

  try {
    if (numberChanges && target) {
      const { operationUrl } = await api.assignNumber({ telephoneNumber: target.e164, userId: user.userId, numberType: graphNumberType(target.kind), locationId: locationId ?? undefined });
      return await awaitOperation(deps, change.id, operationUrl);
    }
    if (numberChanges && before.number) {
      const numberType = graphNumberType(currentInventory?.kind ?? 'direct_routing');
      const { operationUrl } = await api.unassignNumber({ telephoneNumber: before.number.e164, numberType });
      return await awaitOperation(deps, change.id, operationUrl);
    }
    return voiceChangeView(await completeChange(deps, change.id, actor));
  } catch (error) {
    // Graph never answered the order but may have received it: undoing the claim now could leave
    // Teams and the inventory disagreeing. The job finds out (re-sends or checks) and settles it.
    if (error instanceof TeamsError && error.outcomeUnknown && deps.queue) {
      await deps.queue.send(VOICE_CHANGE_QUEUE, { changeId: change.id, resumeStranded: true }, { singletonKey: change.id, retryLimit: 8, retryDelay: 5, retryBackoff: true, expireInSeconds: 900 });
      return voiceChangeView(change);
    }
    return voiceChangeView(await failChange(deps, change.id, error, actor));
  }
}

/** Every directly assigned policy set to none, so the user inherits the tenant's global (default) ones. */
function directPoliciesCleared(upn: string, before: VoiceState, asked: VoiceChangeRequest['policies']): Record<string, null> {
  if (asked && Object.keys(asked).length) throw new ValidationError('Reset the policies, or name the ones to set; not both in one change.', [{ field: 'resetPolicies', message: 'Not with policies' }]);
  const direct = Object.entries(before.policies).filter(([, name]) => name !== null);
  if (!direct.length) throw new ValidationError(`Nothing to reset: ${upn} has no policies assigned directly; they already inherit the tenant's.`, [{ field: 'resetPolicies', message: 'No direct policies' }]);
  return Object.fromEntries(direct.map(([type]) => [type, null]));
}

/**
 * The emergency location an assignment sends (assignNumber's locationId): the one asked for, else
 * the number's own, else its range's default, then its site's; null when none applies.
 */
async function locationForAssignment(deps: AppDeps, tenantId: string, number: NumberRow, asked: string | undefined): Promise<string | null> {
  if (asked !== undefined) return (await findEmergencyLocation(deps.db, tenantId, asked)).locationId;
  if (number.emergencyLocationId) return number.emergencyLocationId;
  return (await defaultLocationFor(deps.db, number))?.locationId ?? null;
}

async function awaitOperation(deps: AppDeps, changeId: string, operationUrl: string): Promise<VoiceChangeView> {
  const [row] = await deps.db.update(voiceChanges).set({ operationUrl }).where(eq(voiceChanges.id, changeId)).returning();
  if (!deps.queue) throw new AppError(503, 'jobs_unavailable', 'The job queue is not running, so the Teams order cannot be followed.');
  await deps.queue.send(VOICE_CHANGE_QUEUE, { changeId }, { singletonKey: changeId, retryLimit: 5, retryDelay: 5, expireInSeconds: 900 });
  return voiceChangeView(row!);
}

async function resolveTargetNumber(deps: AppDeps, actor: Actor, tenant: TenantRow, ref: { numberId: string } | { e164: string }, info: RequestInfo): Promise<NumberRow> {
  if ('numberId' in ref) {
    const [row] = await deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.id, ref.numberId), eq(phoneNumbers.tenantId, tenant.id)));
    if (!row) throw new NotFoundError('Number');
    return row;
  }
  const parsed = parseNumber(ref.e164, tenant.defaultCountry);
  if (!parsed.ok) throw new ValidationError(parsed.reason, [{ field: 'number', message: parsed.reason }]);
  const existing = await inventoryNumber(deps.db, tenant.id, parsed.value.e164);
  if (existing) return existing;
  const [elsewhere] = await deps.db.select({ tenantId: phoneNumbers.tenantId }).from(phoneNumbers).where(eq(phoneNumbers.e164, parsed.value.e164));
  if (elsewhere) throw new ConflictError(`${parsed.value.e164} belongs to another tenant's inventory.`, 'number_exists');
  if (!(await tenantFeatures(deps, tenant)).manualNumberEntry) {
    throw new ValidationError(`${parsed.value.e164} is not in ${tenant.name}'s inventory, and typed numbers are not allowed for this tenant. Add it to the inventory first.`, [{ field: 'number', message: 'Not in the inventory' }]);
  }
  // Typed numbers join the inventory, so it keeps every number the tenant uses.
  await deps.db.transaction(async (tx) => {
    await insertNumbers(tx, tenant.id, [{ e164: parsed.value.e164, extension: '', kind: 'direct_routing', status: 'available', rangeId: null, siteId: null, carrier: '', tags: [], notes: 'Typed in the voice panel' }], actor, info, { source: 'manual entry' });
  });
  return (await inventoryNumber(deps.db, tenant.id, parsed.value.e164))!;
}

function assertUserCanHaveNumber(user: TeamsUserRow): void {
  // A resource account is blocked from sign-in in Entra by design and holds the Teams Phone
  // Resource Account licence rather than Phone System: Teams judges it (see failureOf).
  if (user.accountType === 'resourceAccount') return;
  if (!user.accountEnabled) throw new ValidationError(`${user.upn} is disabled in Entra ID.`);
  if (!user.phoneSystem) throw new ValidationError(`${user.upn} has no Teams Phone licence (Phone System). Assign the licence in Microsoft 365 first.`);
  if (!user.usageLocation) throw new ValidationError(`${user.upn} has no usage location. Set it in Entra ID first.`);
}

/**
 * Follows a pending change: polls its Teams operation until Teams reports the outcome, then
 * completes or fails it. Idempotent — after a crash the job runs again and picks up where the
 * row says it is.
 */
export async function followVoiceChange(deps: AppDeps, changeId: string, options: { pollMs?: number; maxWaitMs?: number; resumeStranded?: boolean; throwWhileUnknown?: boolean } = {}): Promise<VoiceChangeRow> {
  const pollMs = options.pollMs ?? 1_500;
  const deadline = Date.now() + (options.maxWaitMs ?? 10 * 60_000);
  for (;;) {
    const [change] = await deps.db.select().from(voiceChanges).where(eq(voiceChanges.id, changeId));
    if (!change) throw new NotFoundError('Voice change');
    if (change.status === 'pending' && !change.operationUrl && options.resumeStranded) {
      await resumeStrandedChange(deps, change, options.throwWhileUnknown ?? false);
      continue;
    }
    if (change.status !== 'pending' || !change.operationUrl) return change;
    const tenant = await systemTenant(deps, change.tenantId);
    let operation;
    try {
      operation = await (await teamsApiFor(deps, tenant)).getOperation(change.operationUrl);
    } catch (error) {
      // A garbled answer to a poll says nothing about the order: Teams may still complete it, so ask again.
      if (error instanceof TeamsError && (error.reason === 'unavailable' || error.reason === 'throttled' || error.reason === 'unexpected_answer')) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, pollMs));
        continue;
      }
      return failChange(deps, changeId, error, null);
    }
    const status = operation.status.toLowerCase();
    if (status === 'succeeded') return completeChange(deps, changeId, null);
    if (status === 'skipped') return settleSkippedChange(deps, change, operation);
    if (status === 'failed') {
      const detail = operation.numbers?.map((n) => n.statusDetail ?? n.statusMessage).find(Boolean) ?? 'Teams reported the order as failed.';
      return failChange(deps, changeId, await failureOf(deps, change, detail), null);
    }
    if (Date.now() > deadline) {
      return failChange(deps, changeId, new TeamsError('unavailable', 'Teams did not finish the order within 10 minutes. Check the user in the Teams admin center, then refresh.'), null);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Why Teams refused an order, in plain words. For a resource account the licence Teams wants is
 * the Teams Phone Resource Account licence (Graph documents assignNumber for user accounts only;
 * the failed operation's statusDetail is what Teams says), so that refusal gets its own code.
 */
async function failureOf(deps: AppDeps, change: VoiceChangeRow, detail: string): Promise<TeamsError> {
  const known = classifyFailure(detail);
  const [target] = await deps.db.select({ accountType: teamsUsers.accountType }).from(teamsUsers).where(and(eq(teamsUsers.tenantId, change.tenantId), eq(teamsUsers.userId, change.userId)));
  if (target?.accountType === 'resourceAccount' && (known?.code === 'not_licensed' || known?.code === 'no_usage_location')) {
    return new TeamsError('resource_account_refused', `Teams refused the number for resource account ${change.userUpn}: it needs a usage location and the Microsoft Teams Phone Resource Account licence before a number can be assigned (Teams said: ${detail}).`, { detail });
  }
  return new TeamsError(known?.code ?? 'unknown', known?.message ?? `Teams refused the change: ${detail}`, { detail });
}

/**
 * Graph lists `skipped` among an operation's statuses without saying when Teams uses it
 * (telephoneNumberLongRunningOperation). We read it as "Teams did not carry out this order" and
 * do not guess why: the number is read back from Teams. If Teams already shows what the change
 * asked for (the number on this user, or the old number gone from them), there was nothing left
 * to do and the change completes; otherwise it fails, the inventory goes back as it was, and the
 * message says Teams skipped it. Either way the inventory ends up matching Teams.
 */
async function settleSkippedChange(deps: AppDeps, change: VoiceChangeRow, operation: NumberOperation): Promise<VoiceChangeRow> {
  const api = await teamsApiFor(deps, await systemTenant(deps, change.tenantId));
  const wanted = change.requested.number;
  const numberChanges = (wanted?.e164 ?? null) !== (change.before.number?.e164 ?? null);
  let inPlace = !numberChanges;
  if (numberChanges && wanted) {
    const now = await api.findNumber(wanted.e164);
    inPlace = Boolean(now && now.assignmentTargetId === change.userId && now.assignmentStatus !== 'unassigned');
  } else if (numberChanges && change.before.number) {
    const old = await api.findNumber(change.before.number.e164);
    inPlace = !old || old.assignmentTargetId !== change.userId || old.assignmentStatus === 'unassigned';
  }
  if (inPlace) return completeChange(deps, change.id, null);
  const detail = operation.numbers?.map((n) => n.statusDetail ?? n.statusMessage).find(Boolean);
  return failChange(
    deps,
    change.id,
    new TeamsError('unknown', `Teams skipped the order and did not make the change${detail ? ` (${detail})` : ''}. Nothing was changed; check the user in the Teams admin center, then try again.`, { ...(detail ? { detail } : {}) }),
    null,
  );
}

/**
 * A change whose process died after recording its intent but before Teams' operation was saved
 * (the caller knows that process is gone). Sending the same order again is safe: an order for a
 * number the user already has changes nothing in Teams.
 */
async function resumeStrandedChange(deps: AppDeps, change: VoiceChangeRow, throwWhileUnknown: boolean): Promise<void> {
  const tenant = await systemTenant(deps, change.tenantId);
  const api = await teamsApiFor(deps, tenant);
  try {
    const wanted = change.requested.number;
    const numberChanges = (wanted?.e164 ?? null) !== (change.before.number?.e164 ?? null);
    if (!numberChanges) {
      await completeChange(deps, change.id, null);
      return;
    }
    if (!wanted) {
      // A second unassign of a number Teams already released fails: look before sending it again.
      const current = await api.findNumber(change.before.number!.e164);
      if (!current || current.assignmentTargetId !== change.userId) {
        await completeChange(deps, change.id, null);
        return;
      }
    }
    const { operationUrl } = wanted
      ? await api.assignNumber({ telephoneNumber: wanted.e164, userId: change.userId, numberType: graphNumberType(wanted.numberType ?? 'direct_routing'), locationId: wanted.locationId ?? undefined })
      : await api.unassignNumber({ telephoneNumber: change.before.number!.e164, numberType: graphNumberType(change.before.number!.numberType ?? 'direct_routing') });
    await deps.db.update(voiceChanges).set({ operationUrl }).where(and(eq(voiceChanges.id, change.id), eq(voiceChanges.status, 'pending')));
  } catch (error) {
    // Teams still unreachable: the queue tries again later, for up to 15 minutes after the request.
    const unknown = error instanceof TeamsError && (error.outcomeUnknown || error.reason === 'unavailable' || error.reason === 'throttled');
    if (throwWhileUnknown && unknown && deps.now().getTime() - change.createdAt.getTime() < 15 * 60_000) throw error;
    await failChange(deps, change.id, error, null);
  }
}

async function systemTenant(deps: AppDeps, tenantId: string): Promise<TenantRow> {
  const [row] = await deps.db.select().from(tenants).where(eq(tenants.id, tenantId));
  if (!row) throw new NotFoundError('Tenant');
  return row;
}

/** Teams confirmed the number (or nothing asynchronous was needed): set policies, free the old number, record the outcome. */
async function completeChange(deps: AppDeps, changeId: string, actor: Actor | null): Promise<VoiceChangeRow> {
  const [change] = await deps.db.select().from(voiceChanges).where(eq(voiceChanges.id, changeId));
  if (!change || change.status !== 'pending') return change!;
  const tenant = await systemTenant(deps, change.tenantId);
  const api = await teamsApiFor(deps, tenant);
  let policyError: unknown;
  const policyUpdates = Object.entries(change.requested.policies).filter(([type, name]) => (change.before.policies[type] ?? null) !== name);
  for (const [type, name] of policyUpdates) {
    try {
      const policyType = canonicalPolicyType(type)!;
      if (name === null) await api.unassignPolicy(change.userId, policyType);
      else {
        const resolved = await resolvePolicies(deps, api, change.tenantId, { [type]: name });
        await api.assignPolicy(change.userId, policyType, resolved[policyType]!.policyId);
      }
    } catch (error) {
      policyError = error;
      break;
    }
  }
  const after = await refreshTeamsUser(deps, tenant, change.userId).catch(() => undefined);
  const who = actor ? undefined : { operatorId: change.operatorId, label: 'system (Teams confirmation)' };
  const completed = await deps.db.transaction(async (tx) => {
    // Several followers (the job, a bulk run) may see the same confirmation: only the first completes.
    const [locked] = await tx.select().from(voiceChanges).where(eq(voiceChanges.id, changeId)).for('update');
    if (!locked || locked.status !== 'pending') return locked!;
    // The user's previous number goes back to the pool through the lifecycle (cooling), then the new one is theirs.
    if (change.oldNumberId && change.oldNumberId !== change.newNumberId) await releaseIfHeldBy(deps, tx, change, change.oldNumberId, actor);
    if (change.newNumberId) {
      const [held] = await tx.select().from(phoneNumbers).where(eq(phoneNumbers.id, change.newNumberId));
      if (held?.status === 'reserved') {
        // A resource account is an Entra user too; its name says what it is, so the inventory shows e.g. "Main line AA (resource account)".
        const name = after?.displayName ? (after.accountType === 'resourceAccount' ? `${after.displayName} (resource account)` : after.displayName) : null;
        const assignee = { type: 'teams_user' as const, id: change.userId, upn: change.userUpn, name };
        await changeNumberStatus(deps, actor, change.tenantId, change.newNumberId, { action: 'assign', assignee, ticketId: change.ticketId }, undefined, tx);
      }
      // Teams took the emergency location with the assignment (assignNumber's locationId): the inventory records it.
      const sentLocation = change.requested.number?.locationId;
      if (sentLocation) await setEmergencyLocation(deps, tx, actor ?? who!, change.tenantId, change.newNumberId, sentLocation, { action: 'set', ticketId: change.ticketId, via: 'Teams assignNumber' });
    }
    const failedPolicies = policyError !== undefined;
    const message = failedPolicies ? `The number change is done, but a policy could not be set: ${policyError instanceof Error ? policyError.message : String(policyError)}` : null;
    // Marked in the same write as the outcome, so nobody sees a done change whose ticket logging is not yet known.
    const logsTicket = !failedPolicies && (await ticketLoggingApplies(tx, change));
    const [row] = await tx
      .update(voiceChanges)
      .set({ status: failedPolicies ? 'failed' : 'succeeded', errorCode: failedPolicies ? 'policies_failed' : null, errorMessage: message, completedAt: deps.now(), ...(logsTicket ? { ticketLogStatus: 'queued' as const } : {}) })
      .where(eq(voiceChanges.id, changeId))
      .returning();
    await recordAudit(tx, {
      action: `voice.${change.kind}`,
      actor: actor ?? who!,
      tenantId: change.tenantId,
      targetType: 'teams_user',
      targetId: change.userId,
      before: change.before,
      // changeId: the audit log offers Revert on this event for the same change.
      after: after ? { ...change.requested, confirmedNumbers: after.numbers, changeId: change.id } : { ...change.requested, changeId: change.id },
      result: failedPolicies ? 'failure' : 'success',
      ...(message ? { error: message } : {}),
      ticketId: change.ticketId,
    });
    return row!;
  });
  // The ticket is told afterwards, in its own job: ConnectWise being down never holds up Teams work.
  await queueTicketLog(deps, completed.id);
  return completed;
}

async function releaseIfHeldBy(deps: AppDeps, tx: Db, change: VoiceChangeRow, numberId: string, actor: Actor | null): Promise<void> {
  const [row] = await tx.select().from(phoneNumbers).where(eq(phoneNumbers.id, numberId));
  if (row?.status === 'assigned' && row.assigneeId === change.userId) {
    await changeNumberStatus(deps, actor, change.tenantId, numberId, { action: 'release', ticketId: change.ticketId }, undefined, tx);
  }
}

/** Teams refused: undo the inventory claim exactly as it was, and record why in plain words. */
async function failChange(deps: AppDeps, changeId: string, error: unknown, actor: Actor | null): Promise<VoiceChangeRow> {
  const code = error instanceof AppError ? error.code : 'unknown';
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof TeamsError) && !(error instanceof AppError)) deps.log.error({ err: error, changeId }, 'voice change failed unexpectedly');
  return deps.db.transaction(async (tx) => {
    const [change] = await tx.select().from(voiceChanges).where(eq(voiceChanges.id, changeId)).for('update');
    if (!change || change.status !== 'pending') return change!;
    if (change.newNumberId && change.claimedFrom) {
      await unclaimNumber(deps, tx, actor ?? { operatorId: change.operatorId, label: 'system (Teams refused)' }, change.tenantId, change.newNumberId, change.claimedFrom as ClaimSnapshot, { error: message, heldFor: change.userUpn, ticketId: change.ticketId });
    }
    const [row] = await tx.update(voiceChanges).set({ status: 'failed', errorCode: code, errorMessage: message, completedAt: deps.now() }).where(eq(voiceChanges.id, changeId)).returning();
    await recordAudit(tx, {
      action: `voice.${change.kind}`,
      actor: actor ?? { operatorId: change.operatorId, label: 'system (Teams refused)' },
      tenantId: change.tenantId,
      targetType: 'teams_user',
      targetId: change.userId,
      before: change.before,
      after: { ...change.requested, changeId: change.id },
      result: 'failure',
      error: message,
      ticketId: change.ticketId,
    });
    return row!;
  });
}

/** A LIKE pattern that matches `text` literally: the user's % _ and \ are not wildcards. */

/** Who made the change and whether a revert may be offered, read with the rows (list and detail). */
const operatorLabel = sql<string | null>`(select coalesce(nullif(o.display_name, ''), o.email) from operators o where o.id = voice_changes.operator_id)`;
/** Revertible: Teams completed it and nothing newer completed for the same user (the order revert checks too). */
// Spelled out with the table's name: an interpolated column may render unqualified, and inside the subquery that would name the later row.
const revertibleFlag = sql<boolean>`(voice_changes.status = 'succeeded' and not exists (select 1 from voice_changes later where later.tenant_id = voice_changes.tenant_id and later.user_id = voice_changes.user_id and later.status = 'succeeded' and later.created_at > voice_changes.created_at))`;

/** The creation time to the microsecond (a JavaScript Date keeps milliseconds), so a page boundary never skips a row. */
const cursorTimestamp = sql<string>`to_char(${voiceChanges.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function listedView(row: { change: VoiceChangeRow; operator: string | null; revertible: boolean }) {
  return { ...voiceChangeView(row.change), operator: row.operator, revertible: Boolean(row.revertible) };
}

export async function getVoiceChange(deps: AppDeps, actor: Actor, tenantId: string, changeId: string): Promise<VoiceChangeView> {
  await loadTenant(deps.db, actor, tenantId);
  const [row] = await deps.db
    .select({ change: voiceChanges, operator: operatorLabel, revertible: revertibleFlag })
    .from(voiceChanges)
    .where(and(eq(voiceChanges.id, changeId), eq(voiceChanges.tenantId, tenantId)));
  if (!row) throw new NotFoundError('Voice change');
  return listedView(row);
}

export type VoiceChangeFilter = {
  /** Exact Teams user id (the user panel's history). */
  userId?: string | undefined;
  /** A Teams user id, or any part of the UPN. */
  user?: string | undefined;
  operatorId?: string | undefined;
  ticketId?: string | undefined;
  status?: Array<VoiceChangeRow['status']> | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Only these changes (the audit log asks which of its events can be reverted). */
  ids?: string[] | undefined;
  cursor?: VoiceChangeCursor | undefined;
  limit: number;
};

/** The tenant's voice changes, newest first, filtered and paged by keyset (issue #17 item 4). */
export async function listVoiceChanges(deps: AppDeps, actor: Actor, tenantId: string, filter: VoiceChangeFilter): Promise<{ changes: Array<ReturnType<typeof listedView>>; nextCursor: string | null }> {
  await loadTenant(deps.db, actor, tenantId);
  const user = filter.user?.trim();
  const cursor = filter.cursor;
  const rows = await deps.db
    .select({ change: voiceChanges, operator: operatorLabel, revertible: revertibleFlag, cursorAt: cursorTimestamp })
    .from(voiceChanges)
    .where(
      and(
        eq(voiceChanges.tenantId, tenantId),
        filter.userId ? eq(voiceChanges.userId, filter.userId) : undefined,
        user ? or(eq(voiceChanges.userId, user), ilike(voiceChanges.userUpn, `%${likeEscape(user)}%`)) : undefined,
        filter.operatorId ? eq(voiceChanges.operatorId, filter.operatorId) : undefined,
        filter.ticketId ? eq(voiceChanges.ticketId, filter.ticketId) : undefined,
        filter.status?.length ? inArray(voiceChanges.status, filter.status) : undefined,
        filter.from ? gte(voiceChanges.createdAt, filter.from) : undefined,
        filter.to ? lte(voiceChanges.createdAt, filter.to) : undefined,
        filter.ids ? (filter.ids.length ? inArray(voiceChanges.id, filter.ids) : sql`false`) : undefined,
        cursor ? sql`(${voiceChanges.createdAt}, ${voiceChanges.id}) < (${cursor.createdAt}::timestamptz, ${cursor.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(voiceChanges.createdAt), desc(voiceChanges.id))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    changes: page.map(listedView),
    nextCursor: rows.length > filter.limit && last ? encodeVoiceChangeCursor({ createdAt: last.cursorAt, id: last.change.id }) : null,
  };
}

/**
 * Reverts a finished change (D6): puts back the number and policies the user had before it.
 * When the old number has been taken meanwhile, explains the conflict and changes nothing.
 */
export async function revertVoiceChange(deps: AppDeps, actor: Actor, tenantId: string, changeId: string, info: RequestInfo, ticketId?: string | null, ticketLog?: TicketLogChoices): Promise<VoiceChangeView> {
  await loadActiveTenant(deps.db, actor, tenantId);
  const [change] = await deps.db.select().from(voiceChanges).where(and(eq(voiceChanges.id, changeId), eq(voiceChanges.tenantId, tenantId)));
  if (!change) throw new NotFoundError('Voice change');
  if (change.status !== 'succeeded') throw new ConflictError('Only a change that Teams completed can be reverted.', 'not_revertible');
  const [later] = await deps.db
    .select({ id: voiceChanges.id })
    .from(voiceChanges)
    .where(and(eq(voiceChanges.tenantId, tenantId), eq(voiceChanges.userId, change.userId), eq(voiceChanges.status, 'succeeded'), sql`${voiceChanges.createdAt} > ${change.createdAt.toISOString()}::timestamptz`))
    .limit(1);
  if (later) throw new ConflictError(`${change.userUpn} has been changed again since; revert the newer change first.`, 'revert_conflict');
  const old = change.before.number;
  if (old) {
    const row = await inventoryNumber(deps.db, tenantId, old.e164);
    if (row && row.status === 'assigned' && row.assigneeId !== change.userId) {
      throw new ConflictError(`The previous number ${old.e164} is now assigned to ${row.assigneeUpn ?? row.assigneeId}; nothing was changed. Pick another number for ${change.userUpn} instead.`, 'revert_conflict');
    }
    if (row && (row.status === 'blocked' || row.status === 'retired')) {
      throw new ConflictError(`The previous number ${old.e164} is ${row.status} now; nothing was changed. Unblock or restore it first if it should go back to ${change.userUpn}.`, 'revert_conflict');
    }
  }
  const policies = Object.fromEntries(Object.keys({ ...change.before.policies, ...change.requested.policies }).map((type) => [type, change.before.policies[type] ?? null]));
  return requestVoiceChange(deps, actor, tenantId, { userId: change.userId, number: old ? { e164: old.e164 } : null, policies, ticketId: ticketId ?? change.ticketId, ticketLog }, info, { kind: 'revert', revertOf: change.id });
}
