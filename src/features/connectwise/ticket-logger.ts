import { and, eq } from 'drizzle-orm';
import { ConnectWiseError } from '../../connectors/connectwise/client.ts';
import { AppError, ConflictError, NotFoundError } from '../../core/errors.ts';
import type { Db } from '../../db/connection.ts';
import { operators, tenantConnections, tenants, voiceChanges } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import { manageApiFor } from './connection.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { loadTenant } from '../tenants/tenants.ts';

export const TICKET_LOG_QUEUE = 'ticket-log';

/**
 * After a change Teams confirmed, its ticket gets a note, the default status and a time entry
 * (F3–F5). This runs as its own job with retries, so a ConnectWise outage never blocks or
 * undoes the voice change; the change shows how the logging went.
 */
/** Whether a finished change goes onto a ticket: it names one and the tenant has ConnectWise set up. */
export async function ticketLoggingApplies(db: Db, change: { ticketId: string | null; tenantId: string }): Promise<boolean> {
  if (!change.ticketId) return false;
  const [connection] = await db.select({ t: tenantConnections.tenantId }).from(tenantConnections).where(and(eq(tenantConnections.tenantId, change.tenantId), eq(tenantConnections.system, 'connectwise')));
  return Boolean(connection);
}

export async function queueTicketLog(deps: AppDeps, changeId: string): Promise<void> {
  const [change] = await deps.db.select().from(voiceChanges).where(eq(voiceChanges.id, changeId));
  if (!change || change.ticketLogStatus !== 'queued' || !deps.queue) return;
  await deps.queue.send(TICKET_LOG_QUEUE, { changeId }, { singletonKey: `ticket-${changeId}`, retryLimit: 8, retryDelay: 10, retryBackoff: true, retryDelayMax: 600 });
}

/** Names the change in what we write, so a retry can see whether a write whose answer was lost was saved. */
function referenceOf(change: { id: string }): string {
  return `UCR Manager reference: ${change.id}`;
}

function describe(change: typeof voiceChanges.$inferSelect, who: string): string {
  const before = change.before.number?.e164 ?? 'no number';
  const after = change.requested.number?.e164 ?? 'no number';
  const policies = Object.entries(change.requested.policies)
    .filter(([type, name]) => (change.before.policies[type] ?? null) !== name)
    .map(([type, name]) => `${type}: ${change.before.policies[type] ?? 'inherited'} → ${name ?? 'inherited'}`);
  return [
    `Teams voice change for ${change.userUpn} by ${who} (UCR Manager).`,
    before !== after ? `Number: ${before} → ${after}.` : '',
    policies.length ? `Policies: ${policies.join('; ')}.` : '',
    referenceOf(change),
  ]
    .filter(Boolean)
    .join('\n');
}

/** One attempt; throws on a transient ConnectWise failure so the queue retries with backoff. */
export async function logChangeOnTicket(deps: AppDeps, changeId: string): Promise<void> {
  const [change] = await deps.db.select().from(voiceChanges).where(eq(voiceChanges.id, changeId));
  if (!change?.ticketId || change.ticketLogStatus === 'logged') return;
  const [tenant] = await deps.db.select().from(tenants).where(eq(tenants.id, change.tenantId));
  const [operator] = change.operatorId ? await deps.db.select().from(operators).where(eq(operators.id, change.operatorId)) : [];
  const done = new Set(change.ticketLogDone);
  const mark = async (step: string) => {
    done.add(step);
    await deps.db.update(voiceChanges).set({ ticketLogDone: [...done] }).where(eq(voiceChanges.id, changeId));
  };
  const ticketId = Number(change.ticketId);
  const notes: string[] = [];
  // After a failed attempt a write may have been saved although its answer never came back.
  const mayExist = change.ticketLogStatus === 'retrying';
  try {
    const { api, settings } = await manageApiFor(deps, tenant!);
    const who = operator?.displayName ?? 'an operator';
    if (!done.has('note') && mayExist && (await api.hasNote(ticketId, referenceOf(change)))) await mark('note');
    if (!done.has('note')) {
      await api.addNote(ticketId, describe(change, who), settings.defaults.noteFlags, operator?.connectwiseMember ?? undefined);
      await mark('note');
    }
    if (!done.has('status') && settings.defaults.statusAfterChangeId) {
      try {
        await api.setTicketStatus(ticketId, settings.defaults.statusAfterChangeId);
        await mark('status');
      } catch (error) {
        // Statuses belong to one board: a ticket on another board keeps its status, and still gets its time.
        if (!(error instanceof ConnectWiseError && error.code === 'connectwise_status_not_allowed')) throw error;
        notes.push(`The ticket's status was left as it is: the default status is not one of its board's open statuses.`);
      }
    }
    if (!done.has('time') && operator?.connectwiseMember && mayExist && (await api.hasTimeEntry(ticketId, referenceOf(change)))) await mark('time');
    if (!done.has('time')) {
      if (!operator?.connectwiseMember) notes.push(`No ConnectWise member is mapped for ${who}; no time was logged.`);
      else {
        const minutes = Math.max(15, Math.ceil(((change.completedAt ?? deps.now()).getTime() - change.createdAt.getTime()) / 900_000) * 15);
        await api.addTimeEntry({
          ticketId,
          memberIdentifier: operator.connectwiseMember,
          timeStart: change.createdAt,
          actualHours: minutes / 60,
          workRoleId: settings.defaults.workRoleId,
          workTypeId: settings.defaults.workTypeId,
          billableOption: settings.defaults.billableOption,
          notes: describe(change, who),
        });
        await mark('time');
      }
    }
    await deps.db.update(voiceChanges).set({ ticketLogStatus: 'logged', ticketLogError: notes.join(' ') || null }).where(eq(voiceChanges.id, changeId));
    await recordAudit(deps.db, { action: 'ticket.logged', actor: { operatorId: change.operatorId, label: 'system (ticket logging)' }, tenantId: change.tenantId, targetType: 'voice_change', targetId: changeId, after: { steps: [...done] }, ticketId: change.ticketId });
  } catch (error) {
    const transient = error instanceof ConnectWiseError ? error.cwStatus === undefined || error.cwStatus >= 500 || error.cwStatus === 429 : !(error instanceof AppError);
    const message = error instanceof Error ? error.message : String(error);
    await deps.db.update(voiceChanges).set({ ticketLogStatus: transient ? 'retrying' : 'failed', ticketLogError: message }).where(eq(voiceChanges.id, changeId));
    if (!transient) {
      await recordAudit(deps.db, { action: 'ticket.logged', result: 'failure', error: message, actor: { operatorId: change.operatorId, label: 'system (ticket logging)' }, tenantId: change.tenantId, targetType: 'voice_change', targetId: changeId, ticketId: change.ticketId });
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
  await queueTicketLog(deps, changeId);
}

export type TicketWork = {
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
 * Logs a piece of work that is more than one voice change (a joiner or leaver job) on its ticket:
 * a note, the default status and a time entry, as for a change. Safe to call again after a failure:
 * what the ticket already holds (found by the reference) is not written twice. Throws what
 * ConnectWise answered, so the caller's step fails with the reason. Returns remarks for the step.
 */
export async function logWorkOnTicket(deps: AppDeps, work: TicketWork): Promise<string[]> {
  const [tenant] = await deps.db.select().from(tenants).where(eq(tenants.id, work.tenantId));
  if (!tenant) throw new NotFoundError('Tenant');
  const [operator] = work.operatorId ? await deps.db.select().from(operators).where(eq(operators.id, work.operatorId)) : [];
  const { api, settings } = await manageApiFor(deps, tenant);
  const ticketId = Number(work.ticketId);
  const who = operator?.displayName ?? 'an operator';
  const text = `${work.note}\n${work.reference}`;
  const remarks: string[] = [];
  if (!(await api.hasNote(ticketId, work.reference))) await api.addNote(ticketId, text, settings.defaults.noteFlags, operator?.connectwiseMember ?? undefined);
  if (settings.defaults.statusAfterChangeId) {
    try {
      await api.setTicketStatus(ticketId, settings.defaults.statusAfterChangeId);
    } catch (error) {
      if (!(error instanceof ConnectWiseError && error.code === 'connectwise_status_not_allowed')) throw error;
      remarks.push(`The ticket's status was left as it is: the default status is not one of its board's open statuses.`);
    }
  }
  if (!operator?.connectwiseMember) remarks.push(`No ConnectWise member is mapped for ${who}; no time was logged.`);
  else if (!(await api.hasTimeEntry(ticketId, work.reference))) {
    const minutes = Math.max(15, Math.ceil((work.finishedAt.getTime() - work.startedAt.getTime()) / 900_000) * 15);
    await api.addTimeEntry({
      ticketId,
      memberIdentifier: operator.connectwiseMember,
      timeStart: work.startedAt,
      actualHours: minutes / 60,
      workRoleId: settings.defaults.workRoleId,
      workTypeId: settings.defaults.workTypeId,
      billableOption: settings.defaults.billableOption,
      notes: text,
    });
  }
  await recordAudit(deps.db, { action: 'ticket.logged', actor: { operatorId: work.operatorId, label: 'system (ticket logging)' }, tenantId: work.tenantId, targetType: 'ticket', targetId: work.ticketId, after: { reference: work.reference, remarks }, ticketId: work.ticketId });
  return remarks;
}
