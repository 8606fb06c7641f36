import type { Logger } from 'pino';
import type { RetryPolicy } from '../shared/resilient-fetch.ts';
import { ConnectWiseClient, ConnectWiseError, type ConnectWiseCredentials } from './client.ts';
import { z } from 'zod';
import { board, boardStatus, created, isOfferableStatus, member, ticket, workRole, workType, type BoardStatus, type Ticket } from './schemas.ts';

const withText = z.object({ id: z.number(), text: z.string().nullish() }).passthrough();
const withNotes = z.object({ id: z.number(), notes: z.string().nullish() }).passthrough();

/** A string inside a Manage `conditions` expression: double-quoted, inner quotes escaped. */
export function conditionString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export type TicketSearch = { text?: string | undefined; ticketId?: number | undefined; companyIdentifier?: string | undefined; boardIds?: number[] | undefined; openOnly?: boolean | undefined; limit?: number | undefined };

export type NoteFlags = { detailDescriptionFlag: boolean; internalAnalysisFlag: boolean; resolutionFlag: boolean };
export type BillableOption = 'Billable' | 'DoNotBill' | 'NoCharge' | 'NoDefault';

/** The ConnectWise Manage operations UCR Manager performs for ticket work (F1–F4). */
export class ManageApi {
  readonly client: ConnectWiseClient;

  constructor(credentials: ConnectWiseCredentials, log: Logger, policy?: RetryPolicy) {
    this.client = new ConnectWiseClient(credentials, log, policy);
  }

  searchTickets(search: TicketSearch): Promise<Ticket[]> {
    const parts: string[] = [];
    if (search.ticketId) parts.push(`id = ${search.ticketId}`);
    if (search.text) parts.push(`summary like ${conditionString(`%${search.text}%`)}`);
    if (search.companyIdentifier) parts.push(`company/identifier = ${conditionString(search.companyIdentifier)}`);
    if (search.boardIds?.length) parts.push(`board/id in (${search.boardIds.map((id) => Math.trunc(id)).join(',')})`);
    if (search.openOnly !== false) parts.push('closedFlag = false');
    const query = new URLSearchParams({ orderBy: 'id desc', ...(parts.length ? { conditions: parts.join(' and ') } : {}) });
    return this.client.list(`/service/tickets?${query.toString()}`, ticket, search.limit ?? 50);
  }

  async getTicket(id: number): Promise<Ticket> {
    return (await this.client.request('GET', `/service/tickets/${id}`, ticket)).data;
  }

  boardStatuses(boardId: number): Promise<BoardStatus[]> {
    return this.client.list(`/service/boards/${boardId}/statuses`, boardStatus, 1000);
  }

  /** Statuses a ticket may be moved to (F2): not closed, not inactive, time entry allowed. */
  async offerableStatuses(boardId: number): Promise<BoardStatus[]> {
    return (await this.boardStatuses(boardId)).filter(isOfferableStatus).sort((a, b) => (a.sortOrder ?? 0) - (b.sortOrder ?? 0));
  }

  async setTicketStatus(ticketId: number, statusId: number): Promise<Ticket> {
    const current = await this.getTicket(ticketId);
    const allowed = current.board?.id ? await this.offerableStatuses(current.board.id) : [];
    if (!allowed.some((s) => s.id === statusId)) {
      throw new ConnectWiseError('That status is closed, inactive or does not allow time entries on this board; pick one of the offered statuses.', 400, 'connectwise_status_not_allowed');
    }
    return (await this.client.request('PATCH', `/service/tickets/${ticketId}`, ticket, [{ op: 'replace', path: 'status', value: { id: statusId } }])).data;
  }

  async addNote(ticketId: number, text: string, flags: NoteFlags, memberIdentifier?: string): Promise<number> {
    if (!flags.detailDescriptionFlag && !flags.internalAnalysisFlag && !flags.resolutionFlag) throw new ConnectWiseError('A ticket note needs at least one of: discussion, internal analysis, resolution.', 400, 'connectwise_refused');
    const body = { text, ...flags, ...(memberIdentifier ? { member: { identifier: memberIdentifier } } : {}) };
    return (await this.client.request('POST', `/service/tickets/${ticketId}/notes`, created, body)).data.id;
  }

  /**
   * A time entry on a ticket (F4). Work role and type are sent only when chosen; left out,
   * Manage applies the member's own defaults — never a hard-coded role that may not be valid
   * for the member's location.
   */
  async addTimeEntry(input: {
    ticketId: number;
    memberIdentifier: string;
    timeStart: Date;
    timeEnd?: Date | undefined;
    actualHours?: number | undefined;
    workRoleId?: number | null | undefined;
    workTypeId?: number | null | undefined;
    billableOption?: BillableOption | null | undefined;
    notes: string;
  }): Promise<number> {
    const body = {
      chargeToId: input.ticketId,
      chargeToType: 'ServiceTicket',
      member: { identifier: input.memberIdentifier },
      timeStart: input.timeStart.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...(input.timeEnd ? { timeEnd: input.timeEnd.toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
      ...(input.actualHours !== undefined ? { actualHours: input.actualHours } : {}),
      ...(input.workRoleId ? { workRole: { id: input.workRoleId } } : {}),
      ...(input.workTypeId ? { workType: { id: input.workTypeId } } : {}),
      ...(input.billableOption ? { billableOption: input.billableOption } : {}),
      notes: input.notes,
    };
    return (await this.client.request('POST', '/time/entries', created, body)).data.id;
  }

  /**
   * Whether the ticket already has a note containing `marker` (a retry after a write whose answer
   * was lost). Manage does not filter on a note's text, so the newest notes are read and searched here.
   */
  async hasNote(ticketId: number, marker: string): Promise<boolean> {
    const notes = await this.client.list(`/service/tickets/${ticketId}/notes?orderBy=${encodeURIComponent('id desc')}`, withText, 200);
    return notes.some((n) => n.text?.includes(marker));
  }

  /** Whether the ticket already has a time entry whose notes contain `marker`. */
  async hasTimeEntry(ticketId: number, marker: string): Promise<boolean> {
    const query = new URLSearchParams({ conditions: `chargeToId = ${Math.trunc(ticketId)} and chargeToType = "ServiceTicket"`, orderBy: 'id desc' });
    const entries = await this.client.list(`/time/entries?${query.toString()}`, withNotes, 200);
    return entries.some((e) => e.notes?.includes(marker));
  }

  workRoles() {
    return this.client.list('/time/workRoles?conditions=inactiveFlag%20%3D%20false', workRole, 1000);
  }

  workTypes() {
    return this.client.list('/time/workTypes?conditions=inactiveFlag%20%3D%20false', workType, 1000);
  }

  boards() {
    return this.client.list('/service/boards', board, 1000);
  }

  async member(identifier: string) {
    return (await this.client.list(`/system/members?${new URLSearchParams({ conditions: `identifier = ${conditionString(identifier)}` }).toString()}`, member, 1))[0];
  }
}
