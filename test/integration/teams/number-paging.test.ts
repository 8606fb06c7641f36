import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeamsApi } from '../../../src/connectors/teams/teams-api.ts';
import { addNumber } from '../../../simulators/graph/state.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * Graph's numberAssignments pages with $top (default 500, at most 1,000) and $skip and documents
 * no @odata.nextLink (Graph v1.0 "List numberAssignments", Example 3 `?$top=100&$skip=200`). A
 * tenant with 2,500 numbers must come back whole: a client that only follows nextLink stops at
 * its first page and reconcile then reports every number past it as drift.
 */
const TOTAL = 2500;
const log = pino({ level: 'silent' });

function fillTenant(fx: TeamsFixture): string[] {
  const tenant = fx.graph.state.tenants.get(fx.microsoftTenantId)!;
  for (let i = 0; tenant.numbers.size < TOTAL; i += 1) addNumber(tenant, { telephoneNumber: `+1425800${String(i).padStart(4, '0')}`, numberType: 'directRouting' });
  return [...tenant.numbers.keys()];
}

const apiFor = (fx: TeamsFixture, graphBaseUrl = fx.graph.url) =>
  new TeamsApi({ tenant: fx.microsoftTenantId, credentials: { kind: 'secret', clientId: fx.clientId, clientSecret: fx.clientSecret }, endpoints: { loginBaseUrl: fx.entra.url, graphBaseUrl }, log });

describe('Teams connector: numberAssignments paging', () => {
  let fx: TeamsFixture;
  let all: string[];
  beforeAll(async () => {
    fx = await startTeamsSimulators({ users: 40 });
    all = fillTenant(fx);
  });
  afterAll(() => fx.close());

  it('reads all 2,500 numbers of a tenant, each once, with $skip paging', async () => {
    const before = fx.graph.knobs.stats.requests;
    const numbers = await apiFor(fx).listNumberAssignments();
    expect(numbers).toHaveLength(TOTAL);
    expect(new Set(numbers.map((n) => n.telephoneNumber))).toEqual(new Set(all));
    // 1,000 a page (Graph's maximum): three pages, the last one short.
    expect(fx.graph.knobs.stats.requests - before).toBe(3);
  });

  it('also pages a filtered listing', async () => {
    const unassigned = await apiFor(fx).listNumberAssignments("assignmentStatus eq 'unassigned'");
    const tenant = fx.graph.state.tenants.get(fx.microsoftTenantId)!;
    expect(unassigned).toHaveLength([...tenant.numbers.values()].filter((n) => n.assignmentStatus === 'unassigned').length);
    expect(unassigned.length).toBeGreaterThan(1000);
  });

  it('follows a nextLink should Graph ever send one, without counting a number twice', async () => {
    // Docs are silent on a nextLink here; this reading sends one that overlaps the page it follows.
    const requests: string[] = [];
    const server: Server = createServer((request: IncomingMessage, response) => {
      requests.push(request.url ?? '');
      const url = new URL(request.url ?? '/', 'http://x');
      const skip = Number(url.searchParams.get('$skip') ?? url.searchParams.get('from') ?? 0);
      const top = Number(url.searchParams.get('$top') ?? 1000);
      const value = all.slice(skip, skip + top).map((telephoneNumber) => ({ telephoneNumber, numberType: 'directRouting' }));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      // The link points 10 numbers back: a naive client would count those 10 twice.
      const nextLink = skip + top < all.length ? `${base}/v1.0/admin/teams/telephoneNumberManagement/numberAssignments?$top=${top}&from=${skip + top - 10}` : undefined;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ value, ...(nextLink ? { '@odata.nextLink': nextLink } : {}) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const numbers = await apiFor(fx, `http://127.0.0.1:${(server.address() as AddressInfo).port}`).listNumberAssignments();
      expect(numbers.map((n) => n.telephoneNumber)).toEqual(all);
      expect(requests.slice(1).every((path) => path.includes('from='))).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe.each(dbTargets())('Teams reconcile of a 2,500-number tenant on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let admin: ApiClient;
  let tenantId: string;

  beforeAll(async () => {
    t = await startTestApp(target);
    fx = await startTeamsSimulators({ users: 40 });
    t.secrets.add(fx.clientSecret);
    admin = (await t.signedInAs('admin')).client;
    ({ tenantId } = await connectedTenant(admin, fx));
  });
  afterAll(async () => {
    await t.close();
    await fx.close();
  });

  it('sees every number, and once the inventory has them shows no drift', async () => {
    const tenant = fx.graph.state.tenants.get(fx.microsoftTenantId)!;
    const all = fillTenant(fx);
    // The last numbers of the listing are assigned in Teams: cut off after the first page, they
    // would show as "unassigned in Teams" once the inventory records them as assigned.
    const late = all.slice(-3);
    const users = fx.seeded.byProfile.readyForVoice.slice(0, late.length);
    late.forEach((e164, i) => Object.assign(tenant.numbers.get(e164)!, { assignmentStatus: 'userAssigned', assignmentTargetId: users[i]!.id, assignmentCategory: 'private' }));

    const first = (await admin.get(`/api/tenants/${tenantId}/teams/reconcile`)).body;
    expect(first.systemNumbers).toBe(TOTAL);
    const fixed = await admin.post(`/api/tenants/${tenantId}/teams/reconcile/fix`, { numbers: 'all' });
    expect(fixed.status).toBe(200);

    const again = (await admin.get(`/api/tenants/${tenantId}/teams/reconcile`)).body;
    expect(again.systemNumbers).toBe(TOTAL);
    expect(again.inventoryNumbers).toBe(TOTAL);
    expect(again.items).toEqual([]);
  });
});
