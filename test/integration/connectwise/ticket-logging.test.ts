import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConnectWise, startConnectWiseSimulator, type RunningConnectWiseSimulator } from '../../../simulators/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('logging voice changes on ConnectWise tickets on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let cw: RunningConnectWiseSimulator;
  let admin: ApiClient;
  let adminId: string;
  let tenantId: string;
  let numbers: Record<string, string>;
  const keys = { companyId: 'contoso_msp', publicKey: 'demo-public-key', privateKey: 'demo-private-key', clientId: '0b7c4a5e-2d1f-4e8a-9c3b-5f6a7d8e9f01' };

  beforeAll(async () => {
    t = await startTestApp(target, {}, { withQueue: true });
    fx = await startTeamsSimulators({ users: 80, seed: 21 });
    cw = await startConnectWiseSimulator({ port: 0, state: seedConnectWise(keys) });
    t.secrets.add(fx.clientSecret);
    t.secrets.add(keys.privateKey);
    const signedIn = await t.signedInAs('admin');
    admin = signedIn.client;
    adminId = signedIn.operatorId;
    ({ tenantId, numbers } = await connectedTenant(admin, fx));
    await admin.patch(`/api/tenants/${tenantId}`, { connectwiseCompanyId: cw.state.companies[1]!.identifier });
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await fx.close();
    await cw.close();
  });

  let nextUser = 0;
  const ready = () => fx.seeded.byProfile.readyForVoice[nextUser++]!;
  let nextNumber = 0;
  const freeNumber = () => Object.keys(numbers)[nextNumber++]!;
  const openTicket = () => cw.state.tickets.find((x) => !x.closedFlag && x.company.identifier === cw.state.companies[1]!.identifier)!;

  async function settle(changeId: string, until: (c: { status: string; ticketLog: { status: string } }) => boolean, tries = 300) {
    for (let i = 0; i < tries; i++) {
      const change = (await admin.get(`/api/tenants/${tenantId}/voice-changes/${changeId}`)).body;
      if (until(change)) return change;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('timed out');
  }
  async function connect(defaults: object) {
    const saved = await admin.request('PUT', `/api/tenants/${tenantId}/connections/connectwise`, { site: 'na.example', ...keys, baseUrl: cw.apiUrl, defaults });
    expect(saved.status).toBe(200);
  }

  it('a change with a ticket adds a note, moves the ticket to the default status and logs time with the member\'s own role', async () => {
    const ticket = openTicket();
    await connect({});
    const offered = (await admin.get(`/api/tenants/${tenantId}/connectwise/tickets/${ticket.id}/statuses`)).body.offered;
    await connect({ statusAfterChangeId: offered[1]?.id ?? offered[0].id, noteFlags: { detailDescriptionFlag: true, internalAnalysisFlag: true, resolutionFlag: false } });
    await admin.patch(`/api/operators/${adminId}`, { connectwiseMember: 'asmith' });
    const user = ready();
    const e164 = freeNumber();
    const started = await admin.post(`/api/tenants/${tenantId}/teams/users/${user.id}/voice`, { number: { numberId: numbers[e164] }, policies: { OnlineVoiceRoutingPolicy: 'US-Domestic' }, ticketId: String(ticket.id) });
    const change = await settle(started.body.id, (c) => c.status !== 'pending' && c.ticketLog.status !== 'queued');
    expect(change).toMatchObject({ status: 'succeeded', ticketLog: { status: 'logged', error: null } });
    const note = cw.state.notes.find((n) => n.ticketId === ticket.id && String(n.text).includes(user.userPrincipalName.toLowerCase()));
    expect(note).toBeTruthy();
    expect(note!.text).toContain(`→ ${e164}`);
    expect(note!.internalAnalysisFlag).toBe(true);
    expect(cw.state.tickets.find((x) => x.id === ticket.id)!.status.id).toBe(offered[1]?.id ?? offered[0].id);
    const entry = cw.state.timeEntries.find((e) => e.chargeToId === ticket.id) as unknown as { workRole?: { name: string }; member: { identifier: string } };
    expect(entry.member.identifier).toBe('asmith');
    expect(entry.workRole?.name).toBe('Remote Engineer'); // omitted by us, Manage applied the member's default
  });

  it('a role not valid for the member\'s location fails the time entry with Manage\'s message; the voice change stays done', async () => {
    await connect({ statusAfterChangeId: null, workRoleId: 2 }); // Voice Engineer: not valid at asmith's Remote Office
    const ticket = openTicket();
    const user = ready();
    const started = await admin.post(`/api/tenants/${tenantId}/teams/users/${user.id}/voice`, { number: { numberId: numbers[freeNumber()] }, ticketId: String(ticket.id) });
    const change = await settle(started.body.id, (c) => c.status !== 'pending' && !['queued', 'retrying'].includes(c.ticketLog.status));
    expect(change.status).toBe('succeeded');
    expect(change.ticketLog.status).toBe('failed');
    expect(change.ticketLog.error).toMatch(/Work Role is not valid for the selected location/);

    // Fixed in the defaults, the engineer retries: the note is not written twice, the time is logged.
    await connect({ workRoleId: null });
    expect((await admin.post(`/api/tenants/${tenantId}/voice-changes/${started.body.id}/ticket-log/retry`)).status).toBe(202);
    const logged = await settle(started.body.id, (c) => c.ticketLog.status === 'logged');
    expect(logged.ticketLog.error).toBeNull();
    const mine = (n: { ticketId: number; text: string }) => n.ticketId === ticket.id && n.text.includes(user.userPrincipalName.toLowerCase());
    expect(cw.state.notes.filter(mine)).toHaveLength(1);
    expect(cw.state.timeEntries.filter((e) => e.chargeToId === ticket.id && e.member.identifier === 'asmith' && e.workRole.name === 'Remote Engineer').length).toBeGreaterThan(0);
    const again = await admin.post(`/api/tenants/${tenantId}/voice-changes/${started.body.id}/ticket-log/retry`);
    expect(again.status).toBe(409);
    const audit = (await admin.get(`/api/audit?ticketId=${ticket.id}&action=ticket.log_retried`)).body.events;
    expect(audit.length).toBeGreaterThan(0);
  });

  it('a default status of another board leaves the ticket\'s status alone and still logs the time', async () => {
    const ticket = openTicket();
    const otherBoard = cw.state.statuses.find((s) => s.board.id !== ticket.board.id && !s.closedStatus && !s.inactive && !s.timeEntryNotAllowed)!;
    await connect({ workRoleId: null, statusAfterChangeId: otherBoard.id });
    const before = cw.state.tickets.find((x) => x.id === ticket.id)!.status.id;
    const user = ready();
    const started = await admin.post(`/api/tenants/${tenantId}/teams/users/${user.id}/voice`, { number: { numberId: numbers[freeNumber()] }, ticketId: String(ticket.id) });
    const change = await settle(started.body.id, (c) => c.status !== 'pending' && !['queued', 'retrying'].includes(c.ticketLog.status));
    expect(change.ticketLog.status).toBe('logged');
    expect(change.ticketLog.error).toMatch(/status was left as it is/);
    expect(cw.state.tickets.find((x) => x.id === ticket.id)!.status.id).toBe(before);
    expect(cw.state.timeEntries.some((e) => e.chargeToId === ticket.id && e.notes.includes(user.userPrincipalName.toLowerCase()))).toBe(true);
  });

  it('a ConnectWise outage never blocks the voice change; the log is retried until ConnectWise is back', async () => {
    await connect({ workRoleId: null, statusAfterChangeId: null });
    cw.knobs.set({ failNext: { count: 12, status: 503 } });
    const ticket = openTicket();
    const user = ready();
    const started = await admin.post(`/api/tenants/${tenantId}/teams/users/${user.id}/voice`, { number: { numberId: numbers[freeNumber()] }, ticketId: String(ticket.id) });
    const done = await settle(started.body.id, (c) => c.status !== 'pending');
    expect(done.status).toBe('succeeded');
    const retrying = await settle(started.body.id, (c) => c.ticketLog.status === 'retrying');
    expect(retrying.ticketLog.error).toMatch(/ConnectWise had a problem|could not be reached/);
    cw.knobs.reset();
    const logged = await settle(started.body.id, (c) => c.ticketLog.status === 'logged', 600);
    expect(logged.ticketLog.status).toBe('logged');
    expect(cw.state.notes.filter((n) => n.ticketId === ticket.id && String(n.text).includes(user.userPrincipalName.toLowerCase()))).toHaveLength(1);
  }, 120_000);
});
