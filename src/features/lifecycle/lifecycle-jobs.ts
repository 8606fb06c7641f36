/**
 * Joiners and leavers (#18): a user's whole voice life as one durable job of ordered steps.
 * Every step keeps its state on the job row before and after it acts, so a worker that dies
 * mid-way is resumed by another (the lease runs out) from the step it was on — a step already
 * done is never done again, and the step in flight finds what it had started (its voice change,
 * its held number) instead of starting it twice. Numbers and policies change only through the
 * voice change code (teams/voice-changes.ts) and the inventory only through numbers/number-store.ts.
 */
import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { TeamsApi } from '../../connectors/teams/teams-api.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { parseNumber } from '../../core/phone-number.ts';
import { queryRows } from '../../db/connection.ts';
import { lifecycleJobs, phoneNumbers, tenantConnections, voiceChanges, voiceProfiles, type LifecycleStep } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { logWorkOnTicket } from '../connectwise/ticket-logger.ts';
import { allocateNextNumber, type AllocationSource } from '../numbers/number-allocator.ts';
import { changeNumberStatus, linkExtension, setCoolingReason, unlinkExtension } from '../numbers/number-store.ts';
import { createSharedExtension, deleteExtension, findExtension } from '../threecx/users.ts';
import { teamsApiFor } from '../teams/connection.ts';
import { refreshTeamsUser, type TeamsUserRow } from '../teams/directory.ts';
import { followVoiceChange, requestVoiceChange, revertVoiceChange, type VoiceChangeRow } from '../teams/voice-changes.ts';
import { loadActiveTenant, loadTenant, tenantFeatures, type TenantRow } from '../tenants/tenants.ts';
import { freeUnits, grantsCallingPlan, grantsTeamsPhone, licenceFacts, skuLabel, type LicenceFacts } from './licences.ts';

export const LIFECYCLE_QUEUE = 'lifecycle-job';

export type OnboardInput = {
  userId: string;
  profileId?: string | null | undefined;
  /** A chosen number; otherwise the next free one of the profile's range, site or tag. */
  number?: { numberId: string } | { e164: string } | null | undefined;
  /** Policies on top of the profile's (type → name). */
  policies?: Record<string, string | null> | undefined;
  /** Licences (SKU ids) to assign when the user lacks Teams Phone (and a Calling Plan, for a Calling Plan number). */
  licenceSkuIds?: string[] | undefined;
  /** ISO 3166 country code to set when the user has no usage location. */
  usageLocation?: string | null | undefined;
  /** The 3CX extension number to create with the same DID, where the tenant has 3CX. */
  threecxExtension?: string | null | undefined;
  ticketId?: string | null | undefined;
};

export type OffboardInput = {
  userId: string;
  /** Keep the number for a successor (reserved) instead of cooling it as a leaver's. */
  reserveFor?: { reason: string; days: number } | null | undefined;
  /** Licences (SKU ids) to remove last, once the number is gone. */
  removeLicenceSkuIds?: string[] | undefined;
  ticketId?: string | null | undefined;
};

type JobRow = typeof lifecycleJobs.$inferSelect;

const ONBOARD_STEPS: Array<[string, string]> = [
  ['check', 'Check the user in Teams'],
  ['usage_location', 'Set the usage location'],
  ['licence', 'Check or assign the Teams Phone licence'],
  ['number', 'Take the number'],
  ['voice', 'Assign the number and policies in Teams'],
  ['threecx_extension', 'Create the 3CX extension with the DID'],
  ['ticket', 'Log note and time on the ticket'],
];
const OFFBOARD_STEPS: Array<[string, string]> = [
  ['check', 'Check the user in Teams'],
  ['remove_extension', 'Remove the 3CX extension'],
  ['remove_number', 'Remove the number in Teams'],
  ['reset_policies', 'Reset policies to the tenant defaults'],
  ['hold_number', 'Cool or reserve the number'],
  ['licence', 'Remove the Teams Phone licence'],
  ['ticket', 'Log note and time on the ticket'],
];

const newSteps = (list: Array<[string, string]>): LifecycleStep[] => list.map(([name, title]) => ({ name, title, state: 'pending', message: null, result: null, startedAt: null, finishedAt: null }));

export function lifecycleJobView(job: JobRow) {
  return {
    id: job.id,
    tenantId: job.tenantId,
    kind: job.kind,
    userId: job.userId,
    userUpn: job.userUpn,
    status: job.status,
    input: job.input,
    steps: job.steps,
    ticketId: job.ticketId,
    error: job.error,
    canRetry: job.status === 'failed' || job.status === 'undo_failed',
    canUndo: (job.status === 'failed' || job.status === 'succeeded' || job.status === 'undo_failed') && job.steps.some((s) => s.state === 'succeeded' && s.result?.undoable === true),
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}
export type LifecycleJobView = ReturnType<typeof lifecycleJobView>;

/* ----------------------------------------------------------------- plans and dry runs */

export type PlanLine = { step: string; title: string; action: 'do' | 'skip' | 'blocked'; message: string };
export type Plan = { kind: 'onboard' | 'offboard'; userId: string; userUpn: string; ok: boolean; lines: PlanLine[]; warnings: string[]; problem: { code: string; message: string } | null };

/** The user by id or UPN, refreshed from Teams (the configuration is read by id). */
async function userOf(deps: AppDeps, tenant: TenantRow, userId: string): Promise<TeamsUserRow> {
  try {
    const id = userId.includes('@') ? (await (await teamsApiFor(deps, tenant)).getUser(userId)).id : userId;
    return await refreshTeamsUser(deps, tenant, id);
  } catch (error) {
    if (error instanceof AppError && error.status === 404) throw new NotFoundError('Teams user');
    throw error;
  }
}

async function profileOf(deps: AppDeps, tenantId: string, profileId: string | null | undefined) {
  if (!profileId) return undefined;
  const [profile] = await deps.db.select().from(voiceProfiles).where(and(eq(voiceProfiles.id, profileId), eq(voiceProfiles.tenantId, tenantId)));
  if (!profile) throw new NotFoundError('Voice profile');
  return profile;
}

async function activeJobFor(deps: AppDeps, tenantId: string, userId: string): Promise<JobRow | undefined> {
  const [job] = await deps.db
    .select()
    .from(lifecycleJobs)
    .where(and(eq(lifecycleJobs.tenantId, tenantId), eq(lifecycleJobs.userId, userId), inArray(lifecycleJobs.status, ['queued', 'running', 'undoing'])));
  return job;
}

async function freeCount(deps: AppDeps, tenantId: string, source: AllocationSource): Promise<number> {
  const where =
    'rangeId' in source ? sql`range_id = ${source.rangeId}::uuid` : 'siteId' in source ? sql`site_id = ${source.siteId}::uuid` : sql`${source.tag} = any(tags)`;
  const [row] = await queryRows<{ n: number }>(deps.db, sql`select count(*)::int as n from phone_numbers where tenant_id = ${tenantId}::uuid and status = 'available' and ${where}`);
  return row?.n ?? 0;
}

/** Resolves a chosen number to an inventory row that can be taken now (available, or reserved). */
async function chosenNumber(deps: AppDeps, tenant: TenantRow, ref: { numberId: string } | { e164: string }) {
  let row: typeof phoneNumbers.$inferSelect | undefined;
  if ('numberId' in ref) [row] = await deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.id, ref.numberId), eq(phoneNumbers.tenantId, tenant.id)));
  else {
    const parsed = parseNumber(ref.e164, tenant.defaultCountry);
    if (!parsed.ok) throw new ValidationError(parsed.reason, [{ field: 'number', message: parsed.reason }]);
    [row] = await deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenant.id), eq(phoneNumbers.e164, parsed.value.e164), eq(phoneNumbers.extension, '')));
  }
  if (!row) throw new ValidationError(`That number is not in ${tenant.name}'s inventory.`, [{ field: 'number', message: 'Not in the inventory' }]);
  return row;
}

/**
 * The profile's licences and usage location where the request names none: what is given wins,
 * so one joiner can differ from the profile without changing it.
 */
function withProfileDefaults(input: OnboardInput, profile: Awaited<ReturnType<typeof profileOf>>): OnboardInput {
  if (!profile) return input;
  return {
    ...input,
    licenceSkuIds: input.licenceSkuIds?.length ? input.licenceSkuIds : profile.licenceSkuIds.length ? profile.licenceSkuIds : input.licenceSkuIds,
    usageLocation: input.usageLocation ?? profile.usageLocation,
  };
}

/**
 * What onboarding would do, checked against the live tenant (user, licences, free numbers).
 * Changes nothing. The first blocking problem is returned with its error code.
 */
export async function planOnboarding(deps: AppDeps, actor: Actor, tenantId: string, given: OnboardInput): Promise<Plan> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const api = await teamsApiFor(deps, tenant);
  const user = await userOf(deps, tenant, given.userId);
  const profile = await profileOf(deps, tenantId, given.profileId);
  const input = withProfileDefaults(given, profile);
  const lines: PlanLine[] = [];
  const warnings: string[] = [];
  let problem: Plan['problem'] = null;
  const block = (step: string, code: string, message: string) => {
    lines.push({ step, title: titleOf('onboard', step), action: 'blocked', message });
    problem ??= { code, message };
  };
  const line = (step: string, action: 'do' | 'skip', message: string) => lines.push({ step, title: titleOf('onboard', step), action, message });

  const running = await activeJobFor(deps, tenantId, user.userId);
  if (running) block('check', 'lifecycle_job_running', `A ${running.kind === 'onboard' ? 'joiner' : 'leaver'} job for ${user.upn} is still running.`);
  else if (!user.accountEnabled) block('check', 'user_disabled', `${user.upn} is disabled in Entra ID.`);
  else if (user.numbers.length > 0) block('check', 'already_onboarded', `${user.upn} already has ${user.numbers[0]!.telephoneNumber} in Teams: this user is already onboarded.`);
  else line('check', 'do', `${user.upn} is enabled and has no number yet.`);

  // The number first: its kind says whether a Calling Plan is needed.
  let numberKind = 'direct_routing';
  let numberMessage: { action: 'do' | 'blocked'; code?: string; message: string };
  if (input.number) {
    const row = await chosenNumber(deps, tenant, input.number);
    numberKind = row.kind;
    numberMessage = row.status === 'available' || row.status === 'reserved' ? { action: 'do', message: `Take ${row.e164} (${row.status}).` } : { action: 'blocked', code: 'number_not_free', message: `${row.e164} is ${row.status}${row.assigneeUpn ? ` (${row.assigneeUpn})` : ''}; pick another number.` };
  } else if (profile?.numberSource) {
    const free = await freeCount(deps, tenantId, profile.numberSource);
    const [first] = free
      ? await deps.db
          .select({ kind: phoneNumbers.kind, e164: phoneNumbers.e164 })
          .from(phoneNumbers)
          .where(and(eq(phoneNumbers.tenantId, tenantId), eq(phoneNumbers.status, 'available'), 'rangeId' in profile.numberSource ? eq(phoneNumbers.rangeId, profile.numberSource.rangeId) : 'siteId' in profile.numberSource ? eq(phoneNumbers.siteId, profile.numberSource.siteId) : sql`${profile.numberSource.tag} = any(${phoneNumbers.tags})`))
          .orderBy(phoneNumbers.e164)
          .limit(1)
      : [];
    if (first) numberKind = first.kind;
    numberMessage = free > 0 ? { action: 'do', message: `Take the next free number of profile "${profile.name}" (${first?.e164} now; ${free} free).` } : { action: 'blocked', code: 'no_free_number', message: `No free number is left where profile "${profile.name}" takes them from.` };
  } else {
    numberMessage = { action: 'blocked', code: 'number_required', message: 'Choose a number, or a profile that says where numbers come from.' };
  }

  let facts: LicenceFacts | undefined;
  try {
    facts = await licenceFacts(api, user.userId);
  } catch (error) {
    block('licence', 'licences_unreadable', `The user's licences could not be read from Microsoft Graph: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (facts) {
    const location = facts.usageLocation ?? user.usageLocation;
    if (location) line('usage_location', 'skip', `Usage location is ${location}.`);
    else if (input.usageLocation) line('usage_location', 'do', `Set the usage location to ${input.usageLocation}.`);
    else block('usage_location', 'usage_location_missing', `${user.upn} has no usage location; give one (e.g. US) to set it.`);
    const needs = { teamsPhone: !facts.hasTeamsPhone, callingPlan: numberKind === 'calling_plan' && !facts.hasCallingPlan };
    if (!needs.teamsPhone && !needs.callingPlan) line('licence', 'skip', `${user.upn} has Teams Phone${numberKind === 'calling_plan' ? ' and a Calling Plan' : ''}.`);
    else {
      const wanted = input.licenceSkuIds ?? [];
      const chosen = wanted.map((id) => ({ id, sku: facts!.skus.find((s) => s.skuId.toLowerCase() === id.toLowerCase()) }));
      const missingWhat = [needs.teamsPhone ? 'Teams Phone' : null, needs.callingPlan ? 'a Calling Plan' : null].filter(Boolean).join(' and ');
      const unknown = chosen.find((c) => !c.sku);
      const full = chosen.find((c) => c.sku && freeUnits(c.sku) <= 0);
      const covers = (test: (s: NonNullable<(typeof chosen)[number]['sku']>) => boolean) => chosen.some((c) => c.sku && test(c.sku));
      if (wanted.length === 0) block('licence', 'licence_missing', `${user.upn} has no ${missingWhat} licence; choose one to assign.`);
      else if (unknown) block('licence', 'licence_unknown', `The tenant has no subscription ${unknown.id}.`);
      else if (full) block('licence', 'no_licences_left', `No ${skuLabel(full.sku, full.id)} licences left: all ${full.sku!.prepaidUnits.enabled} are assigned. Buy more or free one first.`);
      else if ((needs.teamsPhone && !covers(grantsTeamsPhone)) || (needs.callingPlan && !covers(grantsCallingPlan))) block('licence', 'licence_missing', `The licences chosen do not include ${missingWhat}.`);
      else line('licence', 'do', `Assign ${chosen.map((c) => `${skuLabel(c.sku, c.id)} (${freeUnits(c.sku!)} free)`).join(', ')}.`);
    }
  }
  if (numberMessage.action === 'blocked') block('number', numberMessage.code!, numberMessage.message);
  else line('number', 'do', numberMessage.message);
  const policies = { ...(profile?.policies ?? {}), ...(input.policies ?? {}) };
  line('voice', 'do', `Assign the number${Object.keys(policies).length ? ` and ${Object.entries(policies).map(([t, n]) => `${t} ${n ?? '(inherit)'}`).join(', ')}` : ''} in Teams.`);
  const pbx = await threeCxPlan(deps, actor, tenant, input.threecxExtension);
  if (pbx.action === 'blocked') block('threecx_extension', pbx.code, pbx.message);
  else line('threecx_extension', pbx.action, pbx.message);
  const logs = input.ticketId ? await ticketApplies(deps, tenantId) : false;
  line('ticket', logs ? 'do' : 'skip', logs ? `Note and time on ticket #${input.ticketId}.` : input.ticketId ? 'ConnectWise is not set up for this tenant.' : 'No ticket given.');
  return { kind: 'onboard', userId: user.userId, userUpn: user.upn, ok: problem === null, lines: sortLines('onboard', lines), warnings, problem };
}

/** What offboarding would do, checked against the live tenant. Changes nothing. */
export async function planOffboarding(deps: AppDeps, actor: Actor, tenantId: string, input: OffboardInput): Promise<Plan> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const api = await teamsApiFor(deps, tenant);
  const user = await userOf(deps, tenant, input.userId);
  const lines: PlanLine[] = [];
  const warnings: string[] = [];
  let problem: Plan['problem'] = null;
  const block = (step: string, code: string, message: string) => {
    lines.push({ step, title: titleOf('offboard', step), action: 'blocked', message });
    problem ??= { code, message };
  };
  const line = (step: string, action: 'do' | 'skip', message: string) => lines.push({ step, title: titleOf('offboard', step), action, message });
  const running = await activeJobFor(deps, tenantId, user.userId);
  const number = user.numbers[0]?.telephoneNumber;
  if (running) block('check', 'lifecycle_job_running', `A ${running.kind === 'onboard' ? 'joiner' : 'leaver'} job for ${user.upn} is still running.`);
  else if (!number) block('check', 'no_number', `${user.upn} has no number in Teams; there is nothing to offboard.`);
  else line('check', 'do', `${user.upn} has ${number}.`);
  if (!user.phoneSystem) warnings.push(licenceGoneWarning(user.upn));
  const shared = number ? await sharedExtensionOf(deps, tenantId, number) : null;
  line('remove_extension', shared ? 'do' : 'skip', shared ? `Delete 3CX extension ${shared} (it shares ${number}).` : 'No 3CX extension shares the number.');
  if (number) line('remove_number', 'do', `Remove ${number} from ${user.upn} in Teams (before any licence is removed).`);
  const direct = Object.entries(user.policies).filter(([, p]) => p.assignmentType === 'direct');
  line('reset_policies', direct.length ? 'do' : 'skip', direct.length ? `Remove the direct assignments ${direct.map(([t, p]) => `${t} ${p.name}`).join(', ')}; the tenant defaults apply.` : 'No policy is assigned directly.');
  line('hold_number', 'do', input.reserveFor ? `Reserve ${number ?? 'the number'} for ${input.reserveFor.days} days: ${input.reserveFor.reason}.` : `Put ${number ?? 'the number'} into cooling with reason "leaver".`);
  if (input.removeLicenceSkuIds?.length) {
    const facts = await licenceFacts(api, user.userId);
    const notHeld = input.removeLicenceSkuIds.find((id) => !facts.userSkuIds.includes(id.toLowerCase()));
    if (notHeld) block('licence', 'licence_not_held', `${user.upn} does not hold licence ${notHeld}.`);
    else line('licence', 'do', `Remove ${input.removeLicenceSkuIds.map((id) => skuLabel(facts.skus.find((s) => s.skuId.toLowerCase() === id.toLowerCase()), id)).join(', ')} last.`);
  } else line('licence', 'skip', 'Licences are kept.');
  const logs = input.ticketId ? await ticketApplies(deps, tenantId) : false;
  line('ticket', logs ? 'do' : 'skip', logs ? `Note and time on ticket #${input.ticketId}.` : input.ticketId ? 'ConnectWise is not set up for this tenant.' : 'No ticket given.');
  return { kind: 'offboard', userId: user.userId, userUpn: user.upn, ok: problem === null, lines: sortLines('offboard', lines), warnings, problem };
}

async function hasThreeCx(deps: AppDeps, tenant: TenantRow): Promise<boolean> {
  if (!(await tenantFeatures(deps, tenant)).threecx) return false;
  const [connection] = await deps.db.select({ t: tenantConnections.tenantId }).from(tenantConnections).where(and(eq(tenantConnections.tenantId, tenant.id), eq(tenantConnections.system, 'threecx')));
  return Boolean(connection);
}

/** What the 3CX step of onboarding would do: nothing without 3CX or an extension number; refused when the PBX already has that extension. */
async function threeCxPlan(deps: AppDeps, actor: Actor, tenant: TenantRow, extension: string | null | undefined): Promise<{ action: 'do' | 'skip'; message: string } | { action: 'blocked'; code: string; message: string }> {
  if (!(await hasThreeCx(deps, tenant))) return extension ? { action: 'blocked', code: 'threecx_not_configured', message: `${tenant.name} has no 3CX connection; leave the 3CX extension empty.` } : { action: 'skip', message: 'The tenant has no 3CX.' };
  if (!extension) return { action: 'skip', message: 'No 3CX extension number given; no extension is created.' };
  const taken = await findExtension(deps, actor, tenant.id, extension);
  if (taken) return { action: 'blocked', code: 'threecx_extension_taken', message: `Extension ${extension} is already in use on the PBX (${taken.displayName || 'no name'}); pick another extension number.` };
  return { action: 'do', message: `Create 3CX extension ${extension} with the same number as its DID.` };
}

const licenceGoneWarning = (upn: string) =>
  `${upn} no longer has a Teams Phone licence. Teams keeps a number on an unlicensed user and may refuse to remove it: assign the Teams Phone licence again for the removal (then take it off), or remove the number with Remove-CsPhoneNumberAssignment in Teams PowerShell.`;

function titleOf(kind: 'onboard' | 'offboard', step: string): string {
  return (kind === 'onboard' ? ONBOARD_STEPS : OFFBOARD_STEPS).find(([name]) => name === step)?.[1] ?? step;
}
function sortLines(kind: 'onboard' | 'offboard', lines: PlanLine[]): PlanLine[] {
  const order = (kind === 'onboard' ? ONBOARD_STEPS : OFFBOARD_STEPS).map(([n]) => n);
  return [...lines].sort((a, b) => order.indexOf(a.step) - order.indexOf(b.step));
}

/** The 3CX extension that shares this Teams number (number-store linkExtension), if any. */
async function sharedExtensionOf(deps: AppDeps, tenantId: string, e164: string): Promise<string | null> {
  const [row] = await deps.db.select({ ext: phoneNumbers.linkedExtension }).from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenantId), eq(phoneNumbers.e164, e164), eq(phoneNumbers.extension, '')));
  return row?.ext ?? null;
}

async function ticketApplies(deps: AppDeps, tenantId: string): Promise<boolean> {
  const [connection] = await deps.db.select({ t: tenantConnections.tenantId }).from(tenantConnections).where(and(eq(tenantConnections.tenantId, tenantId), eq(tenantConnections.system, 'connectwise')));
  return Boolean(connection);
}

/** The tenant's subscriptions a joiner's licence can come from, with their free units. */
export async function listLicences(deps: AppDeps, actor: Actor, tenantId: string) {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const skus = await (await teamsApiFor(deps, tenant)).listSubscribedSkus();
  return skus
    .filter((s) => (s.appliesTo ?? 'User') === 'User')
    .map((s) => ({ skuId: s.skuId, skuPartNumber: s.skuPartNumber ?? s.skuId, total: s.prepaidUnits.enabled, free: Math.max(0, freeUnits(s)), teamsPhone: grantsTeamsPhone(s), callingPlan: grantsCallingPlan(s) }));
}

/* ----------------------------------------------------------------- starting, retrying, undoing */

function refuse(plan: Plan): never {
  const { code, message } = plan.problem!;
  if (code === 'number_required' || code === 'usage_location_missing' || code === 'licence_unknown' || code === 'threecx_not_configured') throw new AppError(400, code, message);
  throw new ConflictError(message, code);
}

async function enqueue(deps: AppDeps, jobId: string): Promise<void> {
  if (!deps.queue) throw new AppError(503, 'jobs_unavailable', 'The job queue is not running.');
  // A second delivery while another worker holds the lease fails and comes back later; heartbeats let a dead worker's job go to another.
  await deps.queue.send(LIFECYCLE_QUEUE, { jobId }, { retryLimit: 40, retryDelay: 3, expireInSeconds: 3600, heartbeatSeconds: 10 });
}

export async function startOnboarding(deps: AppDeps, actor: Actor, tenantId: string, given: OnboardInput, info: RequestInfo): Promise<LifecycleJobView> {
  const plan = await planOnboarding(deps, actor, tenantId, given);
  if (!plan.ok) refuse(plan);
  // The job keeps the profile's licences and usage location as they are now: a later edit of the profile does not change a running job.
  const input = withProfileDefaults(given, await profileOf(deps, tenantId, given.profileId));
  return createJob(deps, actor, tenantId, 'onboard', plan, input, info);
}

export async function startOffboarding(deps: AppDeps, actor: Actor, tenantId: string, input: OffboardInput, info: RequestInfo): Promise<LifecycleJobView> {
  const plan = await planOffboarding(deps, actor, tenantId, input);
  if (!plan.ok) refuse(plan);
  return createJob(deps, actor, tenantId, 'offboard', plan, input, info);
}

async function createJob(deps: AppDeps, actor: Actor, tenantId: string, kind: 'onboard' | 'offboard', plan: Plan, input: OnboardInput | OffboardInput, info: RequestInfo): Promise<LifecycleJobView> {
  if (!deps.queue) throw new AppError(503, 'jobs_unavailable', 'The job queue is not running.');
  const job = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(lifecycleJobs)
      .values({ tenantId, kind, userId: plan.userId, userUpn: plan.userUpn, status: 'queued', input: { ...input, userId: plan.userId }, steps: newSteps(kind === 'onboard' ? ONBOARD_STEPS : OFFBOARD_STEPS), ticketId: input.ticketId ?? null, operatorId: actor.operatorId, createdAt: deps.now() })
      .returning();
    await recordAudit(tx, { action: `lifecycle.${kind}_requested`, actor, tenantId, targetType: 'teams_user', targetId: plan.userId, after: { jobId: row!.id, input, plan: plan.lines, warnings: plan.warnings }, ticketId: input.ticketId ?? null, request: info });
    return row!;
  });
  await enqueue(deps, job.id);
  return lifecycleJobView(job);
}

async function loadJob(deps: AppDeps, tenantId: string, jobId: string): Promise<JobRow> {
  const [job] = await deps.db.select().from(lifecycleJobs).where(and(eq(lifecycleJobs.id, jobId), eq(lifecycleJobs.tenantId, tenantId)));
  if (!job) throw new NotFoundError('Lifecycle job');
  return job;
}

export async function getLifecycleJob(deps: AppDeps, actor: Actor, tenantId: string, jobId: string): Promise<LifecycleJobView> {
  await loadTenant(deps.db, actor, tenantId);
  return lifecycleJobView(await loadJob(deps, tenantId, jobId));
}

export async function listLifecycleJobs(deps: AppDeps, actor: Actor, tenantId: string, filter: { userId?: string | undefined; limit: number }): Promise<LifecycleJobView[]> {
  await loadTenant(deps.db, actor, tenantId);
  const rows = await deps.db
    .select()
    .from(lifecycleJobs)
    .where(and(eq(lifecycleJobs.tenantId, tenantId), filter.userId ? eq(lifecycleJobs.userId, filter.userId) : undefined))
    .orderBy(desc(lifecycleJobs.createdAt))
    .limit(filter.limit);
  return rows.map(lifecycleJobView);
}

/** Runs the job again from its failed step; the steps done before it are not repeated. */
export async function retryLifecycleJob(deps: AppDeps, actor: Actor, tenantId: string, jobId: string, info: RequestInfo): Promise<LifecycleJobView> {
  await loadActiveTenant(deps.db, actor, tenantId);
  const job = await deps.db.transaction(async (tx) => {
    const [row] = await tx.select().from(lifecycleJobs).where(and(eq(lifecycleJobs.id, jobId), eq(lifecycleJobs.tenantId, tenantId))).for('update');
    if (!row) throw new NotFoundError('Lifecycle job');
    if (row.status !== 'failed' && row.status !== 'undo_failed') throw new ConflictError('Only a failed job can be retried.', 'not_retryable');
    const undoing = row.status === 'undo_failed';
    const steps = row.steps.map((s) => (s.state === 'failed' || s.state === 'undo_failed' ? { ...s, state: (undoing ? 'succeeded' : 'pending') as LifecycleStep['state'], message: undoing ? s.message : null } : s));
    const failedStep = row.steps.find((s) => s.state === 'failed' || s.state === 'undo_failed')?.name ?? null;
    const [updated] = await tx.update(lifecycleJobs).set({ status: undoing ? 'undoing' : 'queued', steps, error: null, finishedAt: null, leaseUntil: null }).where(eq(lifecycleJobs.id, jobId)).returning();
    await recordAudit(tx, { action: 'lifecycle.retried', actor, tenantId, targetType: 'teams_user', targetId: row.userId, before: { status: row.status, failedStep }, after: { status: updated!.status, jobId }, ticketId: row.ticketId, request: info });
    return updated!;
  });
  await enqueue(deps, job.id);
  return lifecycleJobView(job);
}

/** Undoes what the job did, last step first, as a job of its own. */
export async function undoLifecycleJob(deps: AppDeps, actor: Actor, tenantId: string, jobId: string, info: RequestInfo): Promise<LifecycleJobView> {
  await loadActiveTenant(deps.db, actor, tenantId);
  const job = await deps.db.transaction(async (tx) => {
    const [row] = await tx.select().from(lifecycleJobs).where(and(eq(lifecycleJobs.id, jobId), eq(lifecycleJobs.tenantId, tenantId))).for('update');
    if (!row) throw new NotFoundError('Lifecycle job');
    if (!lifecycleJobView(row).canUndo) throw new ConflictError(row.status === 'queued' || row.status === 'running' || row.status === 'undoing' ? 'Wait for the job to stop before undoing it.' : 'This job has nothing left to undo.', 'not_undoable');
    const [updated] = await tx.update(lifecycleJobs).set({ status: 'undoing', error: null, finishedAt: null, leaseUntil: null }).where(eq(lifecycleJobs.id, jobId)).returning();
    await recordAudit(tx, { action: 'lifecycle.undo_requested', actor, tenantId, targetType: 'teams_user', targetId: row.userId, before: { status: row.status, done: row.steps.filter((s) => s.state === 'succeeded').map((s) => s.name) }, after: { status: 'undoing', jobId }, ticketId: row.ticketId, request: info });
    return updated!;
  });
  await enqueue(deps, job.id);
  return lifecycleJobView(job);
}

/* ----------------------------------------------------------------- the worker */

const LEASE_MS = 15_000;
const HEARTBEAT_MS = 5_000;

/** Another worker holds the job: the queue delivers it again later, when that one is done or dead. */
export class LeaseHeld extends Error {}

type Ctx = { deps: AppDeps; job: JobRow; tenant: TenantRow; actor: Actor; info: RequestInfo; api: TeamsApi; pollMs: number | undefined };
type Outcome = { state: 'succeeded' | 'skipped'; message: string; result?: Record<string, unknown> };

/**
 * The worker's side. Takes the job's lease (a job whose lease ran out belonged to a dead worker),
 * then runs — or undoes — its steps in order, saving each step's state before and after it acts.
 */
export async function processLifecycleJob(deps: AppDeps, jobId: string, options: { pollMs?: number } = {}): Promise<void> {
  const claimed = await queryRows<{ id: string }>(
    deps.db,
    sql`update lifecycle_jobs set lease_until = now() + ${`${LEASE_MS} milliseconds`}::interval,
               status = case when status = 'queued' then 'running' else status end,
               started_at = coalesce(started_at, ${deps.now().toISOString()}::timestamptz)
         where id = ${jobId}::uuid and status in ('queued', 'running', 'undoing') and (lease_until is null or lease_until < now())
         returning id`,
  );
  if (!claimed[0]) {
    const [job] = await deps.db.select({ status: lifecycleJobs.status }).from(lifecycleJobs).where(eq(lifecycleJobs.id, jobId));
    if (job && ['queued', 'running', 'undoing'].includes(job.status)) throw new LeaseHeld(`lifecycle job ${jobId} is held by another worker`);
    return;
  }
  const heartbeat = setInterval(() => {
    deps.db.execute(sql`update lifecycle_jobs set lease_until = now() + ${`${LEASE_MS} milliseconds`}::interval where id = ${jobId}::uuid`).catch(() => undefined);
  }, HEARTBEAT_MS);
  try {
    const [job] = await deps.db.select().from(lifecycleJobs).where(eq(lifecycleJobs.id, jobId));
    const ctx = await contextOf(deps, job!, options.pollMs);
    if (job!.status === 'undoing') await undoSteps(ctx);
    else await runSteps(ctx);
  } finally {
    clearInterval(heartbeat);
    await deps.db.update(lifecycleJobs).set({ leaseUntil: null }).where(eq(lifecycleJobs.id, jobId));
  }
}

async function contextOf(deps: AppDeps, job: JobRow, pollMs: number | undefined): Promise<Ctx> {
  const [operator] = job.operatorId ? await queryRows<{ id: string; email: string; display_name: string; role: string }>(deps.db, sql`select id, email, display_name, role from operators where id = ${job.operatorId}::uuid`) : [];
  const actor: Actor = { operatorId: operator?.id ?? job.operatorId ?? '', email: operator?.email ?? 'system (lifecycle)', displayName: operator?.display_name ?? 'Lifecycle job', role: 'operator', allTenants: true, tenantIds: [], via: 'session' };
  const tenant = await loadTenant(deps.db, actor, job.tenantId);
  return { deps, job, tenant, actor, info: { requestId: `lifecycle-${job.id}`, ip: undefined }, api: await teamsApiFor(deps, tenant), pollMs };
}

async function saveStep(ctx: Ctx, index: number, patch: Partial<LifecycleStep>, audit?: { result: 'success' | 'failure'; error?: string }): Promise<LifecycleStep> {
  return ctx.deps.db.transaction(async (tx) => {
    const [row] = await tx.select().from(lifecycleJobs).where(eq(lifecycleJobs.id, ctx.job.id)).for('update');
    const steps = [...row!.steps];
    const before = steps[index]!;
    steps[index] = { ...before, ...patch };
    await tx.update(lifecycleJobs).set({ steps }).where(eq(lifecycleJobs.id, ctx.job.id));
    if (audit) {
      await recordAudit(tx, {
        action: 'lifecycle.step',
        actor: ctx.actor,
        tenantId: ctx.job.tenantId,
        targetType: 'teams_user',
        targetId: ctx.job.userId,
        before: { jobId: ctx.job.id, step: before.name, state: before.state },
        after: { jobId: ctx.job.id, step: before.name, state: steps[index]!.state, message: steps[index]!.message, result: steps[index]!.result },
        result: audit.result,
        ...(audit.error ? { error: audit.error } : {}),
        ticketId: ctx.job.ticketId,
        request: ctx.info,
      });
    }
    ctx.job = { ...row!, steps };
    return steps[index]!;
  });
}

async function finishJob(ctx: Ctx, status: 'succeeded' | 'failed' | 'undone' | 'undo_failed', error: string | null): Promise<void> {
  await ctx.deps.db.transaction(async (tx) => {
    const [row] = await tx.update(lifecycleJobs).set({ status, error, finishedAt: ctx.deps.now() }).where(eq(lifecycleJobs.id, ctx.job.id)).returning();
    const action = status === 'succeeded' ? (ctx.job.kind === 'onboard' ? 'lifecycle.onboarded' : 'lifecycle.offboarded') : status === 'undone' ? 'lifecycle.undone' : 'lifecycle.failed';
    await recordAudit(tx, {
      action,
      actor: ctx.actor,
      tenantId: ctx.job.tenantId,
      targetType: 'teams_user',
      targetId: ctx.job.userId,
      before: (ctx.job.steps.find((s) => s.name === 'check')?.result?.before as Record<string, unknown> | undefined) ?? null,
      after: { jobId: ctx.job.id, status, steps: row!.steps.map((s) => ({ name: s.name, state: s.state, message: s.message })) },
      result: status === 'succeeded' || status === 'undone' ? 'success' : 'failure',
      ...(error ? { error } : {}),
      ticketId: ctx.job.ticketId,
      request: ctx.info,
    });
  });
}

async function runSteps(ctx: Ctx): Promise<void> {
  for (let index = 0; index < ctx.job.steps.length; index += 1) {
    const step = ctx.job.steps[index]!;
    if (step.state === 'succeeded' || step.state === 'skipped') continue;
    const resuming = step.state === 'running';
    const current = resuming ? step : await saveStep(ctx, index, { state: 'running', startedAt: ctx.deps.now().toISOString(), message: null });
    let outcome: Outcome;
    try {
      outcome = await (ctx.job.kind === 'onboard' ? onboardStep : offboardStep)(ctx, current, index);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!(error instanceof AppError)) ctx.deps.log.error({ err: error, jobId: ctx.job.id, step: step.name }, 'lifecycle step failed unexpectedly');
      await saveStep(ctx, index, { state: 'failed', message, finishedAt: ctx.deps.now().toISOString() }, { result: 'failure', error: message });
      await finishJob(ctx, 'failed', `Step "${step.title}" failed: ${message}`);
      return;
    }
    await saveStep(ctx, index, { state: outcome.state, message: outcome.message, result: { ...(ctx.job.steps[index]!.result ?? {}), ...(outcome.result ?? {}) }, finishedAt: ctx.deps.now().toISOString() }, { result: 'success' });
  }
  await finishJob(ctx, 'succeeded', null);
}

/** Records what a step is about to do, so a resumed step finds it. */
async function note(ctx: Ctx, index: number, result: Record<string, unknown>): Promise<void> {
  await saveStep(ctx, index, { result: { ...(ctx.job.steps[index]!.result ?? {}), ...result } });
}

/** The voice change a step started: the one it recorded, or (when the worker died before recording it) the one made for this user since the step began. */
async function changeOfStep(ctx: Ctx, step: LifecycleStep): Promise<VoiceChangeRow | undefined> {
  if (!step.startedAt) return undefined;
  // Only a change made since this attempt of the step began: a retry starts the step afresh.
  const since = gte(voiceChanges.createdAt, new Date(step.startedAt));
  const id = step.result?.voiceChangeId;
  if (typeof id === 'string') {
    const [row] = await ctx.deps.db.select().from(voiceChanges).where(and(eq(voiceChanges.id, id), since));
    if (row) return row;
  }
  const [row] = await ctx.deps.db
    .select()
    .from(voiceChanges)
    .where(and(eq(voiceChanges.tenantId, ctx.job.tenantId), eq(voiceChanges.userId, ctx.job.userId), since))
    .orderBy(voiceChanges.createdAt)
    .limit(1);
  return row;
}

/** Starts a voice change (or finds the one started before a crash) and follows it to Teams' answer. */
async function voiceStep(ctx: Ctx, index: number, request: () => Promise<{ id: string }>): Promise<VoiceChangeRow> {
  const step = ctx.job.steps[index]!;
  const existing = await changeOfStep(ctx, step);
  const id = existing?.id ?? (await request()).id;
  if (!existing) await note(ctx, index, { voiceChangeId: id });
  else if (step.result?.voiceChangeId !== id) await note(ctx, index, { voiceChangeId: id });
  const outcome = await followVoiceChange(ctx.deps, id, { ...(ctx.pollMs ? { pollMs: ctx.pollMs } : {}), resumeStranded: Boolean(existing) });
  if (outcome.status !== 'succeeded') throw new AppError(409, outcome.errorCode ?? 'voice_change_failed', outcome.errorMessage ?? `The voice change ended as ${outcome.status}.`);
  if (outcome.errorMessage) throw new AppError(409, outcome.errorCode ?? 'policies_failed', outcome.errorMessage);
  return outcome;
}

function input<T>(ctx: Ctx): T {
  return ctx.job.input as T;
}

async function onboardStep(ctx: Ctx, step: LifecycleStep, index: number): Promise<Outcome> {
  const { deps, tenant, api, actor, info, job } = ctx;
  const wanted = input<OnboardInput>(ctx);
  switch (step.name) {
    case 'check': {
      const user = await refreshTeamsUser(deps, tenant, job.userId);
      if (!user.accountEnabled) throw new ConflictError(`${user.upn} is disabled in Entra ID.`, 'user_disabled');
      const own = await changeOfStep(ctx, ctx.job.steps.find((s) => s.name === 'voice')!);
      if (user.numbers.length > 0 && !own) throw new ConflictError(`${user.upn} already has ${user.numbers[0]!.telephoneNumber} in Teams: this user is already onboarded.`, 'already_onboarded');
      return { state: 'succeeded', message: `${user.upn} is enabled and has no number yet.`, result: { before: { number: null, usageLocation: user.usageLocation, phoneSystem: user.phoneSystem, policies: user.policies } } };
    }
    case 'usage_location': {
      const facts = await licenceFacts(api, job.userId);
      if (facts.usageLocation) return { state: step.result?.set ? 'succeeded' : 'skipped', message: step.result?.set ? `Usage location set to ${facts.usageLocation}.` : `Usage location is ${facts.usageLocation}.`, ...(step.result?.set ? {} : { result: { undoable: false } }) };
      if (!wanted.usageLocation) throw new AppError(400, 'usage_location_missing', `${job.userUpn} has no usage location; give one to set it.`);
      await note(ctx, index, { set: wanted.usageLocation, previous: null, undoable: true });
      await api.setUsageLocation(job.userId, wanted.usageLocation);
      await recordAudit(deps.db, { action: 'teams.usage_location_set', actor, tenantId: job.tenantId, targetType: 'teams_user', targetId: job.userId, before: { usageLocation: null }, after: { usageLocation: wanted.usageLocation }, ticketId: job.ticketId, request: info });
      return { state: 'succeeded', message: `Usage location set to ${wanted.usageLocation}.` };
    }
    case 'licence': {
      const facts = await licenceFacts(api, job.userId);
      const numberKind = await kindOfWantedNumber(ctx);
      const needsPhone = !facts.hasTeamsPhone;
      const needsPlan = numberKind === 'calling_plan' && !facts.hasCallingPlan;
      const alreadyAdded = Array.isArray(step.result?.added) ? (step.result.added as string[]) : [];
      if (!needsPhone && !needsPlan) return alreadyAdded.length ? { state: 'succeeded', message: `Assigned ${alreadyAdded.join(', ')}.` } : { state: 'skipped', message: `${job.userUpn} already has the licences needed.` };
      const add = (wanted.licenceSkuIds ?? []).filter((id) => !facts.userSkuIds.includes(id.toLowerCase()));
      if (add.length === 0) throw new ConflictError(`${job.userUpn} has no Teams Phone${needsPlan ? ' or Calling Plan' : ''} licence, and none was chosen to assign.`, 'licence_missing');
      for (const id of add) {
        const sku = facts.skus.find((s) => s.skuId.toLowerCase() === id.toLowerCase());
        if (!sku) throw new AppError(400, 'licence_unknown', `The tenant has no subscription ${id}.`);
        if (freeUnits(sku) <= 0) throw new ConflictError(`No ${skuLabel(sku, id)} licences left: all ${sku.prepaidUnits.enabled} are assigned.`, 'no_licences_left');
      }
      await note(ctx, index, { added: add, undoable: true });
      await api.assignLicense(job.userId, { add });
      await recordAudit(deps.db, { action: 'teams.licence_assigned', actor, tenantId: job.tenantId, targetType: 'teams_user', targetId: job.userId, before: { skuIds: facts.userSkuIds }, after: { skuIds: [...facts.userSkuIds, ...add] }, ticketId: job.ticketId, request: info });
      // Teams reads the licence from the directory; the user's row follows it.
      await refreshTeamsUser(deps, tenant, job.userId);
      return { state: 'succeeded', message: `Assigned ${add.map((id) => skuLabel(facts.skus.find((s) => s.skuId.toLowerCase() === id.toLowerCase()), id)).join(', ')}.` };
    }
    case 'number': {
      const reason = `Onboarding ${job.userUpn} (job ${job.id.slice(0, 8)})`;
      // A number this step held before a crash is used, not a second one.
      const [held] = await deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, job.tenantId), eq(phoneNumbers.status, 'reserved'), eq(phoneNumbers.reservationReason, reason)));
      if (held) return { state: 'succeeded', message: `Holding ${held.e164}.`, result: { numberId: held.id, e164: held.e164, reason, undoable: true } };
      const until = new Date(deps.now().getTime() + 7 * 86_400_000);
      if (wanted.number) {
        const row = await chosenNumber(deps, tenant, wanted.number);
        if (row.status === 'reserved') return { state: 'succeeded', message: `Using ${row.e164}, reserved${row.reservationReason ? ` (${row.reservationReason})` : ''}.`, result: { numberId: row.id, e164: row.e164, undoable: false } };
        const view = await changeNumberStatus(deps, actor, job.tenantId, row.id, { action: 'reserve', reason, until, ticketId: job.ticketId }, info);
        return { state: 'succeeded', message: `Holding ${view.e164}.`, result: { numberId: view.id, e164: view.e164, reason, undoable: true } };
      }
      const profile = await profileOf(deps, job.tenantId, wanted.profileId);
      if (!profile?.numberSource) throw new AppError(400, 'number_required', 'Choose a number, or a profile that says where numbers come from.');
      const view = await allocateNextNumber(deps, actor, job.tenantId, profile.numberSource, { action: 'reserve', reason, until, ticketId: job.ticketId }, info);
      return { state: 'succeeded', message: `Took the next free number, ${view.e164}.`, result: { numberId: view.id, e164: view.e164, reason, undoable: true } };
    }
    case 'voice': {
      const numberStep = ctx.job.steps.find((s) => s.name === 'number')!;
      const profile = await profileOf(deps, job.tenantId, wanted.profileId);
      const policies = { ...(profile?.policies ?? {}), ...(wanted.policies ?? {}) };
      const change = await voiceStep(ctx, index, () => requestVoiceChange(deps, actor, job.tenantId, { userId: job.userId, number: { numberId: numberStep.result!.numberId as string }, policies }, info));
      return { state: 'succeeded', message: `${change.requested.number?.e164} assigned in Teams${Object.keys(policies).length ? ' with the policies' : ''}.`, result: { voiceChangeId: change.id, undoable: true } };
    }
    case 'threecx_extension': {
      const extension = wanted.threecxExtension;
      if (!extension) return { state: 'skipped', message: (await hasThreeCx(deps, tenant)) ? 'No 3CX extension number given.' : 'The tenant has no 3CX.' };
      const numberStep = ctx.job.steps.find((s) => s.name === 'number')!;
      const numberId = numberStep.result!.numberId as string;
      const e164 = numberStep.result!.e164 as string;
      // Resumed after a crash: the extension this step created is found, not created twice.
      if (step.result?.extension === extension) {
        const made = await findExtension(deps, actor, job.tenantId, extension);
        if (made && made.outboundCallerId === e164) {
          if (!made.did) await deps.db.transaction((tx) => linkExtension(deps, tx, actor, job.tenantId, numberId, { teamsUserId: job.userId, extension, name: made.displayName || null }, info, job.ticketId));
          return { state: 'succeeded', message: `3CX extension ${extension} has ${e164}.`, result: { extensionId: made.id, undoable: true } };
        }
      }
      await note(ctx, index, { extension, undoable: true });
      const user = await refreshTeamsUser(deps, tenant, job.userId);
      const [firstName, ...rest] = (user.displayName || user.upn.split('@')[0]!).split(' ');
      const made = await createSharedExtension(deps, actor, job.tenantId, { number: extension, numberId, teamsUserId: job.userId, firstName: firstName ?? '', lastName: rest.join(' '), email: user.upn, ticketId: job.ticketId }, info);
      return { state: 'succeeded', message: `3CX extension ${extension} created with ${e164}.`, result: { extensionId: made.id } };
    }
    case 'ticket':
      return ticketStep(ctx);
    default:
      throw new AppError(500, 'unknown_step', `Unknown step ${step.name}.`);
  }
}

async function kindOfWantedNumber(ctx: Ctx): Promise<string> {
  const wanted = input<OnboardInput>(ctx);
  if (wanted.number) return (await chosenNumber(ctx.deps, ctx.tenant, wanted.number)).kind;
  const profile = await profileOf(ctx.deps, ctx.job.tenantId, wanted.profileId);
  if (!profile?.numberSource) return 'direct_routing';
  const source = profile.numberSource;
  const [first] = await ctx.deps.db
    .select({ kind: phoneNumbers.kind })
    .from(phoneNumbers)
    .where(and(eq(phoneNumbers.tenantId, ctx.job.tenantId), eq(phoneNumbers.status, 'available'), 'rangeId' in source ? eq(phoneNumbers.rangeId, source.rangeId) : 'siteId' in source ? eq(phoneNumbers.siteId, source.siteId) : sql`${source.tag} = any(${phoneNumbers.tags})`))
    .orderBy(phoneNumbers.e164)
    .limit(1);
  return first?.kind ?? 'direct_routing';
}

async function offboardStep(ctx: Ctx, step: LifecycleStep, index: number): Promise<Outcome> {
  const { deps, tenant, api, actor, info, job } = ctx;
  const wanted = input<OffboardInput>(ctx);
  switch (step.name) {
    case 'check': {
      const user = await refreshTeamsUser(deps, tenant, job.userId);
      const removal = await changeOfStep(ctx, ctx.job.steps.find((s) => s.name === 'remove_number')!);
      if (!user.numbers[0] && !removal) throw new ConflictError(`${user.upn} has no number in Teams; there is nothing to offboard.`, 'no_number');
      const [number] = user.numbers[0] ? await deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, job.tenantId), eq(phoneNumbers.e164, user.numbers[0].telephoneNumber), eq(phoneNumbers.extension, ''))) : [];
      return {
        state: 'succeeded',
        message: user.phoneSystem ? `${user.upn} has ${user.numbers[0]?.telephoneNumber ?? 'its number'} and a Teams Phone licence.` : licenceGoneWarning(user.upn),
        result: { before: { number: user.numbers[0]?.telephoneNumber ?? null, numberId: number?.id ?? null, phoneSystem: user.phoneSystem, policies: user.policies, threecxExtension: number?.linkedExtension ?? null } },
      };
    }
    case 'remove_extension': {
      const before = ctx.job.steps.find((s) => s.name === 'check')!.result!.before as { numberId: string | null; threecxExtension: string | null };
      const extension = before.threecxExtension;
      if (!extension) return { state: 'skipped', message: 'No 3CX extension shares the number.' };
      const current = await findExtension(deps, actor, job.tenantId, extension);
      if (!current) {
        if (step.result?.removed) return { state: 'succeeded', message: `3CX extension ${extension} deleted.` };
        // Deleted on the PBX by hand meanwhile: the inventory lets the link go too.
        await deps.db.transaction((tx) => unlinkExtension(deps, tx, actor, job.tenantId, extension, info, `3CX extension ${extension} is gone from the PBX`, job.ticketId));
        return { state: 'succeeded', message: `3CX extension ${extension} was already gone from the PBX.`, result: { undoable: false } };
      }
      // The fields are kept first, so undo can create the extension again as it was.
      const { id: _id, displayName: _d, did: _did, outboundCallerId: _o, ...fields } = current;
      await note(ctx, index, { removed: fields, undoable: true });
      await deleteExtension(deps, actor, job.tenantId, current.id, { ticketId: job.ticketId }, info);
      return { state: 'succeeded', message: `3CX extension ${extension} deleted; ${current.did?.e164 ?? 'the number'} stays with ${job.userUpn} until the next step.` };
    }
    case 'remove_number': {
      const change = await voiceStep(ctx, index, () => requestVoiceChange(deps, actor, job.tenantId, { userId: job.userId, number: null }, info));
      return { state: 'succeeded', message: `${change.before.number?.e164} removed from ${job.userUpn} in Teams.`, result: { voiceChangeId: change.id, e164: change.before.number?.e164 ?? null, numberId: change.oldNumberId, undoable: true } };
    }
    case 'reset_policies': {
      const user = await refreshTeamsUser(deps, tenant, job.userId);
      const existing = await changeOfStep(ctx, step);
      const direct = Object.fromEntries(Object.entries(user.policies).filter(([, p]) => p.assignmentType === 'direct').map(([type]) => [type, null]));
      if (!existing && Object.keys(direct).length === 0) return { state: 'skipped', message: 'No policy was assigned directly; the tenant defaults already apply.' };
      const change = await voiceStep(ctx, index, () => requestVoiceChange(deps, actor, job.tenantId, { userId: job.userId, policies: direct }, info));
      return { state: 'succeeded', message: `Removed ${Object.keys(change.requested.policies).filter((t) => change.before.policies[t] !== null && change.requested.policies[t] === null).join(', ')}; the tenant defaults apply.`, result: { voiceChangeId: change.id, undoable: true } };
    }
    case 'hold_number': {
      const removal = ctx.job.steps.find((s) => s.name === 'remove_number')!;
      const numberId = removal.result?.numberId as string | null | undefined;
      if (!numberId) return { state: 'skipped', message: 'The number is not in the inventory; nothing to hold.' };
      const [row] = await deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.id, numberId));
      if (!row) return { state: 'skipped', message: 'The number is no longer in the inventory.' };
      if (wanted.reserveFor) {
        const reason = `Kept for a successor of ${job.userUpn}: ${wanted.reserveFor.reason}`;
        if (row.status === 'reserved' && row.reservationReason === reason) return { state: 'succeeded', message: `${row.e164} reserved: ${reason}.` };
        const until = new Date(deps.now().getTime() + wanted.reserveFor.days * 86_400_000);
        const action = row.status === 'cooling' ? 'reclaim' : 'reserve';
        await changeNumberStatus(deps, actor, job.tenantId, numberId, { action, reason, until, ticketId: job.ticketId }, info);
        return { state: 'succeeded', message: `${row.e164} reserved for ${wanted.reserveFor.days} days: ${reason}.` };
      }
      if (row.status === 'cooling') {
        await setCoolingReason(deps, actor, job.tenantId, numberId, 'leaver', info, job.ticketId);
        return { state: 'succeeded', message: `${row.e164} is cooling until ${row.coolingUntil?.toISOString().slice(0, 10)} with reason "leaver".` };
      }
      return { state: 'succeeded', message: `${row.e164} is ${row.status} (the tenant has no cooling period).` };
    }
    case 'licence': {
      const remove = wanted.removeLicenceSkuIds ?? [];
      if (remove.length === 0) return { state: 'skipped', message: 'Licences are kept.' };
      const facts = await licenceFacts(api, job.userId);
      const still = remove.filter((id) => facts.userSkuIds.includes(id.toLowerCase()));
      const done = Array.isArray(step.result?.removed) ? (step.result.removed as string[]) : [];
      if (still.length === 0) return { state: 'succeeded', message: `Removed ${(done.length ? done : remove).join(', ')}.`, result: { removed: done.length ? done : remove, undoable: done.length > 0 } };
      await note(ctx, index, { removed: still, undoable: true });
      await api.assignLicense(job.userId, { remove: still });
      await recordAudit(deps.db, { action: 'teams.licence_removed', actor, tenantId: job.tenantId, targetType: 'teams_user', targetId: job.userId, before: { skuIds: facts.userSkuIds }, after: { skuIds: facts.userSkuIds.filter((id) => !still.includes(id)) }, ticketId: job.ticketId, request: info });
      await refreshTeamsUser(deps, tenant, job.userId);
      return { state: 'succeeded', message: `Removed ${still.map((id) => skuLabel(facts.skus.find((s) => s.skuId.toLowerCase() === id.toLowerCase()), id)).join(', ')}.` };
    }
    case 'ticket':
      return ticketStep(ctx);
    default:
      throw new AppError(500, 'unknown_step', `Unknown step ${step.name}.`);
  }
}

async function ticketStep(ctx: Ctx): Promise<Outcome> {
  const { job, deps } = ctx;
  if (!job.ticketId) return { state: 'skipped', message: 'No ticket given.' };
  if (!(await ticketApplies(deps, job.tenantId)) || !(await tenantFeatures(deps, ctx.tenant)).connectwise) return { state: 'skipped', message: 'ConnectWise is not set up for this tenant.' };
  const lines = ctx.job.steps.filter((s) => s.name !== 'ticket' && (s.state === 'succeeded' || s.state === 'skipped')).map((s) => `- ${s.title}: ${s.message ?? s.state}`);
  const remarks = await logWorkOnTicket(deps, {
    tenantId: job.tenantId,
    ticketId: job.ticketId,
    operatorId: job.operatorId,
    reference: `UCR Manager reference: ${job.id}`,
    note: [`Teams ${job.kind === 'onboard' ? 'onboarding (joiner)' : 'offboarding (leaver)'} of ${job.userUpn} (UCR Manager).`, ...lines].join('\n'),
    startedAt: job.startedAt ?? job.createdAt,
    finishedAt: deps.now(),
  });
  return { state: 'succeeded', message: `Note${remarks.some((r) => r.includes('no time')) ? '' : ' and time'} on ticket #${job.ticketId}.${remarks.length ? ` ${remarks.join(' ')}` : ''}` };
}

/* ----------------------------------------------------------------- undo */

async function undoSteps(ctx: Ctx): Promise<void> {
  for (let index = ctx.job.steps.length - 1; index >= 0; index -= 1) {
    const step = ctx.job.steps[index]!;
    // Done steps are undone; so is a failed step that had started acting (it recorded what it did).
    if (step.state !== 'succeeded' && step.state !== 'failed' && step.state !== 'undo_failed') continue;
    if (!step.result?.undoable) continue;
    try {
      const message = await (ctx.job.kind === 'onboard' ? undoOnboardStep : undoOffboardStep)(ctx, step, index);
      await saveStep(ctx, index, { state: 'undone', message, finishedAt: ctx.deps.now().toISOString() }, { result: 'success' });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await saveStep(ctx, index, { state: 'undo_failed', message: `Undo failed: ${message}` }, { result: 'failure', error: message });
      await finishJob(ctx, 'undo_failed', `Undoing "${step.title}" failed: ${message}`);
      return;
    }
  }
  await finishJob(ctx, 'undone', null);
}

/** Undoes a step's voice change with a revert change; a revert started before a crash (found by revertOf) is followed, not sent again. */
async function undoVoice(ctx: Ctx, index: number, original: VoiceChangeRow, request: () => Promise<{ id: string }>): Promise<VoiceChangeRow> {
  const [earlier] = await ctx.deps.db.select().from(voiceChanges).where(and(eq(voiceChanges.revertOf, original.id), inArray(voiceChanges.status, ['pending', 'succeeded']))).orderBy(desc(voiceChanges.createdAt)).limit(1);
  const id = earlier?.id ?? (await request()).id;
  await note(ctx, index, { undoChangeId: id });
  const outcome = await followVoiceChange(ctx.deps, id, { ...(ctx.pollMs ? { pollMs: ctx.pollMs } : {}), resumeStranded: Boolean(earlier) });
  if (outcome.status !== 'succeeded') throw new AppError(409, outcome.errorCode ?? 'voice_change_failed', outcome.errorMessage ?? `The revert ended as ${outcome.status}.`);
  return outcome;
}

async function undoOnboardStep(ctx: Ctx, step: LifecycleStep, index: number): Promise<string> {
  const { deps, api, actor, info, job } = ctx;
  switch (step.name) {
    case 'voice': {
      const [original] = await deps.db.select().from(voiceChanges).where(eq(voiceChanges.id, step.result!.voiceChangeId as string));
      if (!original || original.status !== 'succeeded') return 'Nothing had changed in Teams.';
      const revert = await undoVoice(ctx, index, original, () => revertVoiceChange(deps, actor, job.tenantId, original.id, info));
      return `${original.requested.number?.e164} removed from ${job.userUpn} again (it rests in cooling); policies put back (change ${revert.id.slice(0, 8)}).`;
    }
    case 'threecx_extension': {
      const extension = step.result!.extension as string;
      const made = await findExtension(deps, actor, job.tenantId, extension);
      if (!made) return `3CX extension ${extension} is not on the PBX; nothing to delete.`;
      await deleteExtension(deps, actor, job.tenantId, made.id, { ticketId: job.ticketId }, info);
      return `3CX extension ${extension} deleted again.`;
    }
    case 'number': {
      const [row] = await deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.id, step.result!.numberId as string));
      if (row?.status === 'reserved' && row.reservationReason === step.result!.reason) {
        await changeNumberStatus(deps, actor, job.tenantId, row.id, { action: 'cancel_reservation', ticketId: job.ticketId }, info);
        return `${row.e164} is available again.`;
      }
      return `${row?.e164 ?? 'The number'} is ${row?.status ?? 'gone'}; it was not held by this job any more.`;
    }
    case 'licence': {
      const added = step.result!.added as string[];
      const facts = await licenceFacts(api, job.userId);
      const still = added.filter((id) => facts.userSkuIds.includes(id.toLowerCase()));
      if (still.length) {
        await api.assignLicense(job.userId, { remove: still });
        await recordAudit(deps.db, { action: 'teams.licence_removed', actor, tenantId: job.tenantId, targetType: 'teams_user', targetId: job.userId, before: { skuIds: facts.userSkuIds }, after: { skuIds: facts.userSkuIds.filter((id) => !still.includes(id)) }, ticketId: job.ticketId, request: info });
      }
      return `Removed the licence this job assigned (${added.join(', ')}).`;
    }
    case 'usage_location': {
      await api.setUsageLocation(job.userId, null);
      await recordAudit(deps.db, { action: 'teams.usage_location_set', actor, tenantId: job.tenantId, targetType: 'teams_user', targetId: job.userId, before: { usageLocation: step.result!.set }, after: { usageLocation: null }, ticketId: job.ticketId, request: info });
      return 'Usage location cleared again.';
    }
    default:
      return 'Nothing to undo.';
  }
}

async function undoOffboardStep(ctx: Ctx, step: LifecycleStep, index: number): Promise<string> {
  const { deps, api, actor, info, job } = ctx;
  switch (step.name) {
    case 'licence': {
      const removed = step.result!.removed as string[];
      const facts = await licenceFacts(api, job.userId);
      const add = removed.filter((id) => !facts.userSkuIds.includes(id.toLowerCase()));
      if (add.length) {
        await api.assignLicense(job.userId, { add });
        await recordAudit(deps.db, { action: 'teams.licence_assigned', actor, tenantId: job.tenantId, targetType: 'teams_user', targetId: job.userId, before: { skuIds: facts.userSkuIds }, after: { skuIds: [...facts.userSkuIds, ...add] }, ticketId: job.ticketId, request: info });
        await refreshTeamsUser(deps, ctx.tenant, job.userId);
      }
      return `Assigned ${removed.join(', ')} again.`;
    }
    case 'reset_policies':
      return 'The policies go back with the number (next step).';
    case 'remove_extension': {
      // Runs after the number is back on the Teams user (undo goes last step first).
      const fields = step.result!.removed as { number: string } & Record<string, unknown>;
      if (await findExtension(deps, actor, job.tenantId, fields.number)) return `3CX extension ${fields.number} is on the PBX again already.`;
      const check = ctx.job.steps.find((s) => s.name === 'check')!.result!.before as { numberId: string };
      const made = await createSharedExtension(deps, actor, job.tenantId, { ...fields, number: fields.number, numberId: check.numberId, teamsUserId: job.userId, ticketId: job.ticketId }, info);
      return `3CX extension ${made.number} created again with ${made.did?.e164}.`;
    }
    case 'remove_number': {
      // One change puts back the number and the policies the user had, so no change is "newer" than another's revert.
      const check = ctx.job.steps.find((s) => s.name === 'check')!.result!.before as { policies: Record<string, { name: string | null; assignmentType: string | null }> };
      const [removal] = await deps.db.select().from(voiceChanges).where(eq(voiceChanges.id, step.result!.voiceChangeId as string));
      const e164 = removal?.before.number?.e164;
      if (!e164) return 'Nothing had changed in Teams.';
      const policies = Object.fromEntries(Object.entries(check.policies).filter(([, p]) => p.assignmentType === 'direct').map(([type, p]) => [type, p.name]));
      const change = await undoVoice(ctx, index, removal!, () => requestVoiceChange(deps, actor, job.tenantId, { userId: job.userId, number: { e164 }, policies }, info, { kind: 'revert', revertOf: removal!.id }));
      return `${e164} and the policies are back on ${job.userUpn} (change ${change.id.slice(0, 8)}).`;
    }
    default:
      return 'Nothing to undo.';
  }
}
