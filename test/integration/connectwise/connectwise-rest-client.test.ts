/**
 * Proof with a real third-party client (the npm package `connectwise-rest`, ManageAPI): it reads
 * back from the ConnectWise simulator what UCR Manager wrote on a ticket after a voice change
 * (note, status, time entry with the tenant's role and type), searches with string conditions
 * and writes a note of its own. If the simulator spoke a dialect of its own, this would fail.
 *
 * `connectwise-rest` speaks HTTPS only, so the same simulated Manage site (one state) listens
 * twice: over TLS with a self-signed certificate for the client, over plain HTTP for the app.
 */
import { ManageAPI } from 'connectwise-rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConnectWise, startConnectWiseSimulator, type RunningConnectWiseSimulator } from '../../../simulators/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

const keys = { companyId: 'contoso_msp', publicKey: 'demo-public-key', privateKey: 'demo-private-key', clientId: '3f0c7a9e-1b2d-4c5e-8f90-a1b2c3d4e5f6' };

describe.each(dbTargets())('connectwise-rest reads what UCR Manager logged on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let plain: RunningConnectWiseSimulator;
  let tls: RunningConnectWiseSimulator;
  let manage: ManageAPI;
  let admin: ApiClient;
  let tenantId: string;
  let numbers: Record<string, string>;
  const previousTlsSetting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

  beforeAll(async () => {
    const state = seedConnectWise(keys);
    plain = await startConnectWiseSimulator({ port: 0, state });
    tls = await startConnectWiseSimulator({ port: 0, tls: true, state });
    // Only the third-party client uses the TLS listener with its self-signed certificate.
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    manage = new ManageAPI({ ...keys, companyUrl: new URL(tls.url).host, entryPoint: 'v4_6_release', logger: () => {} });

    t = await startTestApp(target, {}, { withQueue: true });
    fx = await startTeamsSimulators({ users: 40, seed: 33 });
    t.secrets.add(fx.clientSecret);
    t.secrets.add(keys.privateKey);
    const signedIn = await t.signedInAs('admin');
    admin = signedIn.client;
    ({ tenantId, numbers } = await connectedTenant(admin, fx));
    await admin.patch(`/api/tenants/${tenantId}`, { connectwiseCompanyId: 'Tailspin' });
    // Jane Doe works at Head Office, where the Voice Engineer role is allowed.
    await admin.patch(`/api/operators/${signedIn.operatorId}`, { connectwiseMember: 'jdoe' });
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await fx.close();
    await plain.close();
    await tls.close();
    if (previousTlsSetting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTlsSetting;
  });

  it('searches with string conditions exactly as the app does', async () => {
    const found = await manage.ServiceAPI.getServiceTickets({ conditions: 'company/identifier = "Tailspin" and closedFlag = false and board/id in (1,2)', orderBy: 'id desc', pageSize: 1000 });
    const expected = plain.state.tickets.filter((x) => x.company.identifier === 'Tailspin' && !x.closedFlag && [1, 2].includes(x.board.id)).map((x) => x.id).sort((a, b) => b - a);
    expect(expected.length).toBeGreaterThan(0);
    expect(found.map((x) => x.id)).toEqual(expected);
    // connectwise-rest pins its own API version in Accept (2021.1 by default); the simulator serves it.
    expect(tls.state.apiVersions.get('2021.1')).toBeGreaterThan(0);
    // The app's own search (through its connector) agrees with the third-party client.
    await admin.request('PUT', `/api/tenants/${tenantId}/connections/connectwise`, { site: 'na.example', ...keys, baseUrl: plain.apiUrl, defaults: { boardIds: [1, 2] } });
    const ours = (await admin.get(`/api/tenants/${tenantId}/connectwise/tickets`)).body.tickets as Array<{ id: number }>;
    expect(ours.map((x) => x.id)).toEqual(expected.slice(0, 50));
  });

  it('finds the note, the new status and the time entry with the chosen role and type that a voice change left on the ticket', async () => {
    const ticket = plain.state.tickets.find((x) => x.company.identifier === 'Tailspin' && !x.closedFlag && x.board.id === 1 && !plain.state.statuses.find((s) => s.id === x.status.id)!.timeEntryNotAllowed)!;
    const offered = (await admin.get(`/api/tenants/${tenantId}/connectwise/tickets/${ticket.id}/statuses`)).body.offered as Array<{ id: number; name: string }>;
    const target = offered.find((s) => s.id !== ticket.status.id)!;
    const role = plain.state.workRoles.find((r) => r.name === 'Voice Engineer')!;
    const type = plain.state.workTypes.find((w) => w.name === 'Onsite')!;
    const saved = await admin.request('PUT', `/api/tenants/${tenantId}/connections/connectwise`, {
      site: 'na.example',
      ...keys,
      baseUrl: plain.apiUrl,
      defaults: { boardIds: [1, 2], statusAfterChangeId: target.id, workRoleId: role.id, workTypeId: type.id, billableOption: 'DoNotBill', noteFlags: { detailDescriptionFlag: false, internalAnalysisFlag: true, resolutionFlag: false } },
    });
    expect(saved.status).toBe(200);

    const user = fx.seeded.byProfile.readyForVoice[0]!;
    const e164 = Object.keys(numbers)[0]!;
    const started = await admin.post(`/api/tenants/${tenantId}/teams/users/${user.id}/voice`, { number: { numberId: numbers[e164] }, ticketId: String(ticket.id) });
    expect(started.status).toBe(202);
    let change: { status: string; ticketLog: { status: string; error: string | null } } | undefined;
    for (let i = 0; i < 300; i++) {
      change = (await admin.get(`/api/tenants/${tenantId}/voice-changes/${started.body.id}`)).body;
      if (change!.status !== 'pending' && !['queued', 'retrying'].includes(change!.ticketLog.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(change).toMatchObject({ status: 'succeeded', ticketLog: { status: 'logged', error: null } });

    const notes = await manage.ServiceAPI.getServiceTicketsByParentIdNotes(ticket.id);
    const note = notes.find((n) => n.text?.includes(`→ ${e164}`));
    expect(note).toMatchObject({ internalAnalysisFlag: true, detailDescriptionFlag: false, member: { identifier: 'jdoe' } });

    const read = await manage.ServiceAPI.getServiceTicketsById(ticket.id);
    expect(read.status).toMatchObject({ id: target.id, name: target.name });

    const entries = await manage.TimeAPI.getTimeEntries({ conditions: `chargeToId = ${ticket.id} and chargeToType = "ServiceTicket"` });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ member: { identifier: 'jdoe' }, workRole: { id: role.id, name: 'Voice Engineer' }, workType: { id: type.id, name: 'Onsite' }, billableOption: 'DoNotBill' });
    expect(entries[0]!.actualHours).toBeGreaterThan(0);
  });

  it('writes a note the simulator keeps, with the member and flags it was given', async () => {
    const ticket = plain.state.tickets.find((x) => !x.closedFlag)!;
    const created = await manage.ServiceAPI.postServiceTicketsByParentIdNotes(ticket.id, { text: 'Checked by connectwise-rest', internalAnalysisFlag: true, member: { identifier: 'asmith' } } as never);
    const stored = plain.state.notes.find((n) => n.id === created.id);
    expect(stored).toMatchObject({ ticketId: ticket.id, text: 'Checked by connectwise-rest', internalAnalysisFlag: true, detailDescriptionFlag: false, member: { identifier: 'asmith' } });
  });
});
