import { and, eq } from 'drizzle-orm';
import { ConnectWiseError } from '../../connectors/connectwise/client.ts';
import type { ManageApi } from '../../connectors/connectwise/manage-api.ts';
import { AppError, ConflictError, NotFoundError } from '../../core/errors.ts';
import type { Db } from '../../db/connection.ts';
import { operators, tenantConnections, tenants, ticketLogs, voiceChanges, type TicketLogChoices } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { TicketWork } from '../kernel/ticket-work.ts';
import { manageApiFor, type ConnectWiseSettings } from './connection.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { loadTenant } from '../tenants/tenants.ts';

export const TICKET_LOG_QUEUE = 'ticket-log';

/**
 * After a change is done, its ticket gets a note, a status and a time entry (F3–F5), as the
 * operator chose on the change form or else by the tenant's defaults. One logger serves every
 * system: a hook per system loads the work and keeps its progress (Teams voice changes on their
 * voice_changes row, 3CX changes and number lifecycle actions on a ticket_logs row). It runs as
 * its own job with retries, so a ConnectWise outage never blocks or undoes the change itself.
 */
export type TicketLogSystem = 'teams' | 'work';
export type TicketLogJob = { system: TicketLogSystem; id: string } | { changeId: string };
type LogStatus = 'none' | 'queued' | 'logged' | 'retrying' | 'failed';

type LoggedWork = {
  tenantId: string;
  ticketId: string | null;
  operatorId: string | null;
  /** The note's text, without the reference line. */
  note: string;
  startedAt: Date;
  finishedAt: Date | null;
  choices: TicketLogChoices;
  status: LogStatus;
  done: string[];
  /** What the audit event of the logging points at. */
  target: { type: 'voice_change' | 'ticket_log'; id: string };
};

type TicketLogHook = {
  load(db: Db, id: string): Promise<LoggedWork | undefined>;
  save(db: Db, id: string, patch: { status?: LogStatus; error?: string | null; done?: string[] }): Promise<void>;
};

function describeVoiceChange(change: typeof voiceChanges.$inferSelect, who: string): string {
  const before = change.before.number?.e164 ?? 'no number';
  const after = change.requested.number?.e164 ?? 'no number';
  const policies = Object.entries(change.requested.policies)
    .filter(([type, name]) => (change.before.policies[type] ?? null) !== name)
    .map(([type, name]) => `${type}: ${change.before.policies[type] ?? 'inherited'} → ${name ?? 'inherited'}`);
  return [`Teams voice change for ${change.userUpn} by ${who} (UCR Manager).`, before !== after ? `Number: ${before} → ${after}.` : '', policies.length ? `Policies: ${policies.join('; ')}.` : ''].filter(Boolean).join('\n');
}

const hooks: Record<TicketLogSystem, TicketLogHook> = {
  teams: {
    async load(db, id) {
      const [change] = await db.select().from(voiceChanges).where(eq(voiceChanges.id, id));
      if (!change) return undefined;
      const [operator] = change.operatorId ? await db.select({ name: operators.displayName }).from(operators).where(eq(operators.id, change.operatorId)) : [];
      return {
        tenantId: change.tenantId,
        ticketId: change.ticketId,
        operatorId: change.operatorId,
        note: describeVoiceChange(change, operator?.name ?? 'an operator'),
        startedAt: change.createdAt,
        finishedAt: change.completedAt,
        choices: change.ticketChoices,
        status: change.ticketLogStatus,
        done: change.ticketLogDone,
        target: { type: 'voice_change', id },
      };
    },
    async save(db, id, patch) {
      await db
        .update(voiceChanges)
        .set({ ...(patch.status ? { ticketLogStatus: patch.status } : {}), ...(patch.error !== undefined ? { ticketLogError: patch.error } : {}), ...(patch.done ? { ticketLogDone: patch.done } : {}) })
        .where(eq(voiceChanges.id, id));
    },
  },
  work: {
    async load(db, id) {
      const [row] = await db.select().from(ticketLogs).where(eq(ticketLogs.id, id));
      if (!row) return undefined;
      return { tenantId: row.tenantId, ticketId: row.ticketId, operatorId: row.operatorId, note: row.note, startedAt: row.startedAt, finishedAt: row.finishedAt, choices: row.choices, status: row.status, done: row.done, target: { type: 'ticket_log', id } };
    },
    async save(db, id, patch) {
      await db
        .update(ticketLogs)
        .set({ ...(patch.status && patch.status !== 'none' ? { status: patch.status } : {}), ...(patch.error !== undefined ? { error: patch.error } : {}), ...(patch.done ? { done: patch.done } : {}) })
        .where(eq(ticketLogs.id, id));
    },
  },
};

/** Whether a finished change goes onto a ticket: it names one and the tenant has ConnectWise set up. */
export async function ticketLoggingApplies(db: Db, change: { ticketId: string | null | undefined; tenantId: string }): Promise<boolean> {
  if (!change.ticketId) return false;
  const [connection] = await db.select({ t: tenantConnections.tenantId }).from(tenantConnections).where(and(eq(tenantConnections.tenantId, change.tenantId), eq(tenantConnections.system, 'connectwise')));
  return Boolean(connection);
}

async function sendJob(deps: AppDeps, system: TicketLogSystem, id: string): Promise<void> {
  await deps.queue?.send(TICKET_LOG_QUEUE, { system, id }, { singletonKey: `ticket-${id}`, retryLimit: 8, retryDelay: 10, retryBackoff: true, retryDelayMax: 600 });
}

/** Starts the logging of a Teams voice change that completeChange marked as queued. */
export async function queueTicketLog(deps: AppDeps, changeId: string): Promise<void> {
  const [change] = await deps.db.select({ status: voiceChanges.ticketLogStatus }).from(voiceChanges).where(eq(voiceChanges.id, changeId));
  if (change?.status === 'queued') await sendJob(deps, 'teams', changeId);
}

/** Records work other than a voice change (3CX, number lifecycle) for logging, in the caller's transaction. */
export async function recordTicketWork(tx: Db, work: TicketWork): Promise<string | null> {
  if (!(await ticketLoggingApplies(tx, work))) return null;
  const [row] = await tx
    .insert(ticketLogs)
    .values({ tenantId: work.tenantId, ticketId: work.ticketId, system: work.system, subject: work.subject, note: work.note, choices: work.choices, operatorId: work.operatorId, startedAt: work.startedAt, finishedAt: work.finishedAt })
    .returning({ id: ticketLogs.id });
  return row!.id;
}

export async function startTicketWork(deps: AppDeps, logId: string | null): Promise<void> {
  if (logId) await sendJob(deps, 'work', logId);
}

/** Names the work in what we write, so a retry can see whether a write whose answer was lost was saved. */
function referenceOf(id: string): string {
  return `UCR Manager reference: ${id}`;
}

/** Minutes to log: the operator's choice, else the tenant's default, else the time the work took (in quarter hours, at least 15). */
export function minutesToLog(choices: TicketLogChoices, settings: ConnectWiseSettings, startedAt: Date, finishedAt: Date): number {
  if (choices.minutes) return choices.minutes;
  if (settings.defaults.defaultMinutes) return settings.defaults.defaultMinutes;
  return Math.max(15, Math.ceil((finishedAt.getTime() - startedAt.getTime()) / 900_000) * 15);
}

/**
 * Writes the work onto its ticket, step by step (note, status, time). `done` holds the steps
 * already written; `mayExist` makes each step first look for its reference, for a retry after a
 * write whose answer was lost. Returns remarks on steps deliberately left out.
 */
async function writeToTicket(
  api: ManageApi,
  settings: ConnectWiseSettings,
  work: { ticketId: number; reference: string; note: string; member: string | undefined; who: string; startedAt: Date; finishedAt: Date; choices: TicketLogChoices },
  done: Set<string>,
  mayExist: boolean,
  mark: (step: string) => Promise<void>,
): Promise<string[]> {
  const remarks: string[] = [];
  const text = `${work.note}\n${work.reference}`;
  const { choices } = work;
  if (!done.has('note') && mayExist && (await api.hasNote(work.ticketId, work.reference))) await mark('note');
  if (!done.has('note')) {
    await api.addNote(work.ticketId, text, settings.defaults.noteFlags, work.member);
    await mark('note');
  }
  // null: the operator chose to leave the status as it is; undefined: the tenant's default.
  const statusId = choices.statusId === undefined ? settings.defaults.statusAfterChangeId : choices.statusId;
  if (!done.has('status') && statusId) {
    try {
      await api.setTicketStatus(work.ticketId, statusId);
      await mark('status');
    } catch (error) {
      // Statuses belong to one board: a ticket on another board keeps its status, and still gets its time.
      if (!(error instanceof ConnectWiseError && error.code === 'connectwise_status_not_allowed')) throw error;
      remarks.push(choices.statusId ? `The ticket's status was left as it is: the chosen status is no longer one of its board's open statuses.` : `The ticket's status was left as it is: the default status is not one of its board's open statuses.`);
    }
  }
  if (!done.has('time') && work.member && mayExist && (await api.hasTimeEntry(work.ticketId, work.reference))) await mark('time');
  if (!done.has('time')) {
    if (!work.member) remarks.push(`No ConnectWise member is mapped for ${work.who}; no time was logged.`);
    else {
      await api.addTimeEntry({
        ticketId: work.ticketId,
        memberIdentifier: work.member,
        timeStart: work.startedAt,
        actualHours: minutesToLog(choices, settings, work.startedAt, work.finishedAt) / 60,
        workRoleId: choices.workRoleId === undefined ? settings.defaults.workRoleId : choices.workRoleId,
        workTypeId: choices.workTypeId === undefined ? settings.defaults.workTypeId : choices.workTypeId,
        billableOption: settings.defaults.billableOption,
        notes: text,
      });
      await mark('time');
    }
  }
  return remarks;
}

/** One attempt of the job; throws on a transient ConnectWise failure so the queue retries with backoff. */
export async function logOnTicket(deps: AppDeps, job: TicketLogJob): Promise<void> {
  const { system, id } = 'changeId' in job ? { system: 'teams' as const, id: job.changeId } : job;
  const hook = hooks[system];
  const work = await hook.load(deps.db, id);
  if (!work?.ticketId || work.status === 'logged') return;
  const [tenant] = await deps.db.select().from(tenants).where(eq(tenants.id, work.tenantId));
  const [operator] = work.operatorId ? await deps.db.select().from(operators).where(eq(operators.id, work.operatorId)) : [];
  const done = new Set(work.done);
  const mark = async (step: string) => {
    done.add(step);
    await hook.save(deps.db, id, { done: [...done] });
  };
  const audit = { actor: { operatorId: work.operatorId, label: 'system (ticket logging)' }, tenantId: work.tenantId, targetType: work.target.type, targetId: id, ticketId: work.ticketId };
  try {
    const { api, settings } = await manageApiFor(deps, tenant!);
    const member = work.choices.member ?? operator?.connectwiseMember ?? undefined;
    const who = operator?.displayName ?? 'an operator';
    // After a failed attempt a write may have been saved although its answer never came back.
    const remarks = await writeToTicket(api, settings, { ticketId: Number(work.ticketId), reference: referenceOf(id), note: work.note, member, who, startedAt: work.startedAt, finishedAt: work.finishedAt ?? deps.now(), choices: work.choices }, done, work.status === 'retrying', mark);
    await hook.save(deps.db, id, { status: 'logged', error: remarks.join(' ') || null });
    await recordAudit(deps.db, { action: 'ticket.logged', ...audit, after: { steps: [...done], remarks } });
  } catch (error) {
    const transient = error instanceof ConnectWiseError ? error.cwStatus === undefined || error.cwStatus >= 500 || error.cwStatus === 429 : !(error instanceof AppError);
    const message = error instanceof Error ? error.message : String(error);
    await hook.save(deps.db, id, { status: transient ? 'retrying' : 'failed', error: message });
    if (!transient) {
      await recordAudit(deps.db, { action: 'ticket.logged', result: 'failure', error: message, ...audit });
      return;
    }
    throw error;
  }
}

/**
 * Tries the ticket logging of a change again after it failed for good (e.g. a role Manage
 * refused, fixed since in the defaults): the steps already done on the ticket are not repeated.
 */
export async function retryTicketLog(deps: AppDeps, actor: Actor, tenantId: string, changeId: string, request: RequestInfo): Promise<void> {
  await loadTenant(deps.db, actor, tenantId);
  const [change] = await deps.db.select().from(voiceChanges).where(and(eq(voiceChanges.id, changeId), eq(voiceChanges.tenantId, tenantId)));
  if (!change) throw new NotFoundError('Voice change');
  if (change.ticketLogStatus !== 'failed') throw new ConflictError(change.ticketLogStatus === 'logged' ? 'This change is already logged on its ticket.' : 'Only a ticket logging that failed can be tried again; this one is still under way or was never asked for.', 'ticket_log_not_failed');
  if (!deps.queue) throw new ConflictError('Background jobs are not running on this node; try again in a moment.', 'queue_unavailable');
  await deps.db.update(voiceChanges).set({ ticketLogStatus: 'queued', ticketLogError: null }).where(eq(voiceChanges.id, changeId));
  await recordAudit(deps.db, { action: 'ticket.log_retried', actor, tenantId, targetType: 'voice_change', targetId: changeId, ticketId: change.ticketId, request });
  await sendJob(deps, 'teams', changeId);
}

/** A joiner or leaver job's work, logged by its own step (which retries it) rather than by the ticket-log job. */
export type StepTicketWork = {
  tenantId: string;
  ticketId: string;
  operatorId: string | null;
  /** A line naming the work, written into the note and the time entry so a retry finds what was saved. */
  reference: string;
  note: string;
  startedAt: Date;
  finishedAt: Date;
};

/**
 * Logs a piece of work that is more than one voice change (a joiner or leaver job) on its ticket
 * with the same steps as every change. Safe to call again after a failure: what the ticket already
 * holds (found by the reference) is not written twice. Throws what ConnectWise answered, so the
 * caller's step fails with the reason. Returns remarks for the step.
 */
export async function logWorkOnTicket(deps: AppDeps, work: StepTicketWork): Promise<string[]> {
  const [tenant] = await deps.db.select().from(tenants).where(eq(tenants.id, work.tenantId));
  if (!tenant) throw new NotFoundError('Tenant');
  const [operator] = work.operatorId ? await deps.db.select().from(operators).where(eq(operators.id, work.operatorId)) : [];
  const { api, settings } = await manageApiFor(deps, tenant);
  const remarks = await writeToTicket(
    api,
    settings,
    { ticketId: Number(work.ticketId), reference: work.reference, note: work.note, member: operator?.connectwiseMember ?? undefined, who: operator?.displayName ?? 'an operator', startedAt: work.startedAt, finishedAt: work.finishedAt, choices: {} },
    new Set(),
    true,
    async () => {},
  );
  await recordAudit(deps.db, { action: 'ticket.logged', actor: { operatorId: work.operatorId, label: 'system (ticket logging)' }, tenantId: work.tenantId, targetType: 'ticket', targetId: work.ticketId, after: { reference: work.reference, remarks }, ticketId: work.ticketId });
  return remarks;
}

