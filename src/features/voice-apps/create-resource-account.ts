/**
 * Creating a resource account (#20): one durable job of steps — create the account (Teams
 * PowerShell), wait until Graph shows it, usage location and licence, the number, the association
 * with an auto attendant or call queue. The steps run on the kernel's step-job model
 * (kernel/step-jobs.ts): each step notes what it is about to do before it acts, so a worker that
 * dies mid-way is resumed from that step and finds what it had started instead of doing it twice.
 * The number goes on through a voice change (teams/voice-changes.ts), so it reverts and logs to
 * the ticket like any other.
 */
import { and, desc, eq, gte, sql } from 'drizzle-orm';
import { associateResourceAccounts, createResourceAccount, listAutoAttendants, listCallQueues, type VoiceAppType } from '../../connectors/teams/voice-apps.ts';
import { TeamsError } from '../../connectors/teams/errors.ts';
import type { TeamsApi } from '../../connectors/teams/teams-api.ts';
import type { SubscribedSku } from '../../connectors/teams/graph-schemas.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { parseNumber } from '../../core/phone-number.ts';
import { queryRows } from '../../db/connection.ts';
import { phoneNumbers, resourceAccountJobs, voiceChanges } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { newSteps, noteJobStep, runJobSteps, withJobLease, type JobStep, type StepJobContext, type StepOutcome } from '../kernel/step-jobs.ts';
import { teamsApiFor, teamsCertificateCredentials } from '../teams/connection.ts';
import { refreshTeamsUser } from '../teams/directory.ts';
import { followVoiceChange, requestVoiceChange } from '../teams/voice-changes.ts';
import { loadActiveTenant, loadTenant, type TenantRow } from '../tenants/tenants.ts';
import type { NewResourceAccountInput, ResourceAccountJob } from './resource-account-schemas.ts';

export const RESOURCE_ACCOUNT_QUEUE = 'resource-account-job';

/**
 * The Microsoft Teams Phone Resource Account licence (string id PHONESYSTEM_VIRTUALUSER), free of
 * charge for resource accounts — "Product names and service plan identifiers for licensing"
 * (learn.microsoft.com/entra/identity/users/licensing-service-plan-reference) and "Manage
 * resource accounts" (learn.microsoft.com/microsoftteams/manage-resource-accounts).
 */
export const RESOURCE_ACCOUNT_SKU = { skuId: '440eaaa8-b3e0-484b-a8be-62870b9ba70a', skuPartNumber: 'PHONESYSTEM_VIRTUALUSER' } as const;

const STEPS = [
  ['create_account', 'Create the resource account'],
  ['wait_visible', 'Wait until Microsoft Graph shows the account'],
  ['licence', 'Set the usage location and assign the licence'],
  ['number', 'Assign the number'],
  ['associate', 'Link it to the auto attendant or call queue'],
] as const;

type JobRow = typeof resourceAccountJobs.$inferSelect;
type JobInput = { displayName: string; userPrincipalName: string; type: VoiceAppType; usageLocation: string; numberId: string | null; associateWith: string | null };

export function resourceAccountJobView(job: JobRow): ResourceAccountJob {
  return {
    id: job.id,
    tenantId: job.tenantId,
    userPrincipalName: job.userPrincipalName,
    objectId: job.objectId,
    status: job.status,
    input: job.input,
    steps: job.steps,
    ticketId: job.ticketId,
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

function requireBridge(deps: AppDeps): string {
  if (!deps.config.pwshPath) throw new ConflictError('Creating a resource account needs the PowerShell bridge (UCR_PWSH_PATH): Graph cannot create resource accounts.', 'powershell_not_configured');
  return deps.config.pwshPath;
}

const isResourceAccountSku = (s: SubscribedSku) => s.skuId.toLowerCase() === RESOURCE_ACCOUNT_SKU.skuId || s.skuPartNumber === RESOURCE_ACCOUNT_SKU.skuPartNumber;

/** The tenant's Teams Phone Resource Account subscription with a free licence; otherwise licence_pool_empty. */
async function resourceAccountLicence(api: TeamsApi, tenantName: string): Promise<SubscribedSku> {
  const sku = (await api.listSubscribedSkus()).find(isResourceAccountSku);
  if (!sku) throw new ConflictError(`${tenantName} has no Microsoft Teams Phone Resource Account licences; add the (free) subscription in the Microsoft 365 admin center first.`, 'licence_pool_empty');
  if (sku.prepaidUnits.enabled - sku.consumedUnits <= 0) throw new ConflictError(`No Microsoft Teams Phone Resource Account licence is left: all ${sku.prepaidUnits.enabled} are assigned. Add licences in the Microsoft 365 admin center or free one first.`, 'licence_pool_empty');
  return sku;
}

/** Graph's 404 for a user: "Request_ResourceNotFound" (its message does not always say "user"). */
const notFound = (error: unknown) => (error instanceof TeamsError && error.graphStatus === 404) || (error instanceof AppError && error.status === 404);

async function upnTaken(api: TeamsApi, upn: string): Promise<boolean> {
  try {
    await api.getUser(upn);
    return true;
  } catch (error) {
    if (notFound(error)) return false;
    throw error;
  }
}

/** An inventory number the account can take now (available or reserved); otherwise number_in_use. */
export async function freeNumberFor(deps: AppDeps, tenant: TenantRow, ref: { numberId: string } | { e164: string }) {
  let row: typeof phoneNumbers.$inferSelect | undefined;
  if ('numberId' in ref) [row] = await deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.id, ref.numberId), eq(phoneNumbers.tenantId, tenant.id)));
  else {
    const parsed = parseNumber(ref.e164, tenant.defaultCountry);
    if (!parsed.ok) throw new ValidationError(parsed.reason, [{ field: 'number', message: parsed.reason }]);
    [row] = await deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenant.id), eq(phoneNumbers.e164, parsed.value.e164), eq(phoneNumbers.extension, '')));
  }
  if (!row) throw new ValidationError(`That number is not in ${tenant.name}'s inventory.`, [{ field: 'number', message: 'Not in the inventory' }]);
  if (row.status !== 'available' && row.status !== 'reserved') {
    throw new ConflictError(`${row.e164} is already used (${row.status}${row.assigneeName || row.assigneeUpn ? `, ${row.assigneeName ?? row.assigneeUpn}` : ''}); pick a free number.`, 'number_in_use');
  }
  return row;
}

/** The auto attendant or call queue to link to must exist, and be of the account's type. */
async function checkAssociation(deps: AppDeps, tenant: TenantRow, type: VoiceAppType, identity: string): Promise<void> {
  const options = { pwshPath: requireBridge(deps) };
  const credentials = await teamsCertificateCredentials(deps, tenant);
  const found = type === 'aa' ? (await listAutoAttendants(options, credentials)).some((a) => a.identity === identity) : (await listCallQueues(options, credentials)).some((q) => q.identity === identity);
  if (!found) throw new ValidationError(`${tenant.name} has no ${type === 'aa' ? 'auto attendant' : 'call queue'} ${identity}.`, [{ field: 'associateWith', message: 'No such auto attendant or call queue' }]);
}

/**
 * Checks everything that can be checked before anything is created — the bridge, the UPN not
 * taken, a free licence in the pool, the number free, the auto attendant or call queue there —
 * then records the job and queues it. A refusal changes nothing.
 */
export async function startResourceAccountJob(deps: AppDeps, actor: Actor, tenantId: string, body: NewResourceAccountInput, info: RequestInfo): Promise<ResourceAccountJob> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  requireBridge(deps);
  if (!deps.queue) throw new AppError(503, 'jobs_unavailable', 'The job queue is not running.');
  const usageLocation = body.usageLocation ?? tenant.defaultCountry;
  if (!usageLocation) throw new ValidationError(`${tenant.name} has no default country: give the resource account's usage location.`, [{ field: 'usageLocation', message: 'Required' }]);
  const api = await teamsApiFor(deps, tenant);
  if (await upnTaken(api, body.userPrincipalName)) throw new ConflictError(`${body.userPrincipalName} is already taken in ${tenant.name}'s directory; choose another user principal name.`, 'upn_taken');
  const [running] = await deps.db.select({ id: resourceAccountJobs.id }).from(resourceAccountJobs).where(and(eq(resourceAccountJobs.tenantId, tenantId), eq(resourceAccountJobs.userPrincipalName, body.userPrincipalName), sql`${resourceAccountJobs.status} in ('queued', 'running')`));
  if (running) throw new ConflictError(`${body.userPrincipalName} is being created already (job ${running.id.slice(0, 8)}).`, 'upn_taken');
  await resourceAccountLicence(api, tenant.name);
  const number = body.number ? await freeNumberFor(deps, tenant, body.number) : null;
  if (body.associateWith) await checkAssociation(deps, tenant, body.type, body.associateWith);

  const input: JobInput = { displayName: body.displayName, userPrincipalName: body.userPrincipalName, type: body.type, usageLocation, numberId: number?.id ?? null, associateWith: body.associateWith ?? null };
  const job = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(resourceAccountJobs)
      .values({ tenantId, userPrincipalName: body.userPrincipalName, status: 'queued', input, steps: newSteps(STEPS), ticketId: body.ticketId ?? null, operatorId: actor.operatorId, createdAt: deps.now() })
      .returning();
    await recordAudit(tx, { action: 'resource_account.create_requested', actor, tenantId, targetType: 'resource_account', targetId: body.userPrincipalName, after: { jobId: row!.id, ...input, e164: number?.e164 ?? null }, ticketId: body.ticketId ?? null, request: info });
    return row!;
  });
  await enqueue(deps, job.id);
  return resourceAccountJobView(job);
}

async function enqueue(deps: AppDeps, jobId: string): Promise<void> {
  if (!deps.queue) throw new AppError(503, 'jobs_unavailable', 'The job queue is not running.');
  // A second delivery while another worker holds the lease fails and comes back later; heartbeats let a dead worker's job go to another.
  await deps.queue.send(RESOURCE_ACCOUNT_QUEUE, { jobId }, { retryLimit: 40, retryDelay: 3, expireInSeconds: 3600, heartbeatSeconds: 10 });
}

export async function getResourceAccountJob(deps: AppDeps, actor: Actor, tenantId: string, jobId: string): Promise<ResourceAccountJob> {
  await loadTenant(deps.db, actor, tenantId);
  const [job] = await deps.db.select().from(resourceAccountJobs).where(and(eq(resourceAccountJobs.id, jobId), eq(resourceAccountJobs.tenantId, tenantId)));
  if (!job) throw new NotFoundError('Resource account job');
  return resourceAccountJobView(job);
}

/* ----------------------------------------------------------------- the worker */

type Ctx = StepJobContext & { job: JobRow; tenant: TenantRow; actor: Actor; info: RequestInfo; api: TeamsApi; pollMs: number };

/** The worker's side: takes the lease and runs the steps from where the job is. */
export async function processResourceAccountJob(deps: AppDeps, jobId: string, options: { pollMs?: number } = {}): Promise<void> {
  await withJobLease(deps, 'resource_account_jobs', jobId, async () => {
    const [job] = await deps.db.select().from(resourceAccountJobs).where(eq(resourceAccountJobs.id, jobId));
    const [operator] = job!.operatorId ? await queryRows<{ id: string; email: string; display_name: string }>(deps.db, sql`select id, email, display_name from operators where id = ${job!.operatorId}::uuid`) : [];
    const actor: Actor = { operatorId: operator?.id ?? job!.operatorId ?? '', email: operator?.email ?? 'system (resource account job)', displayName: operator?.display_name ?? 'Resource account job', role: 'operator', allTenants: true, tenantIds: [], via: 'session' };
    const tenant = await loadTenant(deps.db, actor, job!.tenantId);
    const info: RequestInfo = { requestId: `resource-account-${job!.id}`, ip: undefined };
    const ctx: Ctx = {
      deps,
      table: 'resource_account_jobs',
      jobId,
      steps: job!.steps,
      job: job!,
      tenant,
      actor,
      info,
      api: await teamsApiFor(deps, tenant),
      pollMs: options.pollMs ?? 2_000,
      runStep: (step, index) => runStep(ctx, step, index),
      auditStep: async (tx, before, after, outcome) =>
        recordAudit(tx, {
          action: 'resource_account.step',
          actor,
          tenantId: job!.tenantId,
          targetType: 'resource_account',
          targetId: ctx.job.objectId ?? job!.userPrincipalName,
          before: { jobId, step: before.name, state: before.state },
          after: { jobId, step: after.name, state: after.state, message: after.message, result: after.result },
          result: outcome.result,
          ...(outcome.error ? { error: outcome.error } : {}),
          ticketId: job!.ticketId,
          request: info,
        }),
      finish: async (status, error) => {
        await deps.db.transaction(async (tx) => {
          const [row] = await tx.update(resourceAccountJobs).set({ status, error, finishedAt: deps.now() }).where(eq(resourceAccountJobs.id, jobId)).returning();
          await recordAudit(tx, {
            action: status === 'succeeded' ? 'resource_account.created' : 'resource_account.create_failed',
            actor,
            tenantId: job!.tenantId,
            targetType: 'resource_account',
            targetId: row!.objectId ?? row!.userPrincipalName,
            after: { jobId, status, userPrincipalName: row!.userPrincipalName, steps: row!.steps.map((s) => ({ name: s.name, state: s.state, message: s.message })) },
            result: status === 'succeeded' ? 'success' : 'failure',
            ...(error ? { error } : {}),
            ticketId: job!.ticketId,
            request: info,
          });
        });
      },
    };
    await runJobSteps(ctx);
  });
}

const inputOf = (ctx: Ctx) => ctx.job.input as JobInput;

async function setObjectId(ctx: Ctx, objectId: string): Promise<void> {
  await ctx.deps.db.update(resourceAccountJobs).set({ objectId }).where(eq(resourceAccountJobs.id, ctx.jobId));
  ctx.job = { ...ctx.job, objectId };
}

function objectIdOf(ctx: Ctx): string {
  if (!ctx.job.objectId) throw new AppError(500, 'step_order', 'The resource account was not created yet.');
  return ctx.job.objectId;
}

async function runStep(ctx: Ctx, step: JobStep, index: number): Promise<StepOutcome> {
  const { deps, api, tenant, actor, info, job } = ctx;
  const wanted = inputOf(ctx);
  switch (step.name) {
    case 'create_account': {
      if (ctx.job.objectId) return { state: 'succeeded', message: `${wanted.userPrincipalName} created.`, result: { objectId: ctx.job.objectId } };
      // Sent before a crash: the account this step made is found by its UPN, not made twice.
      if (step.result?.sent) {
        try {
          const found = await api.getUser(wanted.userPrincipalName);
          await setObjectId(ctx, found.id);
          return { state: 'succeeded', message: `${wanted.userPrincipalName} created.`, result: { objectId: found.id } };
        } catch (error) {
          if (!notFound(error)) throw error;
        }
      }
      await noteJobStep(ctx, index, { sent: true });
      const made = await createResourceAccount({ pwshPath: requireBridge(deps) }, await teamsCertificateCredentials(deps, tenant), { userPrincipalName: wanted.userPrincipalName, displayName: wanted.displayName, type: wanted.type });
      await setObjectId(ctx, made.objectId);
      return { state: 'succeeded', message: `${made.userPrincipalName} created as ${wanted.type === 'aa' ? 'an auto attendant' : 'a call queue'} resource account.`, result: { objectId: made.objectId } };
    }
    case 'wait_visible': {
      // Teams PowerShell creates the Entra user; Graph may show it only a while later.
      const objectId = objectIdOf(ctx);
      const deadline = Date.now() + 10 * 60_000;
      for (;;) {
        try {
          await api.getUser(objectId);
          await refreshTeamsUser(deps, tenant, objectId);
          return { state: 'succeeded', message: `Microsoft Graph shows ${wanted.userPrincipalName}.` };
        } catch (error) {
          if (!notFound(error) || Date.now() > deadline) throw error;
        }
        await new Promise((r) => setTimeout(r, ctx.pollMs));
      }
    }
    case 'licence': {
      const objectId = objectIdOf(ctx);
      const user = await api.getUser(objectId);
      const done: string[] = [];
      if (!user.usageLocation) {
        await api.setUsageLocation(objectId, wanted.usageLocation);
        await recordAudit(deps.db, { action: 'teams.usage_location_set', actor, tenantId: job.tenantId, targetType: 'resource_account', targetId: objectId, before: { usageLocation: null }, after: { usageLocation: wanted.usageLocation }, ticketId: job.ticketId, request: info });
        done.push(`usage location ${wanted.usageLocation}`);
      }
      const held = (user.assignedLicenses ?? []).map((l) => l.skuId.toLowerCase());
      const sku = await resourceAccountLicence(api, tenant.name).catch(async (error: unknown) => {
        // Assigned before a crash: the licence is already on the account, nothing more is needed.
        const known = (await api.listSubscribedSkus()).find(isResourceAccountSku);
        if (known && held.includes(known.skuId.toLowerCase())) return known;
        throw error;
      });
      if (!held.includes(sku.skuId.toLowerCase())) {
        await noteJobStep(ctx, index, { skuId: sku.skuId });
        await api.assignLicense(objectId, { add: [sku.skuId] });
        await recordAudit(deps.db, { action: 'teams.licence_assigned', actor, tenantId: job.tenantId, targetType: 'resource_account', targetId: objectId, before: { skuIds: held }, after: { skuIds: [...held, sku.skuId] }, ticketId: job.ticketId, request: info });
        done.push(`licence ${sku.skuPartNumber ?? sku.skuId}`);
      }
      await refreshTeamsUser(deps, tenant, objectId);
      return done.length ? { state: 'succeeded', message: `Set ${done.join(' and ')}.` } : { state: 'succeeded', message: `Usage location and licence were already set.` };
    }
    case 'number': {
      if (!wanted.numberId) return { state: 'skipped', message: 'No number chosen.' };
      const objectId = objectIdOf(ctx);
      const change = await voiceChangeOfStep(ctx, step, objectId, () => requestVoiceChange(deps, actor, job.tenantId, { userId: objectId, number: { numberId: wanted.numberId! }, ticketId: job.ticketId }, info));
      await noteJobStep(ctx, index, { voiceChangeId: change.id });
      const outcome = await followVoiceChange(deps, change.id, { pollMs: Math.min(ctx.pollMs, 1_500), resumeStranded: change.resumed });
      if (outcome.status !== 'succeeded') throw new AppError(409, outcome.errorCode ?? 'voice_change_failed', outcome.errorMessage ?? `The number change ended as ${outcome.status}.`);
      return { state: 'succeeded', message: `${outcome.requested.number?.e164} assigned in Teams.`, result: { voiceChangeId: outcome.id } };
    }
    case 'associate': {
      if (!wanted.associateWith) return { state: 'skipped', message: 'No auto attendant or call queue chosen.' };
      const objectId = objectIdOf(ctx);
      const options = { pwshPath: requireBridge(deps) };
      const credentials = await teamsCertificateCredentials(deps, tenant);
      const configurationType = wanted.type === 'aa' ? 'AutoAttendant' : 'CallQueue';
      const what = wanted.type === 'aa' ? 'auto attendant' : 'call queue';
      // Linked before a crash: Teams already lists the account on the configuration.
      const configurations = wanted.type === 'aa' ? await listAutoAttendants(options, credentials) : await listCallQueues(options, credentials);
      const target = configurations.find((c) => c.identity === wanted.associateWith);
      if (!target) throw new ConflictError(`The ${what} ${wanted.associateWith} is gone from Teams.`, 'voice_app_not_found');
      if (target.applicationInstances.includes(objectId)) return { state: 'succeeded', message: `Linked to ${what} "${target.name}".` };
      await associateResourceAccounts(options, credentials, { resourceAccountIds: [objectId], configurationId: target.identity, configurationType });
      return { state: 'succeeded', message: `Linked to ${what} "${target.name}".` };
    }
    default:
      throw new AppError(500, 'unknown_step', `Unknown step ${step.name}.`);
  }
}

/** The voice change this step started (noted, or made for the account since the step began), or a new one. */
async function voiceChangeOfStep(ctx: Ctx, step: JobStep, objectId: string, request: () => Promise<{ id: string }>): Promise<{ id: string; resumed: boolean }> {
  if (step.startedAt) {
    const [earlier] = await ctx.deps.db
      .select({ id: voiceChanges.id })
      .from(voiceChanges)
      .where(and(eq(voiceChanges.tenantId, ctx.job.tenantId), eq(voiceChanges.userId, objectId), gte(voiceChanges.createdAt, new Date(step.startedAt))))
      .orderBy(desc(voiceChanges.createdAt))
      .limit(1);
    if (earlier) return { id: earlier.id, resumed: true };
  }
  return { id: (await request()).id, resumed: false };
}

