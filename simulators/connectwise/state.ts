// In-memory ConnectWise Manage data: the records the connectors read and write.

export interface Ref {
  id: number;
  name?: string;
  identifier?: string;
}

export interface Company {
  id: number;
  identifier: string;
  name: string;
  status: Ref;
  deletedFlag: boolean;
}

export interface Board {
  id: number;
  name: string;
  inactiveFlag: boolean;
  locationId: number;
}

export interface BoardStatus {
  id: number;
  name: string;
  board: Ref;
  sortOrder: number;
  displayOnBoard: boolean;
  inactive: boolean;
  closedStatus: boolean;
  timeEntryNotAllowed: boolean;
  defaultFlag: boolean;
  escalationStatus: string;
}

export interface Member {
  id: number;
  identifier: string;
  firstName: string;
  lastName: string;
  primaryEmail: string;
  defaultLocation: Ref;
  defaultDepartment: Ref;
  /** The role Manage applies when a time entry names none. */
  defaultWorkRole: Ref | null;
  defaultWorkType: Ref | null;
  inactiveFlag: boolean;
}

export interface WorkRole {
  id: number;
  name: string;
  hourlyRate: number;
  inactiveFlag: boolean;
  /** Locations the role may be used at; empty = all. */
  locationIds: number[];
}

export interface WorkType {
  id: number;
  name: string;
  billTime: 'Billable' | 'DoNotBill' | 'NoCharge' | 'NoDefault';
  inactiveFlag: boolean;
}

export interface Ticket {
  id: number;
  summary: string;
  recordType: 'ServiceTicket';
  board: Ref;
  status: Ref;
  company: Ref;
  contact: Ref | null;
  priority: Ref;
  owner: Ref | null;
  closedFlag: boolean;
  closedDate: string | null;
  dateEntered: string;
  enteredBy: string;
  initialDescription: string;
  _info: { lastUpdated: string; updatedBy: string };
}

export interface TicketNote {
  id: number;
  ticketId: number;
  text: string;
  detailDescriptionFlag: boolean;
  internalAnalysisFlag: boolean;
  resolutionFlag: boolean;
  issueFlag: boolean;
  member: Ref;
  contact: Ref | null;
  customerUpdatedFlag: boolean;
  processNotifications: boolean;
  internalFlag: boolean;
  externalFlag: boolean;
  dateCreated: string;
  createdBy: string;
  _info: { lastUpdated: string; updatedBy: string };
}

export interface TimeEntry {
  id: number;
  company: Ref;
  chargeToId: number;
  chargeToType: 'ServiceTicket';
  member: Ref;
  locationId: number;
  timeStart: string;
  timeEnd: string;
  actualHours: number;
  billableOption: 'Billable' | 'DoNotBill' | 'NoCharge' | 'NoDefault';
  workRole: Ref;
  workType: Ref;
  notes: string;
  internalNotes: string;
  addToDetailDescriptionFlag: boolean;
  addToInternalAnalysisFlag: boolean;
  addToResolutionFlag: boolean;
  ticket: Ref & { summary: string };
  _info: { lastUpdated: string; updatedBy: string };
}

export interface ApiKey {
  publicKey: string;
  privateKey: string;
  /** The API member the key belongs to (author of notes without a member). */
  memberIdentifier: string;
  /** API paths (prefixes, e.g. "/time/entries") the member's security role does not allow: 403. */
  deniedPaths?: string[];
}

export interface ConnectWiseState {
  /** The Manage company id used at login (the part before '+'). */
  companyId: string;
  companyName: string;
  apiKeys: ApiKey[];
  /** Registered clientIds; null accepts any non-empty value. */
  clientIds: Set<string> | null;
  /**
   * API versions requested through `Accept: application/vnd.connectwise.com+json; version=…`
   * (ConnectWise PSA "API Versioning": a request without one gets the latest models), counted;
   * 'latest' for requests that named none.
   */
  apiVersions: Map<string, number>;
  locations: Ref[];
  companies: Company[];
  boards: Board[];
  statuses: BoardStatus[];
  members: Member[];
  workRoles: WorkRole[];
  workTypes: WorkType[];
  tickets: Ticket[];
  notes: TicketNote[];
  timeEntries: TimeEntry[];
  nextId(): number;
}

export function createConnectWiseState(companyId: string, companyName = companyId): ConnectWiseState {
  let counter = 10_000;
  return {
    companyId,
    companyName,
    apiKeys: [],
    clientIds: null,
    apiVersions: new Map(),
    locations: [],
    companies: [],
    boards: [],
    statuses: [],
    members: [],
    workRoles: [],
    workTypes: [],
    tickets: [],
    notes: [],
    timeEntries: [],
    nextId: () => ++counter,
  };
}

export const memberRef = (member: Member): Ref => ({ id: member.id, identifier: member.identifier, name: `${member.firstName} ${member.lastName}` });
