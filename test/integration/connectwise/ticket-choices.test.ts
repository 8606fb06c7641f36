import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConnectWise, seedThreeCx, startConnectWiseSimulator, startThreeCxSimulator, type RunningConnectWiseSimulator, type RunningThreeCxSimulator } from '../../../simulators/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

// Issue #17 item 1: the ConnectWise choices of a change form (minutes, status, work role and type,
// member), checked before anything changes, remembered per operator, and the one ticket logger
// writing 3CX changes and number lifecycle actions onto their tickets as it does Teams changes.
describe.each(dbTargets())('ConnectWise choices on change forms on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let cw: RunningConnectWiseSimulator;
  let pbx: RunningThreeCxSimulator;
  let admin: ApiClient;
  let adminId: string;
  let tenantId: string;
  let numbers: Record<string, string>;
  const keys = { companyId: 'contoso_msp', publicKey: 'demo-public-key', privateKey: 'demo-private-key', clientId: '0b7c4a5e-2d1f-4e8a-9c3b-5f6a7d8e9f01' };
  const pbxSecret = 'pbx-secret-choices-1';

  beforeAll(async () => {
    t = await startTestApp(target, {}, { withQueue: true });
    fx = await startTeamsSimulators({ users: 60, seed: 23 });
    cw = await startConnectWiseSimulator({ port: 0, state: seedConnectWise(keys) });
    pbx = await startThreeCxSimulator({ port: 0, state: seedThreeCx({ userCount: 20, clientSecret: pbxSecret }) });
    t.secrets.add(fx.clientSecret);
    t.secrets.add(keys.privateKey);
    t.secrets.add(pbxSecret);
    const signedIn = await t.signedInAs('admin');
    admin = signedIn.client;
    adminId = signedIn.operatorId;
    ({ tenantId, numbers } = await connectedTenant(admin, fx));
    await admin.patch(`/api/tenants/${tenantId}`, { connectwiseCompanyId: cw.state.companies[1]!.identifier, overrides: { threecx: true, connectwise: true } });
    const saved = await admin.request('PUT', `/api/tenants/${tenantId}/connections/connectwise`, { site: 'na.example', ...keys, baseUrl: cw.apiUrl, defaults: { workRoleId: 1, workTypeId: 1, defaultMinutes: 30 } });
    expect(saved.status).toBe(200);
    const threecx = await admin.request('PUT', `/api/tenants/${tenantId}/connections/threecx`, { fqdn: 'pbx.customer.example', baseUrl: pbx.url, authMode: 'api_client', clientId: 'ucr-api', clientSecret: pbxSecret });
    expect(threecx.status).toBe(200);
    await admin.patch(`/api/operators/${adminId}`, { connectwiseMember: 'asmith' });
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await fx.close();
    await cw.close();
    await pbx.close();
  });

  let nextUser = 0;
  const ready = () => fx.seeded.byProfile.readyForVoice[nextUser++]!;
  let nextNumber = 0;
  const freeNumber = () => Object.keys(numbers)[nextNumber++]!;
  let nextTicket = 0;
  /** An open ticket of the tenant's company whose status allows time entries, each test its own. */
  const openTicket = () => {
    const usable = cw.state.tickets.filter((x) => !x.closedFlag && x.company.identifier === cw.state.companies[1]!.identifier && !cw.state.statuses.find((s) => s.id === x.status.id)!.timeEntryNotAllowed);
    return usable[nextTicket++]!;
  };
  const statusesOf = (boardId: number) => cw.state.statuses.filter((s) => s.board.id === boardId && !s.closedStatus && !s.inactive && !s.timeEntryNotAllowed);
  async function until<T>(read: () => T | undefined, tries = 300): Promise<T> {
    for (let i = 0; i < tries; i++) {
      const value = read();
      if (value) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('timed out');
  }
  const entriesOn = (ticketId: number) => cw.state.timeEntries.filter((e) => e.chargeToId === ticketId);

  it("offers the ticket's board statuses only, active roles, types and members, with the tenant's and operator's defaults", async () => {
    const ticket = openTicket();
    const options = await admin.get(`/api/tenants/${tenantId}/connectwise/tickets/${ticket.id}/log-options`);
    expect(options.status).toBe(200);
    expect(options.body.statuses.map((s: { id: number }) => s.id)).toEqual(statusesOf(ticket.board.id).map((s) => s.id));
    expect(options.body.workRoles.map((r: { name: string }) => r.name)).not.toContain('Legacy Engineer');
    expect(options.body.workTypes.map((r: { name: string }) => r.name)).not.toContain('Old Type');
    expect(options.body.members.map((m: { identifier: string }) => m.identifier)).not.toContain('oldtimer');
    expect(options.body.defaults).toMatchObject({ minutes: 30, workRoleId: 1, workTypeId: 1, member: 'asmith', statusId: null });
    expect(options.body.tenantMinutes).toBe(30);
  });

  it("the tenant's minutes to log must be whole minutes from 1 to 1440; a refused value changes nothing", async () => {
    for (const defaultMinutes of [0, 1441, 12.5]) {
      const refused = await admin.request('PUT', `/api/tenants/${tenantId}/connections/connectwise`, { site: 'na.example', ...keys, baseUrl: cw.apiUrl, defaults: { workRoleId: 1, workTypeId: 1, defaultMinutes } });
      expect(refused.status, String(defaultMinutes)).toBe(400);
      expect(JSON.stringify(refused.body.error)).toContain('defaultMinutes');
    }
    expect((await admin.get(`/api/tenants/${tenantId}/connections/connectwise`)).body.defaults.defaultMinutes).toBe(30);
  });

  it("a Teams change logs the chosen minutes, status, role, type and member; the choices are remembered for the operator", async () => {
    const ticket = openTicket();
    const status = statusesOf(ticket.board.id).find((s) => s.id !== ticket.status.id)!;
    const user = ready();
    const started = await admin.post(`/api/tenants/${tenantId}/teams/users/${user.id}/voice`, {
      number: { numberId: numbers[freeNumber()] },
      ticketId: String(ticket.id),
      ticketLog: { minutes: 45, statusId: status.id, workRoleId: 1, workTypeId: 3, member: 'jdoe' },
    });
    expect(started.status).toBe(202);
    // Role 1 is the tenant's default: not a choice, so it is not stored (a later fix of the default reaches a retry).
    expect(started.body.ticketLog.choices).toEqual({ minutes: 45, statusId: status.id, workTypeId: 3, member: 'jdoe' });
    const entry = await until(() => entriesOn(ticket.id)[0]);
    expect(entry).toMatchObject({ actualHours: 0.75, member: { identifier: 'jdoe' }, workRole: { name: 'Technician' }, workType: { name: 'Internal Admin' } });
    expect(cw.state.tickets.find((x) => x.id === ticket.id)!.status.id).toBe(status.id);
    const remembered = (await admin.get(`/api/tenants/${tenantId}/connectwise/tickets/${openTicket().id}/log-options`)).body.defaults;
    expect(remembered).toMatchObject({ minutes: 45, workRoleId: 1, workTypeId: 3, member: 'jdoe' });
  });

  it("'leave as is' keeps the ticket's status; left-out choices take the defaults", async () => {
    const ticket = openTicket();
    const before = ticket.status.id;
    const user = ready();
    const started = await admin.post(`/api/tenants/${tenantId}/teams/users/${user.id}/voice`, { number: { numberId: numbers[freeNumber()] }, ticketId: String(ticket.id), ticketLog: { statusId: null } });
    expect(started.status).toBe(202);
    await until(() => entriesOn(ticket.id)[0]);
    expect(cw.state.tickets.find((x) => x.id === ticket.id)!.status.id).toBe(before);
  });

  it('a status of another board, an inactive role or an unknown member is refused with the reason and changes nothing', async () => {
    const ticket = openTicket();
    const foreign = cw.state.statuses.find((s) => s.board.id !== ticket.board.id && !s.closedStatus && !s.inactive)!;
    const user = ready();
    const e164 = freeNumber();
    const changesBefore = (await admin.get(`/api/tenants/${tenantId}/voice-changes?userId=${user.id}`)).body.changes.length;
    const refused = await admin.post(`/api/tenants/${tenantId}/teams/users/${user.id}/voice`, { number: { numberId: numbers[e164] }, ticketId: String(ticket.id), ticketLog: { statusId: foreign.id } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(new RegExp(`Status ${foreign.id} is not an open status of ${ticket.board.name}`));
    expect(refused.body.error.fields?.[0]?.field ?? refused.body.error.details?.fields?.[0]?.field).toBe('ticketLog.statusId');
    const inactiveRole = await admin.post(`/api/tenants/${tenantId}/teams/users/${user.id}/voice`, { number: { numberId: numbers[e164] }, ticketId: String(ticket.id), ticketLog: { workRoleId: 4 } });
    expect(inactiveRole.status).toBe(400);
    expect(inactiveRole.body.error.message).toMatch(/Work role 4 is not an active work role/);
    const unknownMember = await admin.post(`/api/tenants/${tenantId}/teams/users/${user.id}/voice`, { number: { numberId: numbers[e164] }, ticketId: String(ticket.id), ticketLog: { member: 'oldtimer' } });
    expect(unknownMember.status).toBe(400);
    expect(unknownMember.body.error.message).toMatch(/no active member "oldtimer"/);
    const noTicket = await admin.post(`/api/tenants/${tenantId}/teams/users/${user.id}/voice`, { number: { numberId: numbers[e164] }, ticketLog: { minutes: 15 } });
    expect(noTicket.status).toBe(400);
    expect((await admin.get(`/api/tenants/${tenantId}/voice-changes?userId=${user.id}`)).body.changes).toHaveLength(changesBefore);
    expect((await admin.get(`/api/tenants/${tenantId}/numbers/${numbers[e164]}`)).body.status).toBe('available');
    expect(entriesOn(ticket.id)).toHaveLength(0);
  });

  it('a 3CX extension change with a ticket gets a note, the status and a time entry', async () => {
    const ticket = openTicket();
    const status = statusesOf(ticket.board.id).find((s) => s.id !== ticket.status.id)!;
    const created = await admin.post(`/api/tenants/${tenantId}/threecx/extensions`, { number: '7301', firstName: 'Grace', lastName: 'Hopper', ticketId: String(ticket.id), ticketLog: { statusId: status.id, minutes: 20 } });
    expect(created.status).toBe(201);
    const entry = await until(() => entriesOn(ticket.id)[0]);
    // Left out, the member is the operator's mapped one (the form preselects the remembered one and sends it).
    expect(entry).toMatchObject({ actualHours: 0.33, member: { identifier: 'asmith' } });
    expect(String(entry.notes)).toContain('3CX extension 7301 (Grace Hopper) created');
    expect(cw.state.notes.some((n) => n.ticketId === ticket.id && String(n.text).includes('3CX extension 7301'))).toBe(true);
    expect(cw.state.tickets.find((x) => x.id === ticket.id)!.status.id).toBe(status.id);
    const foreign = cw.state.statuses.find((s) => s.board.id !== ticket.board.id && !s.closedStatus && !s.inactive)!;
    const refused = await admin.post(`/api/tenants/${tenantId}/threecx/extensions`, { number: '7302', ticketId: String(ticket.id), ticketLog: { statusId: foreign.id } });
    expect(refused.status).toBe(400);
    expect(pbx.state.users.some((u) => u.Number === '7302')).toBe(false);
    const audit = (await admin.get(`/api/audit?ticketId=${ticket.id}&action=ticket.logged`)).body.events;
    expect(audit.some((e: { targetType: string }) => e.targetType === 'ticket_log')).toBe(true);
  });

  it('a number lifecycle action with a ticket is logged there; a bad choice leaves the number as it was', async () => {
    const ticket = openTicket();
    const e164 = freeNumber();
    const refused = await admin.post(`/api/tenants/${tenantId}/numbers/${numbers[e164]}/lifecycle`, { action: 'block', reason: 'Fraud', ticketId: String(ticket.id), ticketLog: { workTypeId: 4 } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/Work type 4 is not an active work type/);
    expect((await admin.get(`/api/tenants/${tenantId}/numbers/${numbers[e164]}`)).body.status).toBe('available');
    const blocked = await admin.post(`/api/tenants/${tenantId}/numbers/${numbers[e164]}/lifecycle`, { action: 'block', reason: 'Fraud', ticketId: String(ticket.id), ticketLog: { minutes: 15, member: 'asmith', statusId: null } });
    expect(blocked.status).toBe(200);
    const entry = await until(() => entriesOn(ticket.id)[0]);
    expect(entry).toMatchObject({ actualHours: 0.25, member: { identifier: 'asmith' } });
    expect(String(entry.notes)).toContain(`Number ${e164} blocked in the inventory. Reason: Fraud.`);
    expect(cw.state.tickets.find((x) => x.id === ticket.id)!.status.id).toBe(ticket.status.id);
  });
});
