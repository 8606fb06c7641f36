import { seededRandom } from '../shared/seeded-random.ts';
import { createConnectWiseState } from './state.ts';
import type { BoardStatus, ConnectWiseState, Ticket } from './state.ts';

// A deterministic Manage site: companies, boards with realistic statuses (closed, inactive,
// no-time-entry), members at two locations, work roles of which some are location-bound.

export interface ConnectWiseSeedOptions {
  companyId?: string;
  publicKey?: string;
  privateKey?: string;
  clientId?: string | null;
  ticketCount?: number;
  seed?: number;
}

const STATUS_TEMPLATE: Array<Omit<BoardStatus, 'id' | 'board' | 'sortOrder' | 'escalationStatus'>> = [
  { name: 'New', displayOnBoard: true, inactive: false, closedStatus: false, timeEntryNotAllowed: false, defaultFlag: true },
  { name: 'In Progress', displayOnBoard: true, inactive: false, closedStatus: false, timeEntryNotAllowed: false, defaultFlag: false },
  { name: 'Waiting on Customer', displayOnBoard: true, inactive: false, closedStatus: false, timeEntryNotAllowed: false, defaultFlag: false },
  { name: 'Pending Approval', displayOnBoard: true, inactive: false, closedStatus: false, timeEntryNotAllowed: true, defaultFlag: false },
  { name: 'Legacy - Escalated', displayOnBoard: false, inactive: true, closedStatus: false, timeEntryNotAllowed: false, defaultFlag: false },
  { name: 'Resolved', displayOnBoard: true, inactive: false, closedStatus: true, timeEntryNotAllowed: false, defaultFlag: false },
  { name: 'Closed', displayOnBoard: false, inactive: false, closedStatus: true, timeEntryNotAllowed: true, defaultFlag: false },
];

const SUMMARIES = ['Assign Teams number to new starter', 'Move user to UK voice routing', 'Port numbers from old carrier', 'Reception auto attendant change', 'Printer offline', 'New 3CX extension', 'Caller ID wrong on outbound calls', 'Remove number from leaver', 'Teams Phone licence missing', 'Dial plan for Redmond office'];

export function seedConnectWise(options: ConnectWiseSeedOptions = {}): ConnectWiseState {
  const random = seededRandom(options.seed ?? 3);
  const state = createConnectWiseState(options.companyId ?? 'contoso_msp', 'Contoso MSP');
  state.apiKeys.push({ publicKey: options.publicKey ?? 'demo-public-key', privateKey: options.privateKey ?? 'demo-private-key', memberIdentifier: 'ucrapi' });
  if (options.clientId !== null) state.clientIds = options.clientId === undefined ? null : new Set([options.clientId]);

  state.locations.push({ id: 1, name: 'Head Office' }, { id: 2, name: 'Remote Office' });
  state.companies.push(
    { id: 250, identifier: 'ContosoMSP', name: 'Contoso MSP', status: { id: 1, name: 'Active' }, deletedFlag: false },
    { id: 251, identifier: 'Tailspin', name: 'Tailspin Toys', status: { id: 1, name: 'Active' }, deletedFlag: false },
    { id: 252, identifier: 'Fabrikam', name: 'Fabrikam Inc', status: { id: 1, name: 'Active' }, deletedFlag: false },
    { id: 253, identifier: 'Northwind', name: 'Northwind Traders', status: { id: 1, name: 'Active' }, deletedFlag: false },
  );
  state.boards.push({ id: 1, name: 'Voice Services', inactiveFlag: false, locationId: 1 }, { id: 2, name: 'Help Desk', inactiveFlag: false, locationId: 1 }, { id: 3, name: 'Projects', inactiveFlag: false, locationId: 2 });
  let statusId = 100;
  for (const board of state.boards)
    STATUS_TEMPLATE.forEach((template, index) =>
      state.statuses.push({ ...template, id: statusId++, board: { id: board.id, name: board.name }, sortOrder: index, escalationStatus: 'NotResponded' }),
    );

  state.workRoles.push(
    { id: 1, name: 'Technician', hourlyRate: 95, inactiveFlag: false, locationIds: [] },
    { id: 2, name: 'Voice Engineer', hourlyRate: 140, inactiveFlag: false, locationIds: [1] },
    { id: 3, name: 'Remote Engineer', hourlyRate: 120, inactiveFlag: false, locationIds: [2] },
    { id: 4, name: 'Legacy Engineer', hourlyRate: 80, inactiveFlag: true, locationIds: [] },
  );
  state.workTypes.push(
    { id: 1, name: 'Remote Support', billTime: 'Billable', inactiveFlag: false },
    { id: 2, name: 'Onsite', billTime: 'Billable', inactiveFlag: false },
    { id: 3, name: 'Internal Admin', billTime: 'NoCharge', inactiveFlag: false },
    { id: 4, name: 'Old Type', billTime: 'Billable', inactiveFlag: true },
  );
  state.members.push(
    // At Head Office with a Head-Office-only default role: time entries without a role work.
    { id: 10, identifier: 'jdoe', firstName: 'Jane', lastName: 'Doe', primaryEmail: 'jdoe@contoso-msp.example', defaultLocation: { id: 1, name: 'Head Office' }, defaultDepartment: { id: 1, name: 'Voice' }, defaultWorkRole: { id: 2, name: 'Voice Engineer' }, defaultWorkType: { id: 1, name: 'Remote Support' }, inactiveFlag: false },
    // At Remote Office: 'Voice Engineer' is NOT valid for this member's location.
    { id: 11, identifier: 'asmith', firstName: 'Alex', lastName: 'Smith', primaryEmail: 'asmith@contoso-msp.example', defaultLocation: { id: 2, name: 'Remote Office' }, defaultDepartment: { id: 1, name: 'Voice' }, defaultWorkRole: { id: 3, name: 'Remote Engineer' }, defaultWorkType: { id: 1, name: 'Remote Support' }, inactiveFlag: false },
    // The old tool's failure: this member's own default role does not fit their location.
    { id: 12, identifier: 'bwayne', firstName: 'Bruce', lastName: 'Wayne', primaryEmail: 'bwayne@contoso-msp.example', defaultLocation: { id: 2, name: 'Remote Office' }, defaultDepartment: { id: 1, name: 'Voice' }, defaultWorkRole: { id: 2, name: 'Voice Engineer' }, defaultWorkType: { id: 1, name: 'Remote Support' }, inactiveFlag: false },
    { id: 13, identifier: 'ucrapi', firstName: 'UCR', lastName: 'Integration', primaryEmail: 'ucr@contoso-msp.example', defaultLocation: { id: 1, name: 'Head Office' }, defaultDepartment: { id: 1, name: 'Voice' }, defaultWorkRole: { id: 1, name: 'Technician' }, defaultWorkType: { id: 3, name: 'Internal Admin' }, inactiveFlag: false },
    { id: 14, identifier: 'oldtimer', firstName: 'Old', lastName: 'Timer', primaryEmail: 'old@contoso-msp.example', defaultLocation: { id: 1, name: 'Head Office' }, defaultDepartment: { id: 1, name: 'Voice' }, defaultWorkRole: { id: 1, name: 'Technician' }, defaultWorkType: null, inactiveFlag: true },
  );

  const customers = state.companies.slice(1);
  const base = Date.UTC(2025, 0, 6, 9);
  for (let index = 0; index < (options.ticketCount ?? 60); index += 1) {
    const board = random.pick(state.boards);
    const statuses = state.statuses.filter((status) => status.board.id === board.id);
    const status = random.chance(0.7) ? (statuses[random.int(0, 2)] as BoardStatus) : random.pick(statuses);
    const company = random.pick(customers);
    const entered = new Date(base + index * 5 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const ticket: Ticket = {
      id: 5000 + index,
      summary: `${random.pick(SUMMARIES)} (${company.name})`,
      recordType: 'ServiceTicket',
      board: { id: board.id, name: board.name },
      status: { id: status.id, name: status.name },
      company: { id: company.id, identifier: company.identifier, name: company.name },
      contact: random.chance(0.6) ? { id: 900 + index, name: 'Site Contact' } : null,
      priority: { id: 3, name: 'Priority 3 - Normal Response' },
      owner: random.chance(0.5) ? { id: 10, identifier: 'jdoe', name: 'Jane Doe' } : null,
      closedFlag: status.closedStatus,
      closedDate: status.closedStatus ? entered : null,
      dateEntered: entered,
      enteredBy: 'jdoe',
      initialDescription: 'Raised by the customer portal.',
      _info: { lastUpdated: entered, updatedBy: 'jdoe' },
    };
    state.tickets.push(ticket);
  }
  return state;
}
