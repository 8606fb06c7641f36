import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedThreeCx } from '../../../simulators/threecx/seed.ts';
import { startThreeCxSimulator } from '../../../simulators/threecx/server.ts';
import type { RunningThreeCxSimulator } from '../../../simulators/threecx/server.ts';
import { postForm } from './support.ts';

let pbx: RunningThreeCxSimulator;
let token: string;

async function clientToken(): Promise<string> {
  const response = await postForm(`${pbx.url}/connect/token`, { client_id: 'ucr-api', client_secret: 'demo-3cx-secret', grant_type: 'client_credentials' });
  return ((await response.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  pbx = await startThreeCxSimulator({ state: seedThreeCx({ userCount: 50, adminSecurityCode: '246810' }) });
  token = await clientToken();
});
beforeEach(() => pbx.knobs.reset());
afterAll(() => pbx.close());

function xapi(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${pbx.url}/xapi/v1/${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });
}
const json = async <T = Record<string, unknown>>(response: Response): Promise<T> => (await response.json()) as T;
type Collection = { value: Array<Record<string, unknown>>; '@odata.count'?: number; '@odata.context': string };

describe('3CX simulator: tokens', () => {
  it('issues a client-credentials JWT with expires_in in seconds and exp to match, and refuses a bad secret', async () => {
    // Source: 3cx/xapi-tutorial commit 1c6947c "expires_in is in seconds (according to OAuth) since 20.0.9".
    const ok = await json<{ access_token: string; expires_in: number }>(await postForm(`${pbx.url}/connect/token`, { client_id: 'ucr-api', client_secret: 'demo-3cx-secret', grant_type: 'client_credentials' }));
    token = ok.access_token;
    expect(ok).toMatchObject({ token_type: 'Bearer', expires_in: 3600, access_token: expect.any(String), refresh_token: null });
    const claims = JSON.parse(Buffer.from(ok.access_token.split('.')[1]!, 'base64url').toString()) as { exp: number; iat: number };
    expect(claims.exp - claims.iat).toBe(3600);
    const bad = await postForm(`${pbx.url}/connect/token`, { client_id: 'ucr-api', client_secret: 'nope', grant_type: 'client_credentials' });
    expect(bad.status).toBe(401);
    expect(await json(bad)).toMatchObject({ error: 'unauthorized' });
  });

  it('keeps one active access token per API client: a new one revokes the previous', async () => {
    // Source: 3cx/xapi-tutorial auth.ts / CLAUDE.md "the PBX only allows one active access token at a time".
    const issuedBefore = pbx.state.tokensIssued;
    const first = await clientToken();
    const second = await clientToken();
    token = second;
    expect(pbx.state.tokensIssued).toBe(issuedBefore + 2);
    expect((await fetch(`${pbx.url}/xapi/v1/Users?$top=1`, { headers: { authorization: `Bearer ${first}` } })).status).toBe(401);
    expect((await fetch(`${pbx.url}/xapi/v1/Users?$top=1`, { headers: { authorization: `Bearer ${second}` } })).status).toBe(200);
  });

  it('signs an admin in with 2FA, then refreshes with client_id=Webclient and the RefreshTokenCookie cookie (not a form field)', async () => {
    const login = (body: Record<string, unknown>) => fetch(`${pbx.url}/webclient/api/Login/GetAccessToken`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await json(await login({ Username: 'admin', Password: 'wrong', SecurityCode: '' }))).toMatchObject({ Status: 'AuthFailed' });
    expect(await json(await login({ Username: 'admin', Password: 'demo-3cx-admin', SecurityCode: '' }))).toMatchObject({ Status: '2FARequired' });
    expect(await json(await login({ Username: 'admin', Password: 'demo-3cx-admin', SecurityCode: '000000' }))).toMatchObject({ Status: 'AuthFailed' });
    const success = await json<{ Status: string; Token: { access_token: string; refresh_token: string; expires_in: number } }>(await login({ Username: 'admin', Password: 'demo-3cx-admin', SecurityCode: '246810' }));
    expect(success.Status).toBe('AuthSuccess');
    expect(success.Token.expires_in).toBe(3600);
    expect((await fetch(`${pbx.url}/xapi/v1/Users?$top=1`, { headers: { authorization: `Bearer ${success.Token.access_token}` } })).status).toBe(200);
    // The body form is not what the web client sends, and no 3CX source documents it.
    const asField = await postForm(`${pbx.url}/connect/token`, { grant_type: 'refresh_token', client_id: 'Webclient', refresh_token: success.Token.refresh_token });
    expect(asField.status).toBe(400);
    const cookie = { cookie: `RefreshTokenCookie=${success.Token.refresh_token}` };
    const refreshed = await postForm(`${pbx.url}/connect/token`, { grant_type: 'refresh_token', client_id: 'Webclient' }, cookie);
    expect(await json(refreshed)).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String), expires_in: 3600 });
    const reused = await postForm(`${pbx.url}/connect/token`, { grant_type: 'refresh_token', client_id: 'Webclient' }, cookie);
    expect(reused.status).toBe(400);
  });

  it('answers 401 once the token has expired, by the PBX clock', async () => {
    let now = Date.now();
    pbx.state.now = () => now;
    try {
      pbx.knobs.set({ tokenLifetimeSeconds: 2 });
      const shortLived = await clientToken();
      token = shortLived;
      expect((await fetch(`${pbx.url}/xapi/v1/Users`, { headers: { authorization: `Bearer ${shortLived}` } })).status).toBe(200);
      now += 2100;
      const expired = await fetch(`${pbx.url}/xapi/v1/Users`, { headers: { authorization: `Bearer ${shortLived}` } });
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toContain('invalid_token');
      expect((await fetch(`${pbx.url}/xapi/v1/Users`)).status).toBe(401);
    } finally {
      pbx.state.now = () => Date.now();
      pbx.knobs.reset();
      token = await clientToken();
    }
  });
});

describe('3CX simulator: XAPI OData', () => {
  it('supports $filter, $orderby, $top, $skip, $select and $count', async () => {
    const all = await json<Collection>(await xapi('Users?$count=true&$top=10'));
    expect(all['@odata.count']).toBe(50);
    expect(all.value).toHaveLength(10);
    expect(all['@odata.context']).toBe(`${pbx.url}/xapi/v1/$metadata#Users`);
    const page2 = await json<Collection>(await xapi('Users?$orderby=Number asc&$skip=10&$top=5&$select=Id,Number,FirstName'));
    expect(page2.value.map((user) => user.Number)).toEqual(['110', '111', '112', '113', '114']);
    expect(Object.keys(page2.value[0] ?? {}).sort()).toEqual(['FirstName', 'Id', 'Number']);
    const filtered = await json<Collection>(await xapi(`Users?$filter=${encodeURIComponent("startswith(Number,'10') and Enabled eq true")}`));
    expect(filtered.value.every((user) => String(user.Number).startsWith('10') && user.Enabled === true)).toBe(true);
    const contains = await json<Collection>(await xapi(`Users?$filter=${encodeURIComponent("contains(EmailAddress,'oscar') or LastName ne 'Berg'")}&$count=true`));
    expect(contains['@odata.count']).toBe(pbx.state.users.filter((user) => user.EmailAddress.includes('oscar') || user.LastName !== 'Berg').length);
    const bad = await xapi(`Users?$filter=${encodeURIComponent("Nope eq 'x'")}`);
    expect(bad.status).toBe(400);
    expect(await json(bad)).toMatchObject({ error: { code: '', message: expect.stringContaining('Nope') } });
  });

  it('creates, reads, patches and batch-deletes users', async () => {
    const created = await xapi('Users', { method: 'POST', body: JSON.stringify({ Number: '777', FirstName: 'Test', LastName: 'User', EmailAddress: 'test.user@contoso.example' }) });
    expect(created.status).toBe(201);
    const user = await json<{ Id: number; DisplayName: string }>(created);
    expect(created.headers.get('location')).toBe(`${pbx.url}/xapi/v1/Users(${user.Id})`);
    expect(user.DisplayName).toBe('Test User');
    expect((await xapi(`Users(${user.Id})`, { method: 'PATCH', body: JSON.stringify({ Mobile: '+447700900123', OutboundCallerID: '+442079461001' }) })).status).toBe(204);
    expect(await json(await xapi(`Users(${user.Id})`))).toMatchObject({ Id: user.Id, Mobile: '+447700900123', OutboundCallerID: '+442079461001' });
    expect((await xapi('Users/Pbx.BatchDelete', { method: 'POST', body: JSON.stringify({ ids: [user.Id] }) })).status).toBe(200);
    expect((await xapi(`Users(${user.Id})`)).status).toBe(404);
  });

  it('BatchDelete takes lower-case ids, refuses Ids, and answers 200 with a UserDeleteError per user it kept', async () => {
    // Source: V20 swagger.yaml (3cx/xapi-tutorial swagger.yaml) /Users/Pbx.BatchDelete: body { ids: [int32] },
    // 200 value: [Pbx.UserDeleteError { ExtensionNumber, Error }].
    const make = async (number: string) => json<{ Id: number }>(await xapi('Users', { method: 'POST', body: JSON.stringify({ Number: number }) }));
    const kept = await make('781');
    const gone = await make('782');
    const pascal = await xapi('Users/Pbx.BatchDelete', { method: 'POST', body: JSON.stringify({ Ids: [gone.Id] }) });
    expect(pascal.status).toBe(400);
    expect(pbx.state.users.some((u) => u.Id === gone.Id)).toBe(true);
    pbx.state.undeletable.set('781', 'Extension is used in a call flow');
    try {
      const answer = await xapi('Users/Pbx.BatchDelete', { method: 'POST', body: JSON.stringify({ ids: [kept.Id, gone.Id] }) });
      expect(answer.status).toBe(200);
      expect((await json<Collection>(answer)).value).toEqual([{ ExtensionNumber: '781', Error: 'Extension is used in a call flow' }]);
      expect(pbx.state.users.some((u) => u.Id === kept.Id)).toBe(true);
      expect(pbx.state.users.some((u) => u.Id === gone.Id)).toBe(false);
    } finally {
      pbx.state.undeletable.clear();
    }
    expect((await json<Collection>(await xapi('Users/Pbx.BatchDelete', { method: 'POST', body: JSON.stringify({ ids: [kept.Id] }) }))).value).toEqual([]);
  });

  it("refuses to change an extension's Number, and takes every documented VMEmailOptions value", async () => {
    // Source: 3cx/xapi-tutorial src/users.spec.ts "Should not allow to change number" (the error text is
    // not shown there; the simulator answers the swagger's ODataError shape naming Number).
    const user = pbx.state.users[3]!;
    const renumber = await xapi(`Users(${user.Id})`, { method: 'PATCH', body: JSON.stringify({ Number: '7999' }) });
    expect(renumber.status).toBe(400);
    expect(await json(renumber)).toMatchObject({ error: { details: [{ target: 'Number' }] } });
    expect(pbx.state.users[3]!.Number).toBe(user.Number);
    expect((await xapi(`Users(${user.Id})`, { method: 'PATCH', body: JSON.stringify({ Number: user.Number, FirstName: 'Same' }) })).status).toBe(204);
    // Source: V20 swagger.yaml Pbx.VMEmailOptionsType.
    for (const option of ['None', 'Notification', 'Attachment', 'AttachmentAndDelete', 'VmailToMembers', 'EmailToExtrasOnly']) {
      expect((await xapi(`Users(${user.Id})`, { method: 'PATCH', body: JSON.stringify({ VMEmailOptions: option }) })).status).toBe(204);
    }
    expect((await xapi(`Users(${user.Id})`, { method: 'PATCH', body: JSON.stringify({ VMEmailOptions: 'Sometimes' }) })).status).toBe(400);
  });

  it('refuses a duplicate extension number with an OData validation error', async () => {
    const duplicate = await xapi('Users', { method: 'POST', body: JSON.stringify({ Number: '100', FirstName: 'Dup' }) });
    expect(duplicate.status).toBe(400);
    expect(await json(duplicate)).toEqual({ error: { code: '', message: 'Number:\nWARNINGS.XAPI.ALREADY_IN_USE', details: [{ code: '', message: 'WARNINGS.XAPI.ALREADY_IN_USE', target: 'Number' }] } });
    const patchDuplicate = await xapi(`Users(${pbx.state.users[1]?.Id})`, { method: 'PATCH', body: JSON.stringify({ Number: '100' }) });
    expect(patchDuplicate.status).toBe(400);
    const unknownField = await xapi('Users', { method: 'POST', body: JSON.stringify({ Number: '778', Extension: '778' }) });
    expect(unknownField.status).toBe(400);
  });

  it('lists trunks with DIDs and updates a trunk DidNumbers', async () => {
    const trunks = await json<Collection>(await xapi('Trunks'));
    expect(trunks.value).toHaveLength(2);
    const trunk = await json<{ DidNumbers: string[] }>(await xapi('Trunks(1)'));
    expect(trunk.DidNumbers).toHaveLength(20);
    const updated = [...trunk.DidNumbers, '+442079469999'];
    expect((await xapi('Trunks(1)', { method: 'PATCH', body: JSON.stringify({ DidNumbers: updated }) })).status).toBe(204);
    expect((await json<{ DidNumbers: string[] }>(await xapi('Trunks(1)'))).DidNumbers).toContain('+442079469999');
    const stolen = await xapi('Trunks(2)', { method: 'PATCH', body: JSON.stringify({ DidNumbers: ['+442079469999'] }) });
    expect(stolen.status).toBe(400);
    const dids = await json<Collection>(await xapi(`DidNumbers?$filter=${encodeURIComponent('TrunkId eq 2')}&$count=true`));
    expect(dids['@odata.count']).toBe(10);
    // Source: V20 swagger.yaml Pbx.DidNumber has Number, TrunkId, TemplateFileName, RoutingRule: no TrunkNumber.
    expect(dids.value.every((did) => did.TrunkId === 2 && !('TrunkNumber' in did))).toBe(true);
  });

  it('answers 405 to creating a DID on its own', async () => {
    const response = await xapi('DidNumbers', { method: 'POST', body: JSON.stringify({ Number: '+442079460001' }) });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(await json(response)).toMatchObject({ error: { message: expect.stringContaining('POST') } });
  });

  it('answers 405 to deleting a DID on its own: a DID leaves the PBX by patching its trunk', async () => {
    // Source: V20 swagger.yaml (3cx/xapi-tutorial) /DidNumbers lists only `get`; Pbx.Trunk.DidNumbers is a string array.
    const deleted = await xapi('DidNumbers', { method: 'DELETE', body: '{}' });
    expect(deleted.status).toBe(405);
    const trunk = await json<{ DidNumbers: string[] }>(await xapi('Trunks(2)'));
    const gone = trunk.DidNumbers[0]!;
    expect((await xapi('Trunks(2)', { method: 'PATCH', body: JSON.stringify({ DidNumbers: trunk.DidNumbers.slice(1) }) })).status).toBe(204);
    const dids = await json<Collection>(await xapi(`DidNumbers?$filter=${encodeURIComponent(`Number eq '${gone}'`)}&$count=true`));
    expect(dids['@odata.count']).toBe(0);
    await xapi('Trunks(2)', { method: 'PATCH', body: JSON.stringify({ DidNumbers: trunk.DidNumbers }) });
  });

  it('serves the SystemStatus singleton with the PBX version and its totals', async () => {
    // Source: V20 swagger.yaml (3cx/xapi-tutorial) `/SystemStatus` (GetSystemStatus) answering Pbx.SystemStatus
    // { FQDN, Version, Activated, MaxSimCalls, ExtensionsRegistered, ExtensionsTotal, TrunksRegistered, TrunksTotal,
    // CallsActive, … }; src/system-information.spec.ts "Show system status" (SystemStatusApi.getSystemStatus).
    const status = await json(await xapi('SystemStatus'));
    expect(status).toMatchObject({ FQDN: pbx.state.fqdn, Version: pbx.state.version, Activated: true, ExtensionsTotal: pbx.state.users.length, TrunksTotal: 2, TrunksRegistered: 1 });
    expect(typeof status.Version).toBe('string');
    expect(String(status['@odata.context'])).toContain('$metadata#SystemStatus');
    // A singleton: not a collection, and read-only here.
    expect('value' in status).toBe(false);
    expect((await xapi('SystemStatus', { method: 'PATCH', body: '{}' })).status).toBe(405);
    // $count on a collection, as the app counts extensions, trunks and DIDs (swagger `count` parameter, @odata.count).
    expect((await json<Collection>(await xapi('Users?$top=1&$count=true')))['@odata.count']).toBe(pbx.state.users.length);
  });

  it('throttles and injects faults like the other simulators', async () => {
    pbx.knobs.set({ failNext: { count: 1, status: 500 } });
    expect((await xapi('Users?$top=1')).status).toBe(500);
    pbx.knobs.set({ throttleRps: 1 });
    const statuses = await Promise.all([xapi('Users?$top=1'), xapi('Users?$top=1')]);
    expect(statuses.map((response) => response.status).sort()).toEqual([200, 429]);
  });
});

describe('3CX simulator: control endpoints', () => {
  it('counts tokens and sets the users whose deletion fails, from another process', async () => {
    const before = await json<{ issued: number; rejected: number; active: number }>(await fetch(`${pbx.url}/_sim/threecx/tokens`));
    token = await clientToken();
    const after = await json<{ issued: number; active: number }>(await fetch(`${pbx.url}/_sim/threecx/tokens`));
    expect(after.issued).toBe(before.issued + 1);
    const put = (body: unknown) => fetch(`${pbx.url}/_sim/threecx/undeletable`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put({ '105': 'In use by a call flow' })).status).toBe(200);
    const user = pbx.state.users.find((u) => u.Number === '105')!;
    const answer = await json<Collection>(await xapi('Users/Pbx.BatchDelete', { method: 'POST', body: JSON.stringify({ ids: [user.Id] }) }));
    expect(answer.value).toEqual([{ ExtensionNumber: '105', Error: 'In use by a call flow' }]);
    expect((await put({ '105': 5 })).status).toBe(400);
    expect((await put({})).status).toBe(200);
  });
});
