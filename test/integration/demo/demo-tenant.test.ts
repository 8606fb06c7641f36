import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemoStates, DEMO, startConnectWiseSimulator, startEntraSimulator, startGraphSimulator, type RunningConnectWiseSimulator, type RunningEntraSimulator, type RunningGraphSimulator } from '../../../simulators/index.ts';
import { connectDemoTenant, seedDemoTenant } from '../../../src/features/demo/demo-tenant.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('demo tenant on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => {
    await t.close();
  });

  it('is seeded once, clearly labelled, with numbers in every status', async () => {
    const { client } = await t.signedInAs('admin');
    expect(await seedDemoTenant(t.deps)).toBe(true);
    expect(await seedDemoTenant(t.deps)).toBe(false);
    const demo = (await client.get('/api/tenants')).body.tenants.find((x: { isDemo: boolean }) => x.isDemo);
    expect(demo).toMatchObject({ name: 'Contoso (demo)', primaryDomain: 'contoso.example' });
    const utilisation = (await client.get(`/api/tenants/${demo.id}/utilisation`)).body;
    // Assigned numbers come from the (simulated) Teams tenant once connected; see the demo start test.
    for (const status of ['available', 'reserved', 'cooling', 'blocked', 'retired']) expect(utilisation.counts[status], status).toBeGreaterThan(0);
    const total = Object.values(utilisation.counts as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(total).toBe(303);
    expect(utilisation.ranges).toHaveLength(2);
    expect((await client.get(`/api/tenants/${demo.id}/numbers?search=reception`)).body.numbers).toHaveLength(1);
  });
});

describe.each(dbTargets())('demo tenant wired to the built-in ConnectWise on %s', (target) => {
  let t: TestApp;
  let cw: RunningConnectWiseSimulator;
  beforeAll(async () => {
    cw = await startConnectWiseSimulator({ port: 0, state: buildDemoStates().connectwise });
    t = await startTestApp(target, { UCR_DEMO_CONNECTWISE_URL: cw.url });
    t.secrets.add('demo-private-key');
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await cw.close();
  });

  it('connects "Contoso (demo)" to the simulator with defaults from its lists, and finds its open tickets', async () => {
    const { client } = await t.signedInAs('admin');
    await seedDemoTenant(t.deps);
    await connectDemoTenant(t.deps);
    const demo = (await client.get('/api/tenants')).body.tenants.find((x: { isDemo: boolean }) => x.isDemo);
    expect(demo.connectwiseCompanyId).toBe('Contoso');
    const connection = (await client.get(`/api/tenants/${demo.id}/connections/connectwise`)).body;
    const board = cw.state.boards.find((b) => b.name === 'Voice Services')!;
    const inProgress = cw.state.statuses.find((s) => s.board.id === board.id && s.name === 'In Progress')!;
    expect(connection).toMatchObject({
      configured: true,
      privateKeySet: true,
      companyId: 'contoso_msp',
      baseUrl: `${cw.url}/v4_6_release/apis/3.0`,
      defaults: { boardIds: [board.id], statusAfterChangeId: inProgress.id, workRoleId: null, workTypeId: cw.state.workTypes.find((w) => w.name === 'Remote Support')!.id, billableOption: 'Billable' },
    });
    expect(JSON.stringify(connection)).not.toContain('demo-private-key');
    expect((await client.post(`/api/tenants/${demo.id}/connections/connectwise/test`)).body.ok).toBe(true);

    const tickets = (await client.get(`/api/tenants/${demo.id}/connectwise/tickets`)).body.tickets as Array<{ id: number; company: string; closed: boolean; board: { id: number } }>;
    const expected = cw.state.tickets.filter((x) => x.company.identifier === 'Contoso' && !x.closedFlag && x.board.id === board.id).map((x) => x.id);
    expect(expected.length).toBeGreaterThan(2);
    expect(tickets.map((x) => x.id).sort()).toEqual(expected.sort());

    // Some admin is mapped to a simulated member, so time is logged in the demo out of the box.
    const operators = (await client.get('/api/operators')).body.operators as Array<{ id: string; role: string; connectwiseMember: string | null }>;
    expect(operators.some((o) => o.role === 'admin' && o.connectwiseMember === 'jdoe')).toBe(true);
  });

  it('a restart follows the simulator to its new address and keeps the chosen defaults', async () => {
    const { client } = await t.signedInAs('admin');
    const demo = (await client.get('/api/tenants')).body.tenants.find((x: { isDemo: boolean }) => x.isDemo);
    const put = await client.request('PUT', `/api/tenants/${demo.id}/connections/connectwise`, { site: 'old.example', companyId: 'contoso_msp', publicKey: 'demo-public-key', clientId: 'x', baseUrl: 'http://127.0.0.1:1/v4_6_release/apis/3.0', defaults: { workRoleId: 1 } });
    expect(put.status).toBe(200);
    await connectDemoTenant(t.deps);
    const connection = (await client.get(`/api/tenants/${demo.id}/connections/connectwise`)).body;
    expect(connection.baseUrl).toBe(`${cw.url}/v4_6_release/apis/3.0`);
    expect(connection.defaults.workRoleId).toBe(1);
    expect((await client.post(`/api/tenants/${demo.id}/connections/connectwise/test`)).body.ok).toBe(true);
  });
});

describe.each(dbTargets())('demo tenant wired to the built-in Teams on %s', (target) => {
  let t: TestApp;
  let entra: RunningEntraSimulator;
  let graph: RunningGraphSimulator;
  let states: ReturnType<typeof buildDemoStates>;
  beforeAll(async () => {
    states = buildDemoStates();
    entra = await startEntraSimulator({ port: 0, state: states.entra });
    graph = await startGraphSimulator({ port: 0, state: states.graph, trust: entra, knobs: { operationDelayMs: 50 } });
    t = await startTestApp(target, { UCR_DEMO_GRAPH_URL: graph.url, UCR_DEMO_LOGIN_URL: entra.url }, { withQueue: true });
    t.secrets.add(DEMO.clientSecret);
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await graph.close();
    await entra.close();
  });

  it('a newcomer assigns any available Direct Routing number, uploaded to Teams or not', async () => {
    // Teams docs, "Enable users for Direct Routing": "If you don't upload the phone numbers, you can
    // still assign numbers to users. Assigning a number to a user automatically uploads the number".
    const { client } = await t.signedInAs('admin');
    await seedDemoTenant(t.deps);
    await connectDemoTenant(t.deps);
    const demo = (await client.get('/api/tenants')).body.tenants.find((x: { isDemo: boolean }) => x.isDemo);
    const teamsNumbers = states.graphTenant.tenant.numbers;
    const available = (await client.get(`/api/tenants/${demo.id}/numbers?status=available&kind=direct_routing&limit=500`)).body.numbers as Array<{ id: string; e164: string }>;
    const notUploaded = available.filter((n) => !teamsNumbers.has(n.e164));
    const uploaded = available.filter((n) => teamsNumbers.has(n.e164));
    // The Seattle DR block is in the inventory only; the simulated tenant's spare numbers are in both.
    expect(notUploaded.length).toBeGreaterThan(50);
    expect(uploaded.length).toBeGreaterThan(0);
    const picks = [notUploaded[0]!, notUploaded[Math.floor(notUploaded.length / 2)]!, notUploaded.at(-1)!, uploaded[0]!, uploaded.at(-1)!];
    const users = states.graphTenant.byProfile.readyForVoice.slice(0, picks.length);
    expect(users).toHaveLength(picks.length);

    const changes = [];
    for (const [i, pick] of picks.entries()) {
      const started = await client.post(`/api/tenants/${demo.id}/teams/users/${users[i]!.id}/voice`, { number: { numberId: pick.id } });
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      changes.push(started.body.id as string);
    }
    for (const [i, id] of changes.entries()) {
      let change = (await client.get(`/api/tenants/${demo.id}/voice-changes/${id}`)).body;
      for (let poll = 0; change.status === 'pending' && poll < 300; poll += 1) {
        await new Promise((r) => setTimeout(r, 100));
        change = (await client.get(`/api/tenants/${demo.id}/voice-changes/${id}`)).body;
      }
      expect(change, picks[i]!.e164).toMatchObject({ status: 'succeeded' });
      expect((await client.get(`/api/tenants/${demo.id}/numbers/${picks[i]!.id}`)).body).toMatchObject({ status: 'assigned', assignee: { type: 'teams_user', id: users[i]!.id } });
      expect(teamsNumbers.get(picks[i]!.e164)).toMatchObject({ numberType: 'directRouting', assignmentTargetId: users[i]!.id });
    }
  });
});
