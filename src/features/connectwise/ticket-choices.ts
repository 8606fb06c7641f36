import { eq } from 'drizzle-orm';
import { ConnectWiseError } from '../../connectors/connectwise/client.ts';
import type { ManageApi } from '../../connectors/connectwise/manage-api.ts';
import { member as memberSchema, type Ticket } from '../../connectors/connectwise/schemas.ts';
import { ConflictError, ValidationError } from '../../core/errors.ts';
import { operators, type TicketLogChoices } from '../../db/schema/index.ts';
import { readPreference, writePreference } from '../identity/operator-preferences.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';
import type { TicketWorkLogger } from '../kernel/ticket-work.ts';
import { loadTenant, type TenantRow } from '../tenants/tenants.ts';
import { manageApiFor } from './connection.ts';
import { recordTicketWork, startTicketWork, ticketLoggingApplies } from './ticket-logger.ts';

/**
 * The ConnectWise choices of a change form (issue #17 item 1): minutes, the status to set, work
 * role and type, and the member to log as. Offered only from what ConnectWise returns for the
 * ticket (its board's open statuses, active roles, types and members), checked again when the
 * change is asked for, and remembered per operator and tenant.
 */
type Remembered = { minutes?: number; workRoleId?: number | null; workTypeId?: number | null; member?: string };
const preferenceKey = (tenantId: string) => `cw.ticket-log.${tenantId}`;

async function remembered(deps: AppDeps, actor: Actor, tenantId: string): Promise<Remembered> {
  const value = await readPreference(deps, actor, preferenceKey(tenantId));
  return value && typeof value === 'object' ? (value as Remembered) : {};
}

async function ticketOf(api: ManageApi, tenant: TenantRow, ticketId: number): Promise<Ticket> {
  let ticket: Ticket;
  try {
    ticket = await api.getTicket(ticketId);
  } catch (error) {
    if (error instanceof ConnectWiseError && error.cwStatus === 404) throw new ValidationError(`ConnectWise has no ticket #${ticketId}.`, [{ field: 'ticketId', message: 'No such ticket' }]);
    throw error;
  }
  if (tenant.connectwiseCompanyId && ticket.company?.identifier?.toLowerCase() !== tenant.connectwiseCompanyId.toLowerCase()) {
    throw new ConflictError(`Ticket ${ticketId} belongs to another company than ${tenant.name}.`, 'ticket_other_company');
  }
  return ticket;
}

async function activeMembers(api: ManageApi) {
  const query = new URLSearchParams({ conditions: 'inactiveFlag = false', orderBy: 'identifier asc' }).toString();
  return (await api.client.list(`/system/members?${query}`, memberSchema, 1000)).map((m) => ({ identifier: m.identifier, name: [m.firstName, m.lastName].filter(Boolean).join(' ') || m.identifier }));
}

/** What a change form offers for this ticket, with the operator's remembered choices or the tenant's defaults preselected. */
export async function ticketLogOptions(deps: AppDeps, actor: Actor, tenantId: string, ticketId: number) {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const { api, settings } = await manageApiFor(deps, tenant);
  const ticket = await ticketOf(api, tenant, ticketId);
  const [statuses, workRoles, workTypes, members, mine, [operator]] = await Promise.all([
    ticket.board ? api.offerableStatuses(ticket.board.id) : Promise.resolve([]),
    api.workRoles(),
    api.workTypes(),
    activeMembers(api),
    remembered(deps, actor, tenantId),
    deps.db.select({ member: operators.connectwiseMember }).from(operators).where(eq(operators.id, actor.operatorId)),
  ]);
  const roles = workRoles.filter((r) => !r.inactiveFlag).map((r) => ({ id: r.id, name: r.name }));
  const types = workTypes.filter((w) => !w.inactiveFlag).map((w) => ({ id: w.id, name: w.name }));
  const offered = statuses.map((s) => ({ id: s.id, name: s.name }));
  const listed = <T extends { id: number }>(list: T[], id: number | null | undefined) => (id && list.some((x) => x.id === id) ? id : null);
  const memberDefault = mine.member ?? operator?.member ?? null;
  return {
    ticket: { id: ticket.id, summary: ticket.summary, board: ticket.board ? { id: ticket.board.id, name: ticket.board.name ?? '' } : null, status: ticket.status ? { id: ticket.status.id, name: ticket.status.name ?? '' } : null },
    statuses: offered,
    workRoles: roles,
    workTypes: types,
    members,
    tenantMinutes: settings.defaults.defaultMinutes,
    defaults: {
      minutes: mine.minutes ?? settings.defaults.defaultMinutes,
      statusId: listed(offered, settings.defaults.statusAfterChangeId),
      workRoleId: listed(roles, mine.workRoleId !== undefined ? mine.workRoleId : settings.defaults.workRoleId),
      workTypeId: listed(types, mine.workTypeId !== undefined ? mine.workTypeId : settings.defaults.workTypeId),
      member: memberDefault && members.some((m) => m.identifier.toLowerCase() === memberDefault.toLowerCase()) ? memberDefault : null,
    },
  };
}
export type TicketLogOptions = Awaited<ReturnType<typeof ticketLogOptions>>;

const given = (choices: TicketLogChoices | undefined): choices is TicketLogChoices => Boolean(choices && Object.values(choices).some((v) => v !== undefined));

/**
 * Checks a change's ConnectWise choices before anything is changed: a status not on the ticket's
 * board, a role, type or member ConnectWise does not list as active is refused with a specific
 * error. Remembers the operator's minutes, role, type and member for their next change.
 */
export async function checkTicketChoices(deps: AppDeps, actor: Actor, tenantId: string, ticketId: string | null | undefined, choices: TicketLogChoices | undefined): Promise<TicketLogChoices> {
  if (!given(choices)) return {};
  if (!ticketId) throw new ValidationError('Choose the ticket to log on before choosing minutes, status, role, type or member.', [{ field: 'ticketId', message: 'Required with ConnectWise choices' }]);
  const tenant = await loadTenant(deps.db, actor, tenantId);
  if (!(await ticketLoggingApplies(deps.db, { tenantId, ticketId }))) throw new ConflictError(`ConnectWise is not set up for ${tenant.name}, so nothing is logged on tickets; leave the ConnectWise choices out.`, 'connectwise_not_configured');
  const { api, settings } = await manageApiFor(deps, tenant);
  const ticket = await ticketOf(api, tenant, Number(ticketId));
  if (choices.statusId) {
    const offered = ticket.board ? await api.offerableStatuses(ticket.board.id) : [];
    if (!offered.some((s) => s.id === choices.statusId)) {
      const board = ticket.board?.name ?? 'its board';
      throw new ValidationError(`Status ${choices.statusId} is not an open status of ${board} (ticket #${ticketId}'s board); choose one of: ${offered.map((s) => s.name).join(', ') || 'none'}, or leave the status as it is.`, [{ field: 'ticketLog.statusId', message: `Not a status of ${board}` }]);
    }
  }
  if (choices.workRoleId) {
    const roles = (await api.workRoles()).filter((r) => !r.inactiveFlag);
    if (!roles.some((r) => r.id === choices.workRoleId)) throw new ValidationError(`Work role ${choices.workRoleId} is not an active work role in ConnectWise.`, [{ field: 'ticketLog.workRoleId', message: 'Not an active work role' }]);
  }
  if (choices.workTypeId) {
    const types = (await api.workTypes()).filter((w) => !w.inactiveFlag);
    if (!types.some((w) => w.id === choices.workTypeId)) throw new ValidationError(`Work type ${choices.workTypeId} is not an active work type in ConnectWise.`, [{ field: 'ticketLog.workTypeId', message: 'Not an active work type' }]);
  }
  let member = choices.member;
  if (member) {
    const found = await api.member(member);
    if (!found || found.inactiveFlag) throw new ValidationError(`ConnectWise has no active member "${member}".`, [{ field: 'ticketLog.member', message: 'Not an active member' }]);
    member = found.identifier;
  }
  const checked: TicketLogChoices = { ...choices, ...(member ? { member } : {}) };
  // A choice equal to the default (the tenant's, or the operator's mapped member) is no choice: it is
  // neither stored on the change nor remembered, and forgets an earlier remembered one. So fixing a
  // default (e.g. a work role ConnectWise refuses) reaches a retry and the operator's next change,
  // instead of being shadowed by a copy of the old default.
  const [operator] = await deps.db.select({ member: operators.connectwiseMember }).from(operators).where(eq(operators.id, actor.operatorId));
  const fallbacks: Required<{ [K in keyof TicketLogChoices]: TicketLogChoices[K] | null }> = {
    minutes: settings.defaults.defaultMinutes,
    statusId: settings.defaults.statusAfterChangeId,
    workRoleId: settings.defaults.workRoleId,
    workTypeId: settings.defaults.workTypeId,
    member: operator?.member ?? null,
  };
  const isDefault = (key: keyof TicketLogChoices) => {
    const value = checked[key];
    const fallback = fallbacks[key];
    return value === fallback || (typeof value === 'string' && typeof fallback === 'string' && value.toLowerCase() === fallback.toLowerCase());
  };
  const logged: TicketLogChoices = Object.fromEntries(Object.entries(checked).filter(([key, value]) => value !== undefined && !isDefault(key as keyof TicketLogChoices)));
  const keep: Remembered = { ...(await remembered(deps, actor, tenantId)) };
  for (const key of ['minutes', 'workRoleId', 'workTypeId', 'member'] as const) {
    if (checked[key] === undefined) continue;
    if (isDefault(key)) delete keep[key];
    else Object.assign(keep, { [key]: checked[key] });
  }
  await writePreference(deps, actor, preferenceKey(tenantId), keep);
  return logged;
}

/** The logger features beside or below ConnectWise reach through the kernel (see kernel/ticket-work.ts). */
export const ticketWorkLogger: TicketWorkLogger = { check: checkTicketChoices, record: recordTicketWork, start: startTicketWork };
