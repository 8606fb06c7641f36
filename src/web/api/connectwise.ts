/**
 * ConnectWise Manage: the tenant's connection and ticket defaults, the lists the defaults are
 * chosen from, ticket search for the work context, and the members operators are mapped to.
 */
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { ConnectWiseConnectionDto, ConnectWiseDefaultsDto } from '../../features/connectwise/schemas.ts';
import { api } from './client.ts';
import { tenantApi } from './inventory.ts';

export type { ConnectWiseConnectionDto, ConnectWiseDefaultsDto };
export type ConnectWiseInput = { site: string; companyId: string; publicKey: string; privateKey?: string; clientId: string; baseUrl?: string; defaults?: Partial<ConnectWiseDefaultsDto> };
export type ConnectWiseCheckDto = { ok: boolean; steps: Array<{ name: string; ok: boolean; message: string }> };
export type Choice = { id: number; name: string };
export type ConnectWiseChoicesDto = { boards: Choice[]; workRoles: Choice[]; workTypes: Array<Choice & { billTime: string | null }> };
export type TicketDto = { id: number; summary: string; board: Choice | null; status: Choice | null; company: string | null; closed: boolean };
export type MemberDto = { identifier: string; name: string };

export const connectWiseKeys = {
  connection: (tenantId: string) => ['connectwise', tenantId, 'connection'] as const,
  choices: (tenantId: string) => ['connectwise', tenantId, 'choices'] as const,
  boardStatuses: (tenantId: string, boardId: number) => ['connectwise', tenantId, 'board-statuses', boardId] as const,
  tickets: (tenantId: string, term: string) => ['connectwise', tenantId, 'tickets', term] as const,
  members: ['connectwise', 'members'] as const,
};

const t = tenantApi;

export const connectWiseConnectionQuery = (tenantId: string) =>
  queryOptions({ queryKey: connectWiseKeys.connection(tenantId), queryFn: () => api.get<ConnectWiseConnectionDto>(`${t(tenantId)}/connections/connectwise`) });

export const connectWiseChoicesQuery = (tenantId: string, enabled: boolean) =>
  queryOptions({ queryKey: connectWiseKeys.choices(tenantId), queryFn: () => api.get<ConnectWiseChoicesDto>(`${t(tenantId)}/connectwise/choices`), enabled, staleTime: 60_000, retry: false });

export const boardStatusesQuery = (tenantId: string, boardId: number) =>
  queryOptions({
    queryKey: connectWiseKeys.boardStatuses(tenantId, boardId),
    queryFn: async () => (await api.get<{ statuses: Choice[] }>(`${t(tenantId)}/connectwise/boards/${boardId}/statuses`)).statuses,
    staleTime: 60_000,
  });

/** Open tickets of the tenant's company; a number searches by ticket id, words by summary. */
export const ticketSearchQuery = (tenantId: string, term: string, enabled: boolean) =>
  queryOptions({
    queryKey: connectWiseKeys.tickets(tenantId, term),
    queryFn: async ({ signal }) => {
      const params = new URLSearchParams();
      const trimmed = term.trim().replace(/^#/, '');
      if (/^\d{1,12}$/.test(trimmed)) params.set('ticketId', trimmed);
      else if (trimmed) params.set('search', trimmed);
      return (await api.get<{ tickets: TicketDto[] }>(`${t(tenantId)}/connectwise/tickets?${params.toString()}`, signal)).tickets;
    },
    enabled,
    placeholderData: keepPreviousData,
    staleTime: 15_000,
    retry: false,
  });

export const membersQuery = queryOptions({
  queryKey: connectWiseKeys.members,
  queryFn: () => api.get<{ sites: number; members: MemberDto[]; problems: string[] }>('/api/connectwise/members'),
  staleTime: 60_000,
  retry: false,
});

export const connectWiseApi = {
  save: (tenantId: string, input: ConnectWiseInput) => api.put<ConnectWiseConnectionDto>(`${t(tenantId)}/connections/connectwise`, input),
  test: (tenantId: string) => api.post<ConnectWiseCheckDto>(`${t(tenantId)}/connections/connectwise/test`),
  deleteConnection: (tenantId: string) => api.delete<ConnectWiseConnectionDto>(`${t(tenantId)}/connections/connectwise`),
  retryTicketLog: (tenantId: string, changeId: string) => api.post<{ ok: true }>(`${t(tenantId)}/voice-changes/${encodeURIComponent(changeId)}/ticket-log/retry`),
};

/** What a change sends for its ticket's time entry and status (left out: the defaults); statusId null leaves the status as is. */
export type TicketLogChoicesDto = { minutes?: number; statusId?: number | null; workRoleId?: number | null; workTypeId?: number | null; member?: string };
export type TicketLogOptionsDto = {
  ticket: { id: number; summary: string; board: Choice | null; status: Choice | null };
  statuses: Choice[];
  workRoles: Choice[];
  workTypes: Choice[];
  members: MemberDto[];
  tenantMinutes: number | null;
  defaults: { minutes: number | null; statusId: number | null; workRoleId: number | null; workTypeId: number | null; member: string | null };
};

export const ticketLogOptionsQuery = (tenantId: string, ticketId: string) =>
  queryOptions({
    queryKey: ['connectwise', tenantId, 'log-options', ticketId] as const,
    queryFn: () => api.get<TicketLogOptionsDto>(`${t(tenantId)}/connectwise/tickets/${encodeURIComponent(ticketId)}/log-options`),
    staleTime: 30_000,
    retry: false,
  });

/** The body fields of a change's ticket: its number and, once a ticket is chosen, the ConnectWise choices. */
export function ticketBody(ticketId: string, choices: TicketLogChoicesDto | null): { ticketId?: string; ticketLog?: TicketLogChoicesDto } {
  const id = ticketId.trim();
  if (!id) return {};
  return { ticketId: id, ...(choices ? { ticketLog: choices } : {}) };
}
