import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConnectWise, startConnectWiseSimulator, type RunningConnectWiseSimulator } from '../../../simulators/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { dumpDatabase, expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('ConnectWise connection and ticket context on %s', (target) => {
  let t: TestApp;
  let sim: RunningConnectWiseSimulator;
  let admin: ApiClient;
  let tenantId: string;
  const keys = { companyId: 'contoso_msp', publicKey: 'demo-public-key', privateKey: 'demo-private-key', clientId: '0b7c4a5e-2d1f-4e8a-9c3b-5f6a7d8e9f01' };

  beforeAll(async () => {
    t = await startTestApp(target);
    sim = await startConnectWiseSimulator({ port: 0, state: seedConnectWise(keys) });
    t.secrets.add(keys.privateKey);
    admin = (await t.signedInAs('admin')).client;
    const company = sim.state.companies[1]!.identifier;
    tenantId = (await admin.post('/api/tenants', { name: 'CW tenant', connectwiseCompanyId: company })).body.id;
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await sim.close();
  });

  it('saves the keys write-only, tests them, and finds only the mapped company\'s open tickets', async () => {
    const saved = await admin.request('PUT', `/api/tenants/${tenantId}/connections/connectwise`, { site: 'na.myconnectwise.example', ...keys, baseUrl: sim.apiUrl, defaults: { boardIds: [] } });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ configured: true, privateKeySet: true });
    expect(JSON.stringify(saved.body)).not.toContain(keys.privateKey);
    expect(await dumpDatabase(t)).not.toContain(keys.privateKey);
    const test = await admin.post(`/api/tenants/${tenantId}/connections/connectwise/test`);
    expect(test.body.ok).toBe(true);
    const company = sim.state.companies[1]!.identifier;
    const tickets = (await admin.get(`/api/tenants/${tenantId}/connectwise/tickets`)).body.tickets as Array<{ company: string; closed: boolean; id: number }>;
    expect(tickets.length).toBeGreaterThan(0);
    expect(tickets.every((x) => x.company === company && !x.closed)).toBe(true);

    const statuses = (await admin.get(`/api/tenants/${tenantId}/connectwise/tickets/${tickets[0]!.id}/statuses`)).body;
    const boardId = sim.state.tickets.find((x) => x.id === tickets[0]!.id)!.board.id;
    const forbidden = sim.state.statuses.filter((s) => s.board.id === boardId && (s.closedStatus || s.inactive || s.timeEntryNotAllowed)).map((s) => s.id);
    expect(forbidden.length).toBeGreaterThan(0);
    expect(statuses.offered.length).toBeGreaterThan(0);
    expect(statuses.offered.some((s: { id: number }) => forbidden.includes(s.id))).toBe(false);
  });

  it('offers only the active boards, roles, types and a board\'s open statuses as default choices, and the members to map operators to', async () => {
    const choices = (await admin.get(`/api/tenants/${tenantId}/connectwise/choices`)).body;
    expect(choices.workRoles.map((r: { name: string }) => r.name)).toEqual(sim.state.workRoles.filter((r) => !r.inactiveFlag).map((r) => r.name));
    expect(choices.workTypes.map((w: { name: string }) => w.name)).not.toContain('Old Type');
    expect(choices.boards.length).toBe(sim.state.boards.length);
    const statuses = (await admin.get(`/api/tenants/${tenantId}/connectwise/boards/1/statuses`)).body.statuses as Array<{ id: number; name: string }>;
    expect(statuses.map((s) => s.name)).toEqual(['New', 'In Progress', 'Waiting on Customer']);
    const members = (await admin.get('/api/connectwise/members?search=smi')).body;
    expect(members).toMatchObject({ sites: 1, members: [{ identifier: 'asmith', name: 'Alex Smith' }], problems: [] });
    const all = (await admin.get('/api/connectwise/members')).body.members.map((m: { identifier: string }) => m.identifier);
    expect(all).not.toContain('oldtimer');
    const viewer = (await t.signedInAs('viewer')).client;
    expect((await viewer.get('/api/connectwise/members')).status).toBe(403);
  });

  it('refuses a note visibility with no flag, and a ticket of another company', async () => {
    const bad = await admin.request('PUT', `/api/tenants/${tenantId}/connections/connectwise`, { site: 'na.myconnectwise.example', ...keys, baseUrl: sim.apiUrl, defaults: { noteFlags: { detailDescriptionFlag: false, internalAnalysisFlag: false, resolutionFlag: false } } });
    expect(bad.status).toBe(400);
    const company = sim.state.companies[1]!.identifier;
    const other = sim.state.tickets.find((x) => x.company.identifier !== company)!;
    const refused = await admin.get(`/api/tenants/${tenantId}/connectwise/tickets/${other.id}/statuses`);
    expect(refused.status).toBe(409);
  });

  it('wrong keys are explained in plain words', async () => {
    await admin.request('PUT', `/api/tenants/${tenantId}/connections/connectwise`, { site: 'na.myconnectwise.example', ...keys, privateKey: 'not-the-key', baseUrl: sim.apiUrl });
    const test = await admin.post(`/api/tenants/${tenantId}/connections/connectwise/test`);
    expect(test.body.ok).toBe(false);
    expect(test.body.steps[0].message).toMatch(/refused the API keys/);
  });
});
