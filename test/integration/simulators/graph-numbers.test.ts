import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addNumber } from '../../../simulators/graph/state.ts';
import { json, startGraphFixture } from './graph-fixture.ts';
import type { GraphFixture } from './graph-fixture.ts';

let fx: GraphFixture;
const ROOT = '/v1.0/admin/teams/telephoneNumberManagement';
beforeAll(async () => {
  fx = await startGraphFixture(120);
});
beforeEach(() => fx.graph.knobs.set({ operationDelayMs: 0 }));
afterAll(() => fx.close());

type Operation = { id: string; status: string; createdDateTime: string; numbers: Array<{ resourceLocation: string; status: string; statusDetail?: string }> };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function order(action: string, body: Record<string, unknown>): Promise<string> {
  const response = await fx.api(`${ROOT}/numberAssignments/${action}`, { method: 'POST', body: JSON.stringify(body) });
  expect(response.status).toBe(202);
  const location = response.headers.get('location') ?? '';
  // As documented: an absolute URL with the OData key syntax, the id being base64url("Assignment|{guid}").
  const id = /\/operations\('([A-Za-z0-9_-]+)'\)$/.exec(location)?.[1] ?? '';
  expect(location.startsWith(`${fx.graph.url}/v1.0/admin/teams/telephoneNumberManagement/operations('`)).toBe(true);
  expect(Buffer.from(id, 'base64url').toString()).toMatch(/^(Assignment|Unassignment|Update)\|[0-9a-f-]{36}$/);
  return location;
}

async function finished(location: string): Promise<Operation> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const operation = await json<Operation>(await fx.api(location));
    if (operation.status === 'succeeded' || operation.status === 'failed' || operation.status === 'skipped') return operation;
    await sleep(10);
  }
  throw new Error('operation did not finish');
}

async function numberState(telephoneNumber: string) {
  const page = await json<{ value: Array<Record<string, unknown>> }>(await fx.api(`${ROOT}/numberAssignments?$filter=telephoneNumber eq '${encodeURIComponent(telephoneNumber)}'`));
  return page.value[0];
}

const freeNumber = (): string => {
  const number = fx.seeded.freeDirectRoutingNumbers.shift();
  if (!number) throw new Error('no free numbers left');
  return number;
};

describe('Graph simulator: number assignment orders', () => {
  it('moves notStarted → running → succeeded, the number pending meanwhile, then assigned to the user', async () => {
    // Wide windows (0-1.5 s notStarted, 1.5-3 s running) keep this steady on a loaded machine.
    fx.graph.knobs.set({ operationDelayMs: 3000 });
    const user = fx.seeded.byProfile.readyForVoice[0];
    const telephoneNumber = freeNumber();
    const location = await order('assignNumber', { telephoneNumber, assignmentTargetId: user?.id, numberType: 'directRouting', assignmentCategory: 'primary' });
    const first = await json<Operation>(await fx.api(location));
    expect(first.status).toBe('notStarted');
    expect(await numberState(telephoneNumber)).toMatchObject({ activationState: 'assignmentPending', assignmentStatus: 'unassigned' });
    await sleep(2000);
    expect((await json<Operation>(await fx.api(location))).status).toBe('running');
    const done = await finished(location);
    expect(done.status).toBe('succeeded');
    expect(done.numbers[0]?.status).toBe('succeeded');
    const assigned = await numberState(telephoneNumber);
    expect(assigned).toMatchObject({ activationState: 'activated', assignmentStatus: 'userAssigned', assignmentTargetId: user?.id, assignmentCategory: 'primary', numberSource: 'onPremises' });
    expect(Buffer.from(String(assigned?.id), 'base64url').toString()).toBe(`${fx.seeded.tenant.id}|${telephoneNumber}`);
    // resourceLocation points at the number's own resource, which answers with the same record.
    expect(done.numbers[0]?.resourceLocation).toBe(`${fx.graph.url}/v1.0/admin/teams/telephoneNumberManagement/numberAssignments/${assigned?.id}`);
    expect(await json(await fx.api(done.numbers[0]?.resourceLocation ?? ''))).toMatchObject({ telephoneNumber, assignmentTargetId: user?.id });
    expect((await json(await fx.api(`${ROOT}/operations/${done.id}`))).status).toBe('succeeded');
    const config = await json<{ telephoneNumbers: Array<{ telephoneNumber: string }>; isEnterpriseVoiceEnabled: boolean }>(
      await fx.api(`/v1.0/admin/teams/userConfigurations/${user?.id}`),
    );
    expect(config.telephoneNumbers.map((entry) => entry.telephoneNumber)).toEqual([telephoneNumber]);
    expect(config.isEnterpriseVoiceEnabled).toBe(true);
  });

  it('replaces a user primary number: the old one becomes unassigned', async () => {
    const user = fx.seeded.byProfile.voiceDirectRouting[0];
    const old = (await json<{ telephoneNumbers: Array<{ telephoneNumber: string }> }>(await fx.api(`/v1.0/admin/teams/userConfigurations/${user?.id}`))).telephoneNumbers[0]?.telephoneNumber ?? '';
    const replacement = freeNumber();
    expect((await finished(await order('assignNumber', { telephoneNumber: replacement, assignmentTargetId: user?.id, numberType: 'directRouting' }))).status).toBe('succeeded');
    expect(await numberState(old)).toMatchObject({ assignmentStatus: 'unassigned', assignmentTargetId: null });
  });

  it.each([
    ['a user without Teams Phone', () => fx.seeded.byProfile.unlicensed[0]?.id, () => freeNumber(), 'directRouting', /not licensed for Teams Phone/],
    ['a user without usage location', () => fx.seeded.byProfile.noUsageLocation[0]?.id, () => freeNumber(), 'directRouting', /no usage location/],
    ['a number assigned to someone else', () => fx.seeded.byProfile.readyForVoice[1]?.id, () => String([...fx.seeded.tenant.numbers.values()].find((n) => n.assignmentStatus === 'userAssigned' && n.numberType === 'directRouting')?.telephoneNumber), 'directRouting', /already assigned/],
    ['an Operator Connect number not in the tenant', () => fx.seeded.byProfile.readyForVoice[2]?.id, () => '+13125558888', 'operatorConnect', /was not found in the tenant/],
    ['a Direct Routing order for a number the tenant has as Calling Plan', () => fx.seeded.byProfile.readyForVoice[2]?.id, () => String([...fx.seeded.tenant.numbers.values()].find((n) => n.assignmentStatus === 'unassigned' && n.numberType === 'callingPlan')?.telephoneNumber), 'directRouting', /is a callingPlan number/],
    ['a Calling Plan number that does not exist', () => fx.seeded.byProfile.voiceCallingPlan[0]?.id, () => '+12065559999', 'callingPlan', /was not found in the tenant/],
  ])('fails the operation for %s', async (_label, userId, number, numberType, message) => {
    const telephoneNumber = number();
    const before = fx.seeded.tenant.numbers.get(telephoneNumber);
    const ownerBefore = before?.assignmentTargetId ?? null;
    const done = await finished(await order('assignNumber', { telephoneNumber, assignmentTargetId: userId(), numberType }));
    expect(done.status).toBe('failed');
    expect(done.numbers[0]?.status).toBe('failed');
    expect(done.numbers[0]?.statusDetail).toMatch(message);
    if (before) expect(fx.seeded.tenant.numbers.get(telephoneNumber)?.assignmentTargetId ?? null).toBe(ownerBefore);
  });

  it('marks a failed assignment of a free number assignmentFailed and leaves it unassigned', async () => {
    const telephoneNumber = freeNumber();
    await finished(await order('assignNumber', { telephoneNumber, assignmentTargetId: fx.seeded.byProfile.unlicensed[1]?.id, numberType: 'directRouting' }));
    expect(await numberState(telephoneNumber)).toMatchObject({ activationState: 'assignmentFailed', assignmentStatus: 'unassigned', assignmentTargetId: null });
  });

  it('assigns a Direct Routing number that was never uploaded, and so uploads it', async () => {
    // Teams docs, "Enable users for Direct Routing" (learn.microsoft.com/microsoftteams/direct-routing-enable-users):
    // "If you don't upload the phone numbers, you can still assign numbers to users. Assigning a
    // number to a user automatically uploads the number".
    const user = fx.seeded.byProfile.readyForVoice[5];
    const telephoneNumber = '+14255557777';
    expect(fx.seeded.tenant.numbers.has(telephoneNumber)).toBe(false);
    const done = await finished(await order('assignNumber', { telephoneNumber, assignmentTargetId: user?.id, numberType: 'directRouting' }));
    expect(done.status).toBe('succeeded');
    expect(await numberState(telephoneNumber)).toMatchObject({ numberType: 'directRouting', assignmentStatus: 'userAssigned', assignmentTargetId: user?.id, activationState: 'activated', numberSource: 'onPremises' });
    // The same order for a user who cannot have it still fails, and uploads nothing.
    const refused = await finished(await order('assignNumber', { telephoneNumber: '+14255557778', assignmentTargetId: fx.seeded.byProfile.unlicensed[2]?.id, numberType: 'directRouting' }));
    expect(refused.numbers[0]?.statusDetail).toMatch(/not licensed for Teams Phone/);
    expect(fx.seeded.tenant.numbers.has('+14255557778')).toBe(false);
  });

  it('lets only the first of two racing orders for one number win', async () => {
    fx.graph.knobs.set({ operationDelayMs: 100 });
    const telephoneNumber = freeNumber();
    const [a, b] = [fx.seeded.byProfile.readyForVoice[3], fx.seeded.byProfile.readyForVoice[4]];
    const first = await order('assignNumber', { telephoneNumber, assignmentTargetId: a?.id, numberType: 'directRouting' });
    const second = await order('assignNumber', { telephoneNumber, assignmentTargetId: b?.id, numberType: 'directRouting' });
    const results = [await finished(first), await finished(second)];
    expect(results.map((operation) => operation.status)).toEqual(['succeeded', 'failed']);
    expect((await numberState(telephoneNumber))?.assignmentTargetId).toBe(a?.id);
  });

  it('refuses malformed orders synchronously with 400', async () => {
    for (const body of [{ assignmentTargetId: 'x', numberType: 'directRouting' }, { telephoneNumber: '+14255551000', numberType: 'directRouting' }, { telephoneNumber: '+14255551000', assignmentTargetId: 'x', numberType: 'pstn' }]) {
      const response = await fx.api(`${ROOT}/numberAssignments/assignNumber`, { method: 'POST', body: JSON.stringify(body) });
      expect(response.status).toBe(400);
      expect((await json<{ error: { code: string } }>(response)).error.code).toBe('BadRequest');
    }
  });

  it('unassigns a number asynchronously; updateNumber answers 200 at once', async () => {
    const user = fx.seeded.byProfile.voiceDirectRouting[2];
    const number = [...fx.seeded.tenant.numbers.values()].find((candidate) => candidate.assignmentTargetId === user?.id);
    const telephoneNumber = number?.telephoneNumber ?? '';
    expect((await finished(await order('unassignNumber', { telephoneNumber, numberType: 'directRouting' }))).status).toBe('succeeded');
    expect(await numberState(telephoneNumber)).toMatchObject({ assignmentStatus: 'unassigned', assignmentTargetId: null });
    expect((await finished(await order('unassignNumber', { telephoneNumber, numberType: 'directRouting' }))).numbers[0]?.statusDetail).toMatch(/not assigned/);

    // Graph v1.0 "numberAssignment: updateNumber": "If successful, this method returns a 200 OK
    // response code" — synchronous, no operation to follow. An empty string clears a value;
    // null or an absent field keeps it.
    fx.graph.knobs.set({ operationDelayMs: 1000 });
    const update = (body: Record<string, unknown>) => fx.api(`${ROOT}/numberAssignments/updateNumber`, { method: 'POST', body: JSON.stringify({ telephoneNumber, ...body }) });
    const location = [...fx.seeded.tenant.locations.keys()][0]!; // a location the tenant's LIS has (seeded)
    const updated = await update({ locationId: location, networkSiteId: 'site-1', reverseNumberLookupOptions: ['skipInternalVoip'] });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('location')).toBeNull();
    expect(await numberState(telephoneNumber)).toMatchObject({ activationState: 'activated', locationId: location, networkSiteId: 'site-1', reverseNumberLookupOptions: ['skipInternalVoip'] });
    expect((await update({ locationId: '', networkSiteId: null })).status).toBe(200);
    expect(await numberState(telephoneNumber)).toMatchObject({ locationId: null, networkSiteId: 'site-1' });
    const unknown = await fx.api(`${ROOT}/numberAssignments/updateNumber`, { method: 'POST', body: JSON.stringify({ telephoneNumber: '+14255550999', locationId: location }) });
    expect(unknown.status).toBe(404);
    expect((await json<{ error: { code: string } }>(unknown)).error.code).toBe('NotFound');
  });

  it('assigns an operatorConnect number to a resource account as voiceApplicationAssigned', async () => {
    const account = fx.seeded.byProfile.resourceAccount.find((candidate) => ![...fx.seeded.tenant.numbers.values()].some((n) => n.assignmentTargetId === candidate.id));
    addNumber(fx.seeded.tenant, { telephoneNumber: '+13125559000', numberType: 'operatorConnect' });
    expect((await finished(await order('assignNumber', { telephoneNumber: '13125559000', assignmentTargetId: account?.id, numberType: 'operatorConnect' }))).status).toBe('succeeded');
    expect((await numberState('+13125559000'))?.assignmentStatus).toBe('voiceApplicationAssigned');
  });

  // Resource accounts (#20). assignNumber is documented for user accounts only
  // (https://learn.microsoft.com/graph/api/teamsadministration-numberassignment-assignnumber); the same
  // API unassigns "from a user or resource account" and reports `voiceApplicationAssigned`
  // (https://learn.microsoft.com/graph/api/resources/teamsadministration-numberassignment), and
  // Set-CsPhoneNumberAssignment assigns to resource accounts
  // (https://learn.microsoft.com/powershell/module/microsoftteams/set-csphonenumberassignment). Docs
  // silent on a resource account target: the simulator takes it when the account holds the Teams Phone
  // Resource Account licence and a usage location (https://learn.microsoft.com/microsoftteams/manage-resource-accounts).
  it('refuses a number for a resource account without the Teams Phone Resource Account licence, in the operation', async () => {
    const account = fx.seeded.byProfile.resourceAccount.find((candidate) => ![...fx.seeded.tenant.numbers.values()].some((n) => n.assignmentTargetId === candidate.id))!;
    const licences = account.licenses;
    account.licenses = [];
    try {
      const e164 = freeNumber();
      const operation = await finished(await order('assignNumber', { telephoneNumber: e164, assignmentTargetId: account.id, numberType: 'directRouting' }));
      expect(operation.status).toBe('failed');
      expect(operation.numbers[0]!.statusDetail).toMatch(/not licensed for Teams Phone/);
      expect((await numberState(e164))?.assignmentStatus).toBe('unassigned');
    } finally {
      account.licenses = licences;
    }
  });

  it('lists a resource account\'s number by assignmentTargetId, not in its userConfiguration (docs silent there)', async () => {
    const account = fx.seeded.byProfile.resourceAccount.find((candidate) => ![...fx.seeded.tenant.numbers.values()].some((n) => n.assignmentTargetId === candidate.id))!;
    const e164 = freeNumber();
    expect((await finished(await order('assignNumber', { telephoneNumber: e164, assignmentTargetId: account.id, numberType: 'directRouting' }))).status).toBe('succeeded');
    const byTarget = await json<{ value: Array<{ telephoneNumber: string; assignmentStatus: string }> }>(await fx.api(`${ROOT}/numberAssignments?$filter=assignmentTargetId eq '${account.id}'`));
    expect(byTarget.value).toEqual([expect.objectContaining({ telephoneNumber: e164, assignmentStatus: 'voiceApplicationAssigned' })]);
    const config = await json<{ telephoneNumbers: unknown[]; accountType: string }>(await fx.api(`/v1.0/admin/teams/userConfigurations/${account.id}`));
    expect(config.accountType).toBe('resourceAccount');
    expect(config.telephoneNumbers).toEqual([]);
  });

  it('ends an order as skipped when the skipNextOrders knob says so, changing nothing', async () => {
    // telephoneNumberLongRunningOperation (Graph v1.0) lists `skipped` without saying when Teams
    // uses it; the knob produces it so the app's reading of it (docs/external-apis.md) is tested.
    fx.graph.knobs.set({ skipNextOrders: 1 });
    const telephoneNumber = freeNumber();
    const done = await finished(await order('assignNumber', { telephoneNumber, assignmentTargetId: fx.seeded.byProfile.readyForVoice[6]?.id, numberType: 'directRouting' }));
    expect(done).toMatchObject({ status: 'skipped', numbers: [{ status: 'skipped' }] });
    expect(await numberState(telephoneNumber)).toMatchObject({ assignmentStatus: 'unassigned', assignmentTargetId: null, activationState: 'activated' });
    expect(fx.graph.knobs.skipNextOrders).toBe(0);
  });

  it('404s an unknown operation', async () => {
    expect((await fx.api(`${ROOT}/operations/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
  });
});

describe('Graph simulator: numberAssignments paging', () => {
  // Source: Graph v1.0 "List numberAssignments" (learn.microsoft.com/graph/api/teamsadministration-
  // telephonenumbermanagementroot-list-numberassignments; microsoftgraph/microsoft-graph-docs-contrib
  // api-reference/v1.0/api/teamsadministration-telephonenumbermanagementroot-list-numberassignments.md):
  // "$Top … Default number of results is 500 entries and maximum 1,000 entries allowed per query",
  // "$Skip … skip first 'X' number of results", Example 3 `?$top=100&$skip=200`; no @odata.nextLink.
  type NumberPage = { value: Array<{ telephoneNumber: string }>; '@odata.nextLink'?: string };
  beforeAll(() => {
    for (let i = 0; fx.seeded.tenant.numbers.size < 2500; i += 1) addNumber(fx.seeded.tenant, { telephoneNumber: `+1425700${String(i).padStart(4, '0')}`, numberType: 'directRouting' });
  });

  it('answers 500 by default and never a nextLink', async () => {
    const page = await json<NumberPage>(await fx.api(`${ROOT}/numberAssignments`));
    expect(page.value).toHaveLength(500);
    expect(page['@odata.nextLink']).toBeUndefined();
  });

  it('pages with $top and $skip to the last, short page, each number once', async () => {
    const seen: string[] = [];
    for (let skip = 0; ; skip += 1000) {
      const page = await json<NumberPage>(await fx.api(`${ROOT}/numberAssignments?$top=1000&$skip=${skip}`));
      expect(page['@odata.nextLink']).toBeUndefined();
      seen.push(...page.value.map((n) => n.telephoneNumber));
      if (page.value.length < 1000) break;
    }
    expect(seen).toHaveLength(2500);
    expect(new Set(seen).size).toBe(2500);
    const example3 = await json<NumberPage>(await fx.api(`${ROOT}/numberAssignments?$top=100&$skip=200`));
    expect(example3.value.map((n) => n.telephoneNumber)).toEqual(seen.slice(200, 300));
  });

  it('refuses $top above 1,000 with Graph\'s error shape', async () => {
    const response = await fx.api(`${ROOT}/numberAssignments?$top=1001`);
    expect(response.status).toBe(400);
    const body = await json<{ error: { code: string; message: string; innerError: { 'request-id': string } } }>(response);
    expect(body.error).toMatchObject({ code: 'BadRequest', message: expect.stringMatching(/1000/) });
    expect(body.error.innerError['request-id']).toBeTruthy();
  });
});
