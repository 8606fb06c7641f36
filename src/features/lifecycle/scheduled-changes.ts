/**
 * Scheduled changes (#18): a voice change, an onboarding, an offboarding or a bulk run set for a
 * future time. The row is the schedule; a queue job that runs every minute (pg-boss cron, on every
 * node that works jobs) starts the due ones. Each is claimed with UPDATE … FOR UPDATE SKIP LOCKED,
 * so with several nodes on one database exactly one starts it, and a restart loses nothing: the
 * next tick finds it. At run time it goes through the same code, and the same checks, as a change
 * made then — a number someone else took meanwhile fails it with the reason, never twice assigned.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { isIanaTimeZone } from '../../core/time-zone.ts';
import { queryRows } from '../../db/connection.ts';
import { bulkJobs, scheduledChanges, teamsUsers } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { startBulkJob } from '../bulk/bulk-assignment.ts';
import { requestVoiceChange, type VoiceChangeRequest } from '../teams/voice-changes.ts';
import { loadActiveTenant, loadTenant, tenantTimeZone } from '../tenants/tenants.ts';
import { planOffboarding, planOnboarding, startOffboarding, startOnboarding, type OffboardInput, type OnboardInput } from './lifecycle-jobs.ts';

export const SCHEDULED_TICK_QUEUE = 'scheduled-changes-tick';
/** A change "running" longer than this belonged to a node that stopped while starting it. */
const STUCK_MS = 10 * 60_000;

type Row = typeof scheduledChanges.$inferSelect;
export type ScheduledKind = Row['kind'];

export function scheduledView(row: Row) {
  return {
    id: row.id,
    tenantId: row.tenantId,
    kind: row.kind,
    subject: row.subject,
    input: row.input,
    runAt: row.runAt.toISOString(),
    timeZone: row.timeZone,
    status: row.status,
    result: row.result,
    error: row.error,
    ticketId: row.ticketId,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
export type ScheduledView = ReturnType<typeof scheduledView>;

export type ScheduleInput = { kind: ScheduledKind; runAt: Date; timeZone?: string | undefined; input: Record<string, unknown> };

function checkTimeZone(zone: string): void {
  if (!isIanaTimeZone(zone)) throw new ValidationError(`${zone} is not an IANA time zone (use a name such as Europe/London, not an abbreviation or an offset).`, [{ field: 'timeZone', message: 'Not an IANA time zone' }]);
}

function checkTime(deps: AppDeps, runAt: Date): void {
  if (Number.isNaN(runAt.getTime())) throw new ValidationError('The time is not a date.', [{ field: 'runAt', message: 'Not a date' }]);
  if (runAt.getTime() <= deps.now().getTime()) throw new AppError(400, 'time_in_past', `${runAt.toISOString()} is in the past; choose a time after ${deps.now().toISOString()}.`, [{ field: 'runAt', message: 'Must be in the future' }]);
  if (runAt.getTime() - deps.now().getTime() > 366 * 86_400_000) throw new ValidationError('A change can be scheduled at most a year ahead.', [{ field: 'runAt', message: 'At most a year ahead' }]);
}

/** Checks what can be checked now, and says who or what the change is about. */
async function subjectOf(deps: AppDeps, actor: Actor, tenantId: string, kind: ScheduledKind, input: Record<string, unknown>): Promise<string> {
  if (kind === 'bulk_run') {
    const jobId = String(input.jobId ?? '');
    const [job] = /^[0-9a-f-]{36}$/i.test(jobId) ? await deps.db.select().from(bulkJobs).where(and(eq(bulkJobs.id, jobId), eq(bulkJobs.tenantId, tenantId))) : [];
    if (!job) throw new NotFoundError('Bulk job');
    if (job.status !== 'draft') throw new ConflictError('Only a dry-run bulk job that has not run yet can be scheduled.', 'job_running');
    return job.fileName || `bulk job ${job.id.slice(0, 8)}`;
  }
  const userId = String(input.userId ?? '');
  if (!userId) throw new ValidationError('Say which user.', [{ field: 'input.userId', message: 'Required' }]);
  if (kind === 'onboard') {
    const plan = await planOnboarding(deps, actor, tenantId, input as OnboardInput);
    // What may well change by then (a licence bought, a number freed) is checked at run time; a user who is already onboarded is not.
    if (plan.problem?.code === 'already_onboarded' || plan.problem?.code === 'user_disabled') throw new ConflictError(plan.problem.message, plan.problem.code);
    return plan.userUpn;
  }
  if (kind === 'offboard') return (await planOffboarding(deps, actor, tenantId, input as OffboardInput)).userUpn;
  const [user] = await deps.db.select({ upn: teamsUsers.upn }).from(teamsUsers).where(and(eq(teamsUsers.tenantId, tenantId), eq(teamsUsers.userId, userId)));
  if (!user) throw new NotFoundError('Teams user');
  return user.upn;
}

export async function scheduleChange(deps: AppDeps, actor: Actor, tenantId: string, request: ScheduleInput, info: RequestInfo): Promise<ScheduledView> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  checkTime(deps, request.runAt);
  const timeZone = request.timeZone ?? tenantTimeZone(tenant);
  checkTimeZone(timeZone);
  const subject = await subjectOf(deps, actor, tenantId, request.kind, request.input);
  const ticketId = typeof request.input.ticketId === 'string' ? request.input.ticketId : null;
  return deps.db.transaction(async (tx) => {
    const [row] = await tx.insert(scheduledChanges).values({ tenantId, kind: request.kind, input: request.input, subject, runAt: request.runAt, timeZone, ticketId, operatorId: actor.operatorId, createdAt: deps.now(), updatedAt: deps.now() }).returning();
    await recordAudit(tx, { action: 'scheduled.created', actor, tenantId, targetType: 'scheduled_change', targetId: row!.id, after: { kind: row!.kind, subject, runAt: row!.runAt.toISOString(), timeZone, input: request.input }, ticketId, request: info });
    return scheduledView(row!);
  });
}

export async function listScheduled(deps: AppDeps, actor: Actor, filter: { tenantId?: string | undefined; status?: Array<Row['status']> | undefined; limit: number }): Promise<ScheduledView[]> {
  if (filter.tenantId) await loadTenant(deps.db, actor, filter.tenantId);
  const rows = await deps.db
    .select()
    .from(scheduledChanges)
    .where(
      and(
        filter.tenantId ? eq(scheduledChanges.tenantId, filter.tenantId) : actor.allTenants ? undefined : actor.tenantIds.length ? inArray(scheduledChanges.tenantId, actor.tenantIds) : sql`false`,
        filter.status?.length ? inArray(scheduledChanges.status, filter.status) : undefined,
      ),
    )
    .orderBy(asc(scheduledChanges.runAt))
    .limit(filter.limit);
  return rows.map(scheduledView);
}

async function lockScheduled(tx: AppDeps['db'], tenantId: string, id: string): Promise<Row> {
  const [row] = await tx.select().from(scheduledChanges).where(and(eq(scheduledChanges.id, id), eq(scheduledChanges.tenantId, tenantId))).for('update');
  if (!row) throw new NotFoundError('Scheduled change');
  if (row.status !== 'scheduled') throw new ConflictError(`This change has ${row.status === 'cancelled' ? 'been cancelled' : 'already started'}; it can no longer be changed.`, 'schedule_started');
  return row;
}

/** Moves a change to another time, or changes what it does, until it starts. */
export async function updateScheduled(deps: AppDeps, actor: Actor, tenantId: string, id: string, patch: { runAt?: Date | undefined; timeZone?: string | undefined; input?: Record<string, unknown> | undefined }, info: RequestInfo): Promise<ScheduledView> {
  await loadActiveTenant(deps.db, actor, tenantId);
  if (patch.runAt) checkTime(deps, patch.runAt);
  if (patch.timeZone) checkTimeZone(patch.timeZone);
  const [current] = await deps.db.select().from(scheduledChanges).where(and(eq(scheduledChanges.id, id), eq(scheduledChanges.tenantId, tenantId)));
  if (!current) throw new NotFoundError('Scheduled change');
  const subject = patch.input ? await subjectOf(deps, actor, tenantId, current.kind, patch.input) : current.subject;
  return deps.db.transaction(async (tx) => {
    const row = await lockScheduled(tx, tenantId, id);
    const [updated] = await tx
      .update(scheduledChanges)
      .set({ ...(patch.runAt ? { runAt: patch.runAt } : {}), ...(patch.timeZone ? { timeZone: patch.timeZone } : {}), ...(patch.input ? { input: patch.input, subject, ticketId: typeof patch.input.ticketId === 'string' ? patch.input.ticketId : null } : {}), updatedAt: deps.now() })
      .where(eq(scheduledChanges.id, id))
      .returning();
    await recordAudit(tx, { action: 'scheduled.updated', actor, tenantId, targetType: 'scheduled_change', targetId: id, before: { runAt: row.runAt.toISOString(), timeZone: row.timeZone, input: row.input }, after: { runAt: updated!.runAt.toISOString(), timeZone: updated!.timeZone, input: updated!.input }, ticketId: updated!.ticketId, request: info });
    return scheduledView(updated!);
  });
}

/** Cancels a change that has not started: nothing of it happens. */
export async function cancelScheduled(deps: AppDeps, actor: Actor, tenantId: string, id: string, info: RequestInfo): Promise<ScheduledView> {
  await loadTenant(deps.db, actor, tenantId);
  return deps.db.transaction(async (tx) => {
    const row = await lockScheduled(tx, tenantId, id);
    const [updated] = await tx.update(scheduledChanges).set({ status: 'cancelled', finishedAt: deps.now(), updatedAt: deps.now() }).where(eq(scheduledChanges.id, id)).returning();
    await recordAudit(tx, { action: 'scheduled.cancelled', actor, tenantId, targetType: 'scheduled_change', targetId: id, before: { status: row.status, runAt: row.runAt.toISOString() }, after: { status: 'cancelled' }, ticketId: row.ticketId, request: info });
    return scheduledView(updated!);
  });
}

/**
 * One tick: starts every change whose time has come (by the app's clock), one claim at a time,
 * and fails the ones a stopped node left half-started. Returns how many it started.
 */
export async function runDueScheduledChanges(deps: AppDeps): Promise<number> {
  const now = deps.now().toISOString();
  const stuck = await deps.db
    .update(scheduledChanges)
    .set({ status: 'failed', error: 'The node starting this change stopped before it could say whether it started. Check the user, then schedule it again if needed.', finishedAt: deps.now() })
    .where(and(eq(scheduledChanges.status, 'running'), sql`${scheduledChanges.startedAt} < ${new Date(deps.now().getTime() - STUCK_MS).toISOString()}::timestamptz`))
    .returning();
  for (const row of stuck) await recordAudit(deps.db, { action: 'scheduled.failed', actor: { operatorId: row.operatorId, label: 'system (scheduler)' }, tenantId: row.tenantId, targetType: 'scheduled_change', targetId: row.id, result: 'failure', error: row.error!, ticketId: row.ticketId });
  let started = 0;
  for (;;) {
    const [claimed] = await queryRows<{ id: string }>(
      deps.db,
      sql`update scheduled_changes set status = 'running', started_at = ${now}::timestamptz, updated_at = ${now}::timestamptz
           where id = (select id from scheduled_changes where status = 'scheduled' and run_at <= ${now}::timestamptz order by run_at for update skip locked limit 1)
           returning id`,
    );
    if (!claimed) return started;
    started += 1;
    await runOne(deps, claimed.id);
  }
}

async function actorFor(deps: AppDeps, row: Row): Promise<Actor> {
  const [operator] = row.operatorId ? await queryRows<{ id: string; email: string; display_name: string; role: Actor['role']; status: string }>(deps.db, sql`select id, email, display_name, role, status from operators where id = ${row.operatorId}::uuid`) : [];
  if (!operator || operator.status !== 'active') throw new ConflictError('The operator who scheduled this change is no longer active; nothing was changed.', 'operator_inactive');
  if (operator.role === 'viewer') throw new ConflictError('The operator who scheduled this change may no longer change voice; nothing was changed.', 'forbidden');
  return { operatorId: operator.id, email: operator.email, displayName: operator.display_name, role: operator.role, allTenants: true, tenantIds: [], via: 'session' };
}

async function runOne(deps: AppDeps, id: string): Promise<void> {
  const [row] = await deps.db.select().from(scheduledChanges).where(eq(scheduledChanges.id, id));
  if (!row) return;
  const info: RequestInfo = { requestId: `scheduled-${id}`, ip: undefined };
  const system = { operatorId: row.operatorId, label: 'system (scheduler)' };
  await recordAudit(deps.db, { action: 'scheduled.started', actor: system, tenantId: row.tenantId, targetType: 'scheduled_change', targetId: id, before: { status: 'scheduled', runAt: row.runAt.toISOString() }, after: { status: 'running', startedAt: row.startedAt?.toISOString() ?? null }, ticketId: row.ticketId, request: info });
  let result: Record<string, unknown>;
  try {
    const actor = await actorFor(deps, row);
    const input = row.input;
    switch (row.kind) {
      case 'voice_change':
        result = { voiceChangeId: (await requestVoiceChange(deps, actor, row.tenantId, input as unknown as VoiceChangeRequest, info)).id };
        break;
      case 'onboard':
        result = { lifecycleJobId: (await startOnboarding(deps, actor, row.tenantId, input as unknown as OnboardInput, info)).id };
        break;
      case 'offboard':
        result = { lifecycleJobId: (await startOffboarding(deps, actor, row.tenantId, input as unknown as OffboardInput, info)).id };
        break;
      case 'bulk_run':
        result = { bulkJobId: (await startBulkJob(deps, actor, row.tenantId, String(input.jobId), info)).id };
        break;
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!(error instanceof AppError)) deps.log.error({ err: error, scheduledChangeId: id }, 'scheduled change failed unexpectedly');
    await deps.db.transaction(async (tx) => {
      await tx.update(scheduledChanges).set({ status: 'failed', error: message, finishedAt: deps.now(), updatedAt: deps.now() }).where(eq(scheduledChanges.id, id));
      await recordAudit(tx, { action: 'scheduled.failed', actor: system, tenantId: row.tenantId, targetType: 'scheduled_change', targetId: id, before: { status: 'running' }, after: { status: 'failed', code: error instanceof AppError ? error.code : 'unknown' }, result: 'failure', error: message, ticketId: row.ticketId, request: info });
    });
    return;
  }
  await deps.db.transaction(async (tx) => {
    await tx.update(scheduledChanges).set({ status: 'done', result, finishedAt: deps.now(), updatedAt: deps.now() }).where(eq(scheduledChanges.id, id));
    await recordAudit(tx, { action: 'scheduled.done', actor: system, tenantId: row.tenantId, targetType: 'scheduled_change', targetId: id, before: { status: 'running' }, after: { status: 'done', ...result }, ticketId: row.ticketId, request: info });
  });
}
