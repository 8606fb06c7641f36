import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedConnectWise, startConnectWiseSimulator, type RunningConnectWiseSimulator } from '../../../simulators/index.ts';
import { phoneNumbers } from '../../../src/db/schema/index.ts';
import type { ApiClient, ApiResponse } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * Fault injection across the connectors, over HTTP against the simulators' knobs: timeouts
 * (latency beyond the client timeout, here 0.5 s), 5xx, 429 with Retry-After, connection resets
 * and malformed JSON. Each operation either succeeds after retries or fails with a specific,
 * plain error — and nothing is lost or doubled: voice changes end confirmed or rolled back with
 * the inventory agreeing with Teams, ticket logs end done once the outage ends, with no note or
 * time entry written twice.
 *
 * 3CX: the same faults (5xx, 429 + Retry-After, hung calls, resets, malformed JSON, a refused
 * write that creates nothing) are in test/integration/threecx-connector.test.ts.
 */
const ASSIGN = 'POST /v1.0/admin/teams/telephoneNumberManagement/numberAssignments/assignNumber';
const UNASSIGN = 'POST /v1.0/admin/teams/telephoneNumberManagement/numberAssignments/unassignNumber';
const OPERATION = 'GET /v1.0/admin/teams/telephoneNumberManagement/operations';

/** A message for people: no parser noise, no stack, no raw status dump. */
function expectPlainError(response: ApiResponse, pattern: RegExp) {
  expect(response.status).toBeGreaterThanOrEqual(400);
  const message = String(response.body.error?.message ?? '');
  expect(message).toMatch(pattern);
  expect(message).not.toMatch(/Unexpected token|JSON\.parse|SyntaxError|\n\s+at |undefined|\[object/);
}

describe.each(dbTargets())('connector faults on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let cw: RunningConnectWiseSimulator;
  let admin: ApiClient;
  let adminId: string;
  let tenantId: string;
  let numbers: Record<string, string>;
  const keys = { companyId: 'contoso_msp', publicKey: 'fault-public-key', privateKey: 'fault-private-key', clientId: '0b7c4a5e-2d1f-4e8a-9c3b-5f6a7d8e9f01' };

  beforeAll(async () => {
    t = await startTestApp(target, { UCR_CONNECTOR_TIMEOUT_SECONDS: '0.5' }, { withQueue: true });
    fx = await startTeamsSimulators({ users: 200, seed: 31, spareNumbers: 30 });
    cw = await startConnectWiseSimulator({ port: 0, state: seedConnectWise(keys) });
    t.secrets.add(fx.clientSecret);
    t.secrets.add(keys.privateKey);
    const signedIn = await t.signedInAs('admin');
    admin = signedIn.client;
    adminId = signedIn.operatorId;
    ({ tenantId, numbers } = await connectedTenant(admin, fx));
    await admin.patch(`/api/tenants/${tenantId}`, { connectwiseCompanyId: cw.state.companies[1]!.identifier });
    await admin.patch(`/api/operators/${adminId}`, { connectwiseMember: 'asmith' });
    const saved = await admin.request('PUT', `/api/tenants/${tenantId}/connections/connectwise`, { site: 'na.example', ...keys, baseUrl: cw.apiUrl, defaults: {} });
    expect(saved.status).toBe(200);
  });
  beforeEach(() => {
    fx.graph.knobs.reset();
    cw.knobs.reset();
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await fx.close();
    await cw.close();
  });

  let nextUser = 0;
  const readyUser = () => fx.seeded.byProfile.readyForVoice[nextUser++]!;
  let nextNumber = 0;
  const freeNumber = () => Object.keys(numbers)[nextNumber++]!;
  const voice = (userId: string, body: object) => admin.post(`/api/tenants/${tenantId}/teams/users/${userId}/voice`, body);
  const teamsHolder = (e164: string) => fx.graph.state.tenants.get(fx.microsoftTenantId)!.numbers.get(e164)?.assignmentTargetId ?? null;
  const inventory = async (e164: string) => (await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.e164, e164)))[0]!;

  async function settled(changeId: string, until: (c: { status: string; ticketLog: { status: string } }) => boolean = (c) => c.status !== 'pending', tries = 300) {
    let change;
    for (let i = 0; i < tries; i++) {
      change = (await admin.get(`/api/tenants/${tenantId}/voice-changes/${changeId}`)).body;
      if (until(change)) return change;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`change ${changeId} did not settle: ${JSON.stringify(change)}`);
  }

  /** Inventory and Teams agree on every number of the fixture; nothing is left reserved; nobody holds two. */
  async function expectConsistent() {
    const rows = await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.tenantId, tenantId));
    expect(rows.filter((r) => r.status === 'reserved').map((r) => r.e164)).toEqual([]);
    const assignees = rows.filter((r) => r.status === 'assigned').map((r) => r.assigneeId);
    expect(new Set(assignees).size).toBe(assignees.length);
    for (const row of rows) {
      const holder = teamsHolder(row.e164);
      if (row.status === 'assigned') expect({ e164: row.e164, holder }).toEqual({ e164: row.e164, holder: row.assigneeId });
      else expect({ e164: row.e164, holder, status: row.status }).toEqual({ e164: row.e164, holder: null, status: row.status });
    }
  }

  describe('Teams / Graph', () => {
    it('5xx and 429 with Retry-After on the number order are retried; the change is confirmed', async () => {
      const user = readyUser();
      const e164 = freeNumber();
      fx.graph.knobs.set({ faultMatch: ASSIGN, failNext: { count: 2, status: 503 } });
      const first = await voice(user.id, { number: { numberId: numbers[e164] } });
      expect(first.status).toBe(202);
      expect(await settled(first.body.id)).toMatchObject({ status: 'succeeded' });
      expect(teamsHolder(e164)).toBe(user.id);

      const other = readyUser();
      const second = freeNumber();
      fx.graph.knobs.set({ faultMatch: ASSIGN, failNext: { count: 2, status: 429 } });
      const started = Date.now();
      const throttled = await voice(other.id, { number: { numberId: numbers[second] } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900); // Retry-After: 1, twice
      expect(await settled(throttled.body.id)).toMatchObject({ status: 'succeeded' });
      expect(fx.graph.knobs.stats.injectedFaults).toBe(4);
      await expectConsistent();
    });

    it('a 500 on the order is retried (the order is safe to repeat); one that persists fails in plain words and the claim is rolled back', async () => {
      const user = readyUser();
      const e164 = freeNumber();
      fx.graph.knobs.set({ faultMatch: ASSIGN, failNext: { count: 1, status: 500 } });
      const once = await voice(user.id, { number: { numberId: numbers[e164] } });
      expect(await settled(once.body.id)).toMatchObject({ status: 'succeeded' });
      expect(teamsHolder(e164)).toBe(user.id);

      const other = readyUser();
      const second = freeNumber();
      fx.graph.knobs.set({ faultMatch: ASSIGN, failNext: { count: 50, status: 500 } });
      const started = await voice(other.id, { number: { numberId: numbers[second] } });
      const change = await settled(started.body.id);
      expect(change.status).toBe('failed');
      expect(change.errorMessage).toMatch(/Microsoft Graph had a problem \(HTTP 500\) and kept failing after several tries/);
      expect((await inventory(second)).status).toBe('available');
      expect(teamsHolder(second)).toBeNull();
      await expectConsistent();
    });

    it('Graph down for reads (5xx every time): a clear 502, nothing recorded', async () => {
      const user = readyUser();
      const e164 = freeNumber();
      fx.graph.knobs.set({ faultMatch: 'GET /v1.0/users/', failNext: { count: 50, status: 502 } });
      const refused = await voice(user.id, { number: { numberId: numbers[e164] } });
      expect(refused.status).toBe(502);
      expectPlainError(refused, /Microsoft Graph had a problem \(HTTP 502\).*try again later/);
      expect((await admin.get(`/api/tenants/${tenantId}/voice-changes?userId=${user.id}`)).body.changes).toEqual([]);
      expect((await inventory(e164)).status).toBe('available');
    });

    it('connection resets on reads and on the order are retried; the change is confirmed', async () => {
      const user = readyUser();
      const e164 = freeNumber();
      fx.graph.knobs.set({ resetNext: 2 });
      const started = await voice(user.id, { number: { numberId: numbers[e164] } });
      expect(started.status).toBe(202);
      fx.graph.knobs.set({ faultMatch: ASSIGN, resetNext: 2 });
      const other = readyUser();
      const second = freeNumber();
      const again = await voice(other.id, { number: { numberId: numbers[second] } });
      expect(again.status).toBe(202);
      expect(await settled(started.body.id)).toMatchObject({ status: 'succeeded' });
      expect(await settled(again.body.id)).toMatchObject({ status: 'succeeded' });
      expect(teamsHolder(second)).toBe(other.id);
      await expectConsistent();
    });

    it('the order times out every time but Teams carried it out: the change ends confirmed, not rolled back', async () => {
      const user = readyUser();
      const e164 = freeNumber();
      // Graph is slower than the 0.5 s client timeout for the order only: each attempt is processed, no answer arrives.
      fx.graph.knobs.set({ faultMatch: ASSIGN, latencyMs: 800 });
      const started = await voice(user.id, { number: { numberId: numbers[e164] } });
      expect(started.status).toBe(202);
      expect(started.body.status).toBe('pending');
      expect((await inventory(e164)).status).toBe('reserved'); // still held: the outcome is unknown
      fx.graph.knobs.reset(); // the outage ends; the job re-sends the order (safe) and follows it
      const change = await settled(started.body.id);
      expect(change).toMatchObject({ status: 'succeeded' });
      expect(teamsHolder(e164)).toBe(user.id);
      expect(await inventory(e164)).toMatchObject({ status: 'assigned', assigneeId: user.id });

      // Removing it: the unassign times out although Teams did it; the job sees that and completes.
      fx.graph.knobs.set({ faultMatch: UNASSIGN, latencyMs: 800 });
      const removed = await voice(user.id, { number: null });
      expect(removed.body.status).toBe('pending');
      await new Promise((r) => setTimeout(r, 1000));
      fx.graph.knobs.reset();
      expect(await settled(removed.body.id)).toMatchObject({ status: 'succeeded', kind: 'remove_number' });
      expect(teamsHolder(e164)).toBeNull();
      expect((await inventory(e164)).status).toBe('cooling');
      await expectConsistent();
    });

    it('a hung read times out, is retried, and the page still loads', async () => {
      fx.graph.knobs.set({ hangNext: 2 });
      const user = readyUser();
      const live = await admin.get(`/api/tenants/${tenantId}/teams/users/${user.id}?live=true`);
      expect(live.status).toBe(200);
      expect(fx.graph.knobs.stats.injectedFaults).toBe(2);
    });

    it('a hung read that never recovers fails with "timed out", not a stack', async () => {
      fx.graph.knobs.set({ faultMatch: 'GET /v1.0/users/', latencyMs: 2000 });
      const user = readyUser();
      const live = await admin.get(`/api/tenants/${tenantId}/teams/users/${user.id}?live=true`);
      expect(live.status).toBe(502);
      expectPlainError(live, /Microsoft Graph could not be reached: the request timed out/);
    });

    it('malformed JSON: a read fails in plain words; a garbled poll of the order is asked again and the change completes', async () => {
      const user = readyUser();
      // More garbled answers than this one read needs: a background job of an earlier case (a voice
      // change being followed) may read a user at the same moment and take one of them.
      fx.graph.knobs.set({ faultMatch: 'GET /v1.0/users/', malformedNext: 3 });
      const garbled = await admin.get(`/api/tenants/${tenantId}/teams/users/${user.id}?live=true`);
      expect(garbled.status).toBe(502);
      expectPlainError(garbled, /Microsoft Graph answered with something that is not JSON/);

      const e164 = freeNumber();
      fx.graph.knobs.set({ faultMatch: OPERATION, malformedNext: 2 });
      const started = await voice(user.id, { number: { numberId: numbers[e164] } });
      expect(await settled(started.body.id)).toMatchObject({ status: 'succeeded' });
      expect(fx.graph.knobs.stats.injectedFaults).toBeGreaterThanOrEqual(3);
      expect(await inventory(e164)).toMatchObject({ status: 'assigned', assigneeId: user.id });
      await expectConsistent();
    });
  });

  describe('ConnectWise', () => {
    const openTicket = () => cw.state.tickets.find((x) => !x.closedFlag && x.company.identifier === cw.state.companies[1]!.identifier)!;

    it('5xx, 429 with Retry-After and resets on reads are retried; malformed JSON is a plain error', async () => {
      cw.knobs.set({ failNext: { count: 2, status: 503 } });
      expect((await admin.get(`/api/tenants/${tenantId}/connectwise/tickets?search=a`)).status).toBe(200);
      cw.knobs.set({ failNext: { count: 2, status: 429 } });
      expect((await admin.get(`/api/tenants/${tenantId}/connectwise/tickets?search=a`)).status).toBe(200);
      cw.knobs.set({ resetNext: 2 });
      expect((await admin.get(`/api/tenants/${tenantId}/connectwise/tickets?search=a`)).status).toBe(200);
      expect(cw.knobs.stats.injectedFaults).toBe(6);
      cw.knobs.set({ malformedNext: 1 });
      const garbled = await admin.get(`/api/tenants/${tenantId}/connectwise/tickets/${openTicket().id}/statuses`);
      expect(garbled.status).toBe(502);
      expectPlainError(garbled, /ConnectWise answered with something that is not JSON/);
      cw.knobs.set({ faultMatch: 'GET', latencyMs: 2000 });
      const slow = await admin.get(`/api/tenants/${tenantId}/connectwise/tickets?search=a`);
      expect(slow.status).toBe(502);
      expectPlainError(slow, /ConnectWise could not be reached: the request timed out/);
    });

    it('a note saved although its answer timed out is not written twice; the log ends done after the outage', async () => {
      const ticket = openTicket();
      const user = readyUser();
      // Every ConnectWise write is slower than the client timeout: Manage saves the note, the answer never arrives.
      cw.knobs.set({ faultMatch: 'POST', latencyMs: 800 });
      const started = await admin.post(`/api/tenants/${tenantId}/teams/users/${user.id}/voice`, { number: { numberId: numbers[freeNumber()] }, ticketId: String(ticket.id) });
      const retrying = await settled(started.body.id, (c) => c.status !== 'pending' && c.ticketLog.status === 'retrying');
      expect(retrying.status).toBe('succeeded'); // ConnectWise never holds up Teams work
      expect(retrying.ticketLog.error).toMatch(/ConnectWise did not answer \(the request timed out\); the write may still have been saved/);
      cw.knobs.reset();
      const logged = await settled(started.body.id, (c) => c.ticketLog.status === 'logged' || c.ticketLog.status === 'failed', 400);
      expect(logged.ticketLog).toMatchObject({ status: 'logged', error: null });
      const mine = (text: unknown) => String(text).includes(started.body.id);
      expect(cw.state.notes.filter((n) => n.ticketId === ticket.id && mine(n.text))).toHaveLength(1);
      expect(cw.state.timeEntries.filter((e) => e.chargeToId === ticket.id && mine(e.notes))).toHaveLength(1);
      await expectConsistent();
    }, 60_000);
  });
});
