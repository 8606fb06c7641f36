import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedConnectWise } from '../../../simulators/connectwise/seed.ts';
import { startConnectWiseSimulator } from '../../../simulators/connectwise/server.ts';
import type { RunningConnectWiseSimulator } from '../../../simulators/connectwise/server.ts';

const CLIENT_ID = '3b5a1a8e-5f0e-4c61-9d0e-111111111111';
let cw: RunningConnectWiseSimulator;
const auth = `Basic ${Buffer.from('contoso_msp+demo-public-key:demo-private-key').toString('base64')}`;

beforeAll(async () => {
  cw = await startConnectWiseSimulator({ state: seedConnectWise({ clientId: CLIENT_ID, ticketCount: 60 }) });
});
beforeEach(() => cw.knobs.reset());
afterAll(() => cw.close());

function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${cw.apiUrl}${path}`, { ...init, headers: { authorization: auth, clientId: CLIENT_ID, accept: 'application/json', 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
}
const body = async <T = Record<string, unknown>>(response: Response): Promise<T> => (await response.json()) as T;
const openTicketOn = (timeEntryAllowed: boolean) =>
  cw.state.tickets.find((ticket) => {
    const status = cw.state.statuses.find((candidate) => candidate.id === ticket.status.id);
    return !ticket.closedFlag && status?.timeEntryNotAllowed === !timeEntryAllowed;
  });

describe('ConnectWise simulator: authentication', () => {
  it('needs the clientId header (400) and valid keys (401), in Manage error shape', async () => {
    const noClient = await fetch(`${cw.apiUrl}/service/tickets`, { headers: { authorization: auth } });
    expect(noClient.status).toBe(400);
    expect(await body(noClient)).toMatchObject({ code: 'InvalidClientId' });
    const badKey = await api('/service/tickets', { headers: { authorization: `Basic ${Buffer.from('contoso_msp+demo-public-key:wrong').toString('base64')}` } });
    expect(badKey.status).toBe(401);
    expect(await body(badKey)).toMatchObject({ code: 'Unauthorized', message: expect.any(String) });
  });

  it('serves a request that pins an API version in Accept, and one that names none, and records which', async () => {
    // ConnectWise PSA "API Versioning" (developer.connectwise.com, Best Practices › Versioning):
    // `Accept: application/vnd.connectwise.com+json; version=2019.1` pins the models of that
    // release; "By default all requests will receive the latest version".
    cw.state.apiVersions.clear();
    expect((await api('/service/boards', { headers: { accept: 'application/vnd.connectwise.com+json; version=2025.1' } })).status).toBe(200);
    expect((await api('/service/boards', { headers: { accept: 'application/vnd.connectwise.com+json; version=2021.1, application/json' } })).status).toBe(200);
    expect((await api('/service/boards', { headers: { accept: 'application/json' } })).status).toBe(200);
    expect(Object.fromEntries(cw.state.apiVersions)).toEqual({ '2025.1': 1, '2021.1': 1, latest: 1 });
  });

  it('tells the codebase from /login/companyinfo', async () => {
    const info = await body(await fetch(`${cw.url}/login/companyinfo/contoso_msp`));
    expect(info).toMatchObject({ Codebase: 'v4_6_release/', CompanyID: 'contoso_msp', IsCloud: true });
  });
});

describe('ConnectWise simulator: tickets', () => {
  it('pages 25 by default with Link rel="next"/"last", and first/prev on later pages', async () => {
    const first = await api('/service/tickets');
    expect((await body<unknown[]>(first)).length).toBe(25);
    const link = first.headers.get('link') ?? '';
    expect(link).toContain(`<${cw.apiUrl}/service/tickets?page=2>; rel="next"`);
    expect(link).toContain(`<${cw.apiUrl}/service/tickets?page=3>; rel="last"`);
    const last = await api('/service/tickets?page=3');
    expect((await body<unknown[]>(last)).length).toBe(10);
    expect(last.headers.get('link')).toContain('rel="prev"');
    expect(last.headers.get('link')).not.toContain('rel="next"');
    const big = await api('/service/tickets?pageSize=5000');
    expect((await body<unknown[]>(big)).length).toBe(60);
    expect(big.headers.get('link')).toBeNull();
  });

  it('searches with conditions, orders and projects fields', async () => {
    const conditions = encodeURIComponent('summary like "%Teams%" and closedFlag = false and board/id in (1,2)');
    const response = await api(`/service/tickets?conditions=${conditions}&orderBy=id desc&fields=id,summary,board/id,closedFlag&pageSize=1000`);
    const tickets = await body<Array<{ id: number; summary: string; board: { id: number }; closedFlag: boolean }>>(response);
    expect(tickets.length).toBeGreaterThan(0);
    const expected = cw.state.tickets.filter((ticket) => /teams/i.test(ticket.summary) && !ticket.closedFlag && [1, 2].includes(ticket.board.id)).map((ticket) => ticket.id).sort((a, b) => b - a);
    expect(tickets.map((ticket) => ticket.id)).toEqual(expected);
    expect(Object.keys(tickets[0] ?? {}).sort()).toEqual(['board', 'closedFlag', 'id', 'summary']);
    expect(Object.keys(tickets[0]?.board ?? {})).toEqual(['id']);
  });

  it('answers 400 for a malformed condition and an unknown field', async () => {
    expect((await api(`/service/tickets?conditions=${encodeURIComponent('summary like "%x')}`)).status).toBe(400);
    const unknown = await api(`/service/tickets?conditions=${encodeURIComponent('nosuchfield = 1')}`);
    expect(unknown.status).toBe(400);
    expect(await body(unknown)).toMatchObject({ code: 'InvalidObject', errors: [expect.objectContaining({ message: expect.stringContaining('nosuchfield') })] });
  });

  it('gets one ticket and 404s an unknown one', async () => {
    const ticket = await body(await api('/service/tickets/5000'));
    expect(ticket).toMatchObject({ id: 5000, board: expect.objectContaining({ id: expect.any(Number) }), status: expect.any(Object), company: expect.objectContaining({ identifier: expect.any(String) }) });
    const missing = await api('/service/tickets/1');
    expect(missing.status).toBe(404);
    expect(await body(missing)).toMatchObject({ code: 'NotFound' });
  });

  it('changes status with JSON Patch, closing the ticket for a closed status, refusing another board status', async () => {
    // PATCH /service/tickets/{id} takes a JSON Patch array (connectwise-rest src/Manage/ServiceAPI.ts
    // patchServiceTicketsById(id, patchOperations: Array<PatchOperation>); ConnectWise REST reference,
    // developer.connectwise.com/Products/Manage/REST, Service › Tickets). A status is a board's own: the
    // reference is silent on another board's status, so the simulator refuses it and the app never sends one.
    const ticket = openTicketOn(true);
    const closed = cw.state.statuses.find((status) => status.board.id === ticket?.board.id && status.name === 'Resolved');
    const patched = await api(`/service/tickets/${ticket?.id}`, { method: 'PATCH', body: JSON.stringify([{ op: 'replace', path: 'status', value: { id: closed?.id } }]) });
    expect(patched.status).toBe(200);
    expect(await body(patched)).toMatchObject({ status: { id: closed?.id, name: 'Resolved' }, closedFlag: true });
    const foreign = cw.state.statuses.find((status) => status.board.id !== ticket?.board.id);
    const refused = await api(`/service/tickets/${ticket?.id}`, { method: 'PATCH', body: JSON.stringify([{ op: 'replace', path: 'status/id', value: foreign?.id }]) });
    expect(refused.status).toBe(400);
    expect(await body(refused)).toMatchObject({ code: 'InvalidObject', errors: [expect.objectContaining({ field: 'status' })] });
  });
});

describe('ConnectWise simulator: board statuses', () => {
  it('lists statuses with the flags that decide what may be offered', async () => {
    // GET /service/boards/{id}/statuses (connectwise-rest src/Manage/ServiceAPI.ts, path
    // `/service/boards/${parentId}/statuses`); the BoardStatus model's inactive, closedStatus and
    // timeEntryNotAllowed flags (connectwise-rest src/ManageTypes.ts `interface BoardStatus`) decide
    // which statuses a change form offers: open, active and allowing time.
    const statuses = await body<Array<Record<string, unknown>>>(await api('/service/boards/1/statuses'));
    expect(statuses).toHaveLength(7);
    for (const field of ['id', 'name', 'sortOrder', 'displayOnBoard', 'inactive', 'closedStatus', 'timeEntryNotAllowed', 'defaultFlag', 'escalationStatus', 'board']) expect(statuses[0]).toHaveProperty(field);
    const offerable = statuses.filter((status) => !status.closedStatus && !status.inactive && !status.timeEntryNotAllowed).map((status) => status.name);
    expect(offerable).toEqual(['New', 'In Progress', 'Waiting on Customer']);
    const open = await body<unknown[]>(await api(`/service/boards/1/statuses?conditions=${encodeURIComponent('closedStatus = false and inactive = false')}`));
    expect(open).toHaveLength(4);
    expect((await api('/service/boards/99/statuses')).status).toBe(404);
  });
});

describe('ConnectWise simulator: notes', () => {
  it('creates a note when a flag is set and lists it', async () => {
    const created = await api('/service/tickets/5001/notes', { method: 'POST', body: JSON.stringify({ text: 'Assigned +14255551000 to ada', internalAnalysisFlag: true, member: { identifier: 'jdoe' } }) });
    expect(created.status).toBe(201);
    const note = await body(created);
    expect(note).toMatchObject({ ticketId: 5001, internalAnalysisFlag: true, detailDescriptionFlag: false, member: expect.objectContaining({ identifier: 'jdoe' }) });
    const notes = await body<Array<{ id: number }>>(await api('/service/tickets/5001/notes'));
    expect(notes.map((entry) => entry.id)).toContain(note.id);
  });

  it('refuses a note with none of the three flags (400 InvalidObject)', async () => {
    const refused = await api('/service/tickets/5001/notes', { method: 'POST', body: JSON.stringify({ text: 'nowhere', detailDescriptionFlag: false, internalAnalysisFlag: false, resolutionFlag: false }) });
    expect(refused.status).toBe(400);
    expect(await body(refused)).toMatchObject({ code: 'InvalidObject', errors: [expect.objectContaining({ resource: 'TicketNote' })] });
  });
});

describe('ConnectWise simulator: time entries', () => {
  const entry = (overrides: Record<string, unknown>) => ({
    chargeToId: openTicketOn(true)?.id,
    chargeToType: 'ServiceTicket',
    member: { identifier: 'jdoe' },
    timeStart: '2025-03-03T09:00:00Z',
    timeEnd: '2025-03-03T09:30:00Z',
    notes: 'Teams number assignment',
    ...overrides,
  });
  const post = (payload: Record<string, unknown>) => api('/time/entries', { method: 'POST', body: JSON.stringify(payload) });

  // POST /time/entries: chargeToId + chargeToType ServiceTicket, member, workRole, workType as
  // references, timeStart required, then timeEnd or actualHours (connectwise-rest src/Manage/TimeAPI.ts
  // `/time/entries`; ConnectWiseManageAPI PowerShell module, Public/Time/TimeEntries/New-CWMTimeEntry.ps1:
  // timeStart Mandatory, timeEnd and actualHours optional; developer.connectwise.com/Products/Manage/REST, Time › Entries).
  it("applies the member's default role and type when they are omitted", async () => {
    const created = await post(entry({}));
    expect(created.status).toBe(201);
    expect(await body(created)).toMatchObject({ workRole: { id: 2, name: 'Voice Engineer' }, workType: { id: 1 }, actualHours: 0.5, billableOption: 'Billable', locationId: 1 });
  });

  it('refuses a work role not valid for the member location, with Manage wording', async () => {
    const refused = await post(entry({ member: { identifier: 'asmith' }, workRole: { id: 2 } }));
    expect(refused.status).toBe(400);
    expect(await body(refused)).toMatchObject({ code: 'InvalidObject', errors: [{ code: 'InvalidField', message: 'The default Work Role is not valid for the selected location.', resource: 'TimeEntry', field: 'workRole' }] });
    expect((await post(entry({ member: { identifier: 'asmith' }, workRole: { id: 3 } }))).status).toBe(201);
  });

  it("fails when the member's own default role does not fit their location (the old tool's bug)", async () => {
    const refused = await post(entry({ member: { identifier: 'bwayne' } }));
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await body(refused))).toContain('The default Work Role is not valid for the selected location.');
    expect((await post(entry({ member: { identifier: 'bwayne' }, workRole: { id: 1 } }))).status).toBe(201);
  });

  it('refuses time on a ticket whose status does not allow time entries', async () => {
    const refused = await post(entry({ chargeToId: openTicketOn(false)?.id }));
    expect(refused.status).toBe(400);
    expect(await body(refused)).toMatchObject({ errors: [expect.objectContaining({ message: expect.stringContaining('not allowed') })] });
  });

  it('refuses inactive roles, unknown members and missing times', async () => {
    // Docs are silent on an entry with timeStart alone: the simulator refuses it; the connector always
    // sends timeStart with actualHours (the minutes chosen on the form / 60).
    expect((await post(entry({ workRole: { id: 4 } }))).status).toBe(400);
    expect((await post(entry({ member: { identifier: 'nobody' } }))).status).toBe(400);
    expect((await post(entry({ timeEnd: undefined }))).status).toBe(400);
    expect((await post(entry({ timeEnd: undefined, actualHours: 0.25 }))).status).toBe(201);
  });

  it('logs 45 chosen minutes sent as timeStart and actualHours 0.75, with the chosen work type and member', async () => {
    // Same sources as above: actualHours is the worked time in hours. The docs are silent on whether
    // Manage fills timeEnd from timeStart + actualHours; the simulator does, and nothing we show reads it.
    const created = await post(entry({ timeStart: '2025-03-03T09:00:00Z', timeEnd: undefined, actualHours: 0.75, workType: { id: 3 } }));
    expect(created.status).toBe(201);
    expect(await body(created)).toMatchObject({ actualHours: 0.75, timeStart: '2025-03-03T09:00:00Z', timeEnd: '2025-03-03T09:45:00Z', workType: { id: 3, name: 'Internal Admin' }, member: expect.objectContaining({ identifier: 'jdoe' }) });
  });

  it('lists work roles with their locations, work types and members', async () => {
    // GET /time/workRoles and /time/workTypes (connectwise-rest src/Manage/TimeAPI.ts, paths `/time/workRoles`,
    // `/time/workTypes`, each with inactiveFlag) and GET /system/members with conditions (connectwise-rest
    // src/Manage/SystemAPI.ts `/system/members`): the lists the change form offers, inactive ones left out.
    const roles = await body<Array<{ name: string; locationIds: number[] }>>(await api('/time/workRoles?conditions=inactiveFlag%20=%20false'));
    expect(roles.map((role) => role.name)).toEqual(['Technician', 'Voice Engineer', 'Remote Engineer']);
    expect(roles.find((role) => role.name === 'Voice Engineer')?.locationIds).toEqual([1]);
    expect((await body<unknown[]>(await api('/time/workTypes'))).length).toBe(4);
    const members = await body<Array<{ identifier: string; defaultLocation: { id: number } }>>(await api(`/system/members?conditions=${encodeURIComponent('identifier="asmith"')}`));
    expect(members).toEqual([expect.objectContaining({ identifier: 'asmith', defaultLocation: expect.objectContaining({ id: 2 }) })]);
    expect((await body<unknown[]>(await api('/company/companies'))).length).toBe(4);
  });
});

describe('ConnectWise simulator: knobs', () => {
  it('throttles per company with 429 + Retry-After and injects 503s', async () => {
    cw.knobs.set({ failNext: { count: 1, status: 503 } });
    const failed = await api('/service/boards');
    expect(failed.status).toBe(503);
    expect(await body(failed)).toMatchObject({ code: 'ServiceUnavailable' });
    cw.knobs.set({ throttleRps: 2 });
    const statuses = await Promise.all(Array.from({ length: 6 }, async () => (await api('/service/boards')).status));
    const throttled = statuses.filter((status) => status === 429).length;
    expect(throttled).toBeGreaterThanOrEqual(3);
    expect(throttled + statuses.filter((status) => status === 200).length).toBe(6);
  });
});

describe('ConnectWise simulator: security roles', () => {
  it('answers 403 for a path the API member may not use', async () => {
    cw.state.apiKeys.push({ publicKey: 'limited', privateKey: 'limited-secret', memberIdentifier: 'ucrapi', deniedPaths: ['/time/entries'] });
    const limited = `Basic ${Buffer.from('contoso_msp+limited:limited-secret').toString('base64')}`;
    const denied = await api('/time/entries', { method: 'POST', body: '{}', headers: { authorization: limited } });
    expect(denied.status).toBe(403);
    expect(await body(denied)).toMatchObject({ code: 'Forbidden', message: expect.stringContaining('/time/entries') });
    expect((await api('/service/tickets', { headers: { authorization: limited } })).status).toBe(200);
  });
});
