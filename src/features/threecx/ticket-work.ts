import type { Db } from '../../db/connection.ts';
import type { TicketLogChoices } from '../../db/schema/index.ts';
import { checkTicketChoices } from '../connectwise/ticket-choices.ts';
import { recordTicketWork, startTicketWork } from '../connectwise/ticket-logger.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';

/**
 * A 3CX change's ticket: checked with its ConnectWise choices before the PBX is touched, then
 * recorded with the change's audit event and logged by the one ticket logger, as a Teams voice
 * change is (note, status, time entry).
 */
export type ThreeCxTicket = { ticketId: string | null; choices: TicketLogChoices; startedAt: Date };

export async function checkThreeCxTicket(deps: AppDeps, actor: Actor, tenantId: string, input: { ticketId?: string | null | undefined; ticketLog?: TicketLogChoices | undefined }): Promise<ThreeCxTicket> {
  const choices = await checkTicketChoices(deps, actor, tenantId, input.ticketId, input.ticketLog);
  return { ticketId: input.ticketId ?? null, choices, startedAt: deps.now() };
}

/** Records the ticket logging in the change's transaction; returns the log to start once it committed. */
export async function recordThreeCxWork(deps: AppDeps, tx: Db, actor: Actor, tenantId: string, ticket: ThreeCxTicket, subject: string, note: string): Promise<string | null> {
  if (!ticket.ticketId) return null;
  return recordTicketWork(tx, { tenantId, ticketId: ticket.ticketId, system: 'threecx', subject, note: `${note}\nBy ${actor.displayName} (UCR Manager).`, operatorId: actor.operatorId, startedAt: ticket.startedAt, finishedAt: deps.now(), choices: ticket.choices });
}

export { startTicketWork };
