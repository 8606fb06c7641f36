/**
 * A service number on a resource account (#20): assigned and removed as a voice change
 * (teams/voice-changes.ts), so it is claimed in the inventory first, followed until Teams
 * confirms, reverted with POST …/voice-changes/:id/revert and logged to the ticket like any other.
 */
import { TeamsError } from '../../connectors/teams/errors.ts';
import { AppError, ConflictError, NotFoundError } from '../../core/errors.ts';
import type { TicketLogChoices } from '../kernel/ticket-work.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { refreshTeamsUser } from '../teams/directory.ts';
import { requestVoiceChange, type VoiceChangeView } from '../teams/voice-changes.ts';
import { loadActiveTenant } from '../tenants/tenants.ts';
import { freeNumberFor } from './create-resource-account.ts';

async function resourceAccountOf(deps: AppDeps, actor: Actor, tenantId: string, objectId: string) {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  let account;
  try {
    account = await refreshTeamsUser(deps, tenant, objectId);
  } catch (error) {
    if ((error instanceof AppError && error.status === 404) || (error instanceof TeamsError && error.graphStatus === 404)) throw new NotFoundError('Resource account');
    throw error;
  }
  if (account.accountType !== 'resourceAccount') throw new ConflictError(`${account.upn} is not a resource account; give a user their number on the user's voice page.`, 'not_a_resource_account');
  return { tenant, account };
}

export async function assignResourceAccountNumber(
  deps: AppDeps,
  actor: Actor,
  tenantId: string,
  objectId: string,
  input: { number: { numberId: string } | { e164: string }; ticketId?: string | null | undefined; ticketLog?: TicketLogChoices | undefined },
  info: RequestInfo,
): Promise<VoiceChangeView> {
  const { tenant, account } = await resourceAccountOf(deps, actor, tenantId, objectId);
  // Checked here with its own code: a number in use is refused before anything is claimed.
  const number = await freeNumberFor(deps, tenant, input.number);
  if (account.numbers[0]?.telephoneNumber === number.e164) throw new ConflictError(`${account.upn} already has ${number.e164}.`, 'number_in_use');
  return requestVoiceChange(deps, actor, tenantId, { userId: account.userId, number: { numberId: number.id }, ticketId: input.ticketId, ticketLog: input.ticketLog }, info);
}

export async function removeResourceAccountNumber(deps: AppDeps, actor: Actor, tenantId: string, objectId: string, input: { ticketId?: string | null | undefined; ticketLog?: TicketLogChoices | undefined }, info: RequestInfo): Promise<VoiceChangeView> {
  const { account } = await resourceAccountOf(deps, actor, tenantId, objectId);
  if (!account.numbers[0]) throw new ConflictError(`${account.upn} has no number to remove.`, 'no_number');
  return requestVoiceChange(deps, actor, tenantId, { userId: account.userId, number: null, ticketId: input.ticketId, ticketLog: input.ticketLog }, info);
}
