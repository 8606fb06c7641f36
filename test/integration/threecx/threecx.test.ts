import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedThreeCx, startThreeCxSimulator, type RunningThreeCxSimulator } from '../../../simulators/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { dumpDatabase, expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

type Extension = { id: number; number: string; firstName: string; outboundCallerId: string; did: { numberId: string; e164: string } | null };
type Drift = { kind: string; e164: string; numberId: string | null; fix: string | null; system: { assigneeId: string | null } | null };

describe.each(dbTargets())('3CX users, DIDs, trunks and inventory on %s', (target) => {
  let t: TestApp;
  let pbx: RunningThreeCxSimulator;
  let admin: ApiClient;
  let tenantId: string;
  const apiClient = { clientId: 'ucr-api', clientSecret: 'pbx-secret-7f3a91c2' };
  const adminLogin = { username: 'admin', password: 'pbx-admin-pw-51e8', code: '246810' };
  const base = (path = '') => `/api/tenants/${tenantId}/threecx${path}`;
  const numberOf = async (e164: string) => (await admin.get(`/api/tenants/${tenantId}/numbers?search=${encodeURIComponent(e164.slice(1))}`)).body.numbers.find((n: { e164: string }) => n.e164 === e164);

  beforeAll(async () => {
    t = await startTestApp(target);
    pbx = await startThreeCxSimulator({ port: 0, state: seedThreeCx({ userCount: 1100, clientSecret: apiClient.clientSecret, adminPassword: adminLogin.password, adminSecurityCode: adminLogin.code }) });
    t.secrets.add(apiClient.clientSecret);
    t.secrets.add(adminLogin.password);
    admin = (await t.signedInAs('admin')).client;
    tenantId = (await admin.post('/api/tenants', { name: '3CX customer', overrides: { coolingDays: 30 } })).body.id;
    const saved = await admin.request('PUT', `/api/tenants/${tenantId}/connections/threecx`, { fqdn: 'pbx.customer.example', baseUrl: pbx.url, authMode: 'api_client', ...apiClient });
    expect(saved.status).toBe(200);
  });
  beforeEach(() => pbx.knobs.reset());
  afterAll(async () => {
    const tokens = [...pbx.state.refreshTokens.keys(), ...pbx.state.accessTokens.keys()];
    for (const token of tokens) t.secrets.add(token);
    const dump = await dumpDatabase(t);
    // The shared token holder keeps access and refresh tokens encrypted like every other secret.
    for (const secret of [apiClient.clientSecret, adminLogin.password, ...tokens]) expect(dump).not.toContain(secret);
    expectNoSecretsInLogs(t);
    await t.close();
    await pbx.close();
  });

  it('keeps the API client secret write-only and tests the connection', async () => {
    const view = await admin.get(`/api/tenants/${tenantId}/connections/threecx`);
    expect(view.body).toMatchObject({ configured: true, authMode: 'api_client', clientId: 'ucr-api', clientSecretSet: true, fqdn: 'pbx.customer.example' });
    expect(JSON.stringify(view.body)).not.toContain(apiClient.clientSecret);
    const test = await admin.post(`/api/tenants/${tenantId}/connections/threecx/test`);
    expect(test.body).toMatchObject({ ok: true, twoFactorRequired: false });
    expect(test.body.steps[1].message).toContain('1100 extension(s), 2 trunk(s), 30 DID(s)');
    // A save without the secret keeps the stored one.
    expect((await admin.request('PUT', `/api/tenants/${tenantId}/connections/threecx`, { fqdn: 'pbx.customer.example', baseUrl: pbx.url, authMode: 'api_client', clientId: 'ucr-api' })).body.clientSecretSet).toBe(true);
    expect((await admin.post(`/api/tenants/${tenantId}/connections/threecx/test`)).body.ok).toBe(true);
  });

  it('admin sign-in asks for the 2FA code, then works on its session; a wrong secret is explained', async () => {
    const other = (await admin.post('/api/tenants', { name: '3CX admin-mode' })).body.id;
    await admin.request('PUT', `/api/tenants/${other}/connections/threecx`, { fqdn: 'pbx.customer.example', baseUrl: pbx.url, authMode: 'admin', username: adminLogin.username, password: adminLogin.password });
    const first = await admin.post(`/api/tenants/${other}/connections/threecx/test`);
    expect(first.body).toMatchObject({ ok: false, twoFactorRequired: true });
    expect(first.body.steps[0].message).toMatch(/2FA code/);
    const listing = await admin.get(`/api/tenants/${other}/threecx/extensions`);
    expect(listing.status).toBe(409);
    expect(listing.body.error.code).toBe('threecx_two_factor_required');
    const wrong = await admin.post(`/api/tenants/${other}/connections/threecx/test`, { securityCode: '000000' });
    expect(wrong.body.steps[0].message).toMatch(/2FA code is wrong/);
    const opened = await admin.post(`/api/tenants/${other}/connections/threecx/test`, { securityCode: adminLogin.code });
    expect(opened.body.ok).toBe(true);
    expect((await admin.get(`/api/tenants/${other}/connections/threecx`)).body).toMatchObject({ sessionOpen: true, passwordSet: true, authMode: 'admin' });
    expect((await admin.get(`/api/tenants/${other}/threecx/extensions?pageSize=5`)).body.total).toBe(1100);
    // Another password is another sign-in: the session opened with the old one is not lent to it.
    t.secrets.add('another-admin-password');
    await admin.request('PUT', `/api/tenants/${other}/connections/threecx`, { fqdn: 'pbx.customer.example', baseUrl: pbx.url, authMode: 'admin', username: adminLogin.username, password: 'another-admin-password' });
    expect((await admin.get(`/api/tenants/${other}/connections/threecx`)).body.sessionOpen).toBe(false);

    await admin.request('PUT', `/api/tenants/${other}/connections/threecx`, { fqdn: 'pbx.customer.example', baseUrl: pbx.url, authMode: 'api_client', clientId: 'ucr-api', clientSecret: 'wrong-secret' });
    const bad = await admin.post(`/api/tenants/${other}/connections/threecx/test`);
    expect(bad.body.ok).toBe(false);
    expect(bad.body.steps[0].message).toMatch(/refused the API client id or secret/);
  });

  it('lists 1,100 extensions paged and searched on the PBX, and survives an expired token', async () => {
    const last = await admin.get(`${base('/extensions')}?page=6&pageSize=200`);
    expect(last.body.total).toBe(1100);
    expect(last.body.extensions).toHaveLength(100);
    const someone = pbx.state.users[321]!;
    const found = await admin.get(`${base('/extensions')}?search=${encodeURIComponent(someone.EmailAddress)}`);
    expect(found.body.extensions.map((e: Extension) => e.id)).toEqual([someone.Id]);
    pbx.knobs.set({ tokenLifetimeSeconds: 1 });
    await admin.post(`/api/tenants/${tenantId}/connections/threecx/test`); // a fresh client with a 1-second token
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await admin.get(`${base('/extensions')}?pageSize=1`)).status).toBe(200);
  });

  it('imports the PBX DIDs into the inventory and reconciles drift in both directions', async () => {
    const first = (await admin.get(base('/reconcile'))).body;
    expect(first.systemNumbers).toBe(30);
    expect(first.items.filter((i: Drift) => i.kind === 'missing_in_inventory')).toHaveLength(30);
    expect((await admin.post(base('/reconcile/fix'), { numbers: 'all' })).body).toMatchObject({ fixed: 30, skipped: 0 });
    expect((await admin.get(base('/reconcile'))).body.items).toEqual([]);
    const used = pbx.state.users.find((u) => pbx.state.trunks[0]!.DidNumbers.includes(u.OutboundCallerID))!;
    const imported = await numberOf(used.OutboundCallerID);
    expect(imported).toMatchObject({ kind: 'threecx_did', status: 'assigned', assignee: { type: 'threecx_extension', id: used.Number } });

    // PBX → inventory: an extension takes a free DID; an extension holding one is deleted on the PBX.
    const freeDid = pbx.state.trunks[1]!.DidNumbers[0]!;
    const taker = pbx.state.users[900]!;
    taker.OutboundCallerID = freeDid;
    const gone = pbx.state.users.find((u) => u.OutboundCallerID === pbx.state.trunks[0]!.DidNumbers.find((d) => d !== used.OutboundCallerID && pbx.state.users.some((x) => x.OutboundCallerID === d)))!;
    pbx.state.users = pbx.state.users.filter((u) => u.Id !== gone.Id);
    // Inventory → PBX: a 3CX DID the inventory holds that no trunk has.
    expect((await admin.post(`/api/tenants/${tenantId}/numbers`, { number: '+13125559999', kind: 'threecx_did' })).status).toBe(201);

    const drift = (await admin.get(base('/reconcile'))).body.items as Drift[];
    const kinds = Object.fromEntries(drift.map((d) => [d.e164, d.kind]));
    expect(kinds).toEqual({ [freeDid]: 'free_in_inventory', [gone.OutboundCallerID]: 'unassigned_in_system', '+13125559999': 'missing_in_system' });
    expect((await admin.post(base('/reconcile/fix'), { numbers: [freeDid, gone.OutboundCallerID, '+13125559999'] })).body).toMatchObject({ fixed: 3 });
    expect((await admin.get(base('/reconcile'))).body.items).toEqual([]);
    expect(await numberOf(freeDid)).toMatchObject({ status: 'assigned', assignee: { id: taker.Number } });
    expect(await numberOf(gone.OutboundCallerID)).toMatchObject({ status: 'cooling', assignee: null });
    expect(await numberOf('+13125559999')).toMatchObject({ status: 'retired' });
  });

  it('creates, updates and deletes an extension with an inventory DID through the lifecycle, audited with the ticket; reverts', async () => {
    const dids = (await admin.get(base('/dids'))).body.dids as Array<{ number: string; extension: unknown; inventory: { numberId: string; status: string } | null }>;
    const free = dids.filter((d) => !d.extension && d.inventory?.status === 'available');
    expect(free.length).toBeGreaterThan(2);
    const [one, two] = [free[0]!, free[1]!];

    const created = await admin.post(base('/extensions'), { number: '7100', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@customer.example', mobile: '+447900000100', did: { numberId: one.inventory!.numberId }, ticketId: '4711' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ number: '7100', displayName: 'Ada Lovelace', outboundCallerId: one.number, did: { e164: one.number } });
    expect(pbx.state.users.find((u) => u.Number === '7100')).toMatchObject({ OutboundCallerID: one.number, EmailAddress: 'ada@customer.example' });
    expect(await numberOf(one.number)).toMatchObject({ status: 'assigned', assignee: { type: 'threecx_extension', id: '7100', name: 'Ada Lovelace' } });
    const id = created.body.id as number;

    const renamed = await admin.patch(base(`/extensions/${id}`), { firstName: 'Augusta', ticketId: '4711' });
    expect(renamed.body).toMatchObject({ firstName: 'Augusta', displayName: 'Augusta Lovelace', did: { e164: one.number } });
    expect(pbx.state.users.find((u) => u.Id === created.body.id)).toMatchObject({ FirstName: 'Augusta', DisplayName: 'Augusta Lovelace' });
    const moved = await admin.patch(base(`/extensions/${id}`), { did: { numberId: two.inventory!.numberId } });
    expect(moved.body.did.e164).toBe(two.number);
    expect(await numberOf(one.number)).toMatchObject({ status: 'cooling' });
    expect(await numberOf(two.number)).toMatchObject({ status: 'assigned', assignee: { id: '7100' } });

    const changes = (await admin.get(base('/changes'))).body.changes as Array<{ id: number; action: string; ticketId: string | null; before: Extension | null; after: Extension | null }>;
    expect(changes[0]).toMatchObject({ action: 'threecx.extension_updated', before: { did: { e164: one.number } }, after: { did: { e164: two.number } } });
    expect(changes.find((c) => c.action === 'threecx.extension_created')).toMatchObject({ ticketId: '4711', before: null, after: { number: '7100' } });
    // Revert the DID move: the old number comes back out of cooling, the new one is released.
    const reverted = await admin.post(base(`/changes/${changes[0]!.id}/revert`));
    expect(reverted.status).toBe(200);
    expect(reverted.body.did.e164).toBe(one.number);
    expect(await numberOf(one.number)).toMatchObject({ status: 'assigned', assignee: { id: '7100' } });
    expect(await numberOf(two.number)).toMatchObject({ status: 'cooling' });

    const deleted = await admin.delete(`${base(`/extensions/${id}`)}?ticketId=4712`);
    expect(deleted.status).toBe(200);
    expect(pbx.state.users.some((u) => u.Id === id)).toBe(false);
    const back = await numberOf(one.number);
    expect(back).toMatchObject({ status: 'cooling', assignee: null });
    const history = (await admin.get(`/api/tenants/${tenantId}/numbers/${back.id}/history`)).body.events as Array<{ action: string; ticketId: string | null }>;
    expect(history.map((e) => e.action)).toEqual(expect.arrayContaining(['number.claim', 'number.assign', 'number.release']));
    expect(history.find((e) => e.action === 'number.release' && e.ticketId === '4712')).toBeTruthy();

    // Revert the deletion: the extension comes back with its DID.
    const deletion = (await admin.get(base('/changes'))).body.changes.find((c: { action: string }) => c.action === 'threecx.extension_deleted');
    const restored = await admin.post(base(`/changes/${deletion.id}/revert`));
    expect(restored.body).toMatchObject({ number: '7100', firstName: 'Augusta', did: { e164: one.number } });
    expect(await numberOf(one.number)).toMatchObject({ status: 'assigned' });
  });

  it("refuses a changed extension number with a 400 that says what to do, and changes nothing", async () => {
    // 3CX refuses it too (3cx/xapi-tutorial src/users.spec.ts "Should not allow to change number").
    const created = await admin.post(base('/extensions'), { number: '7300', firstName: 'Fixed', lastName: 'Number' });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const auditBefore = (await admin.get(base('/changes'))).body.changes.length;
    const renumber = await admin.patch(base(`/extensions/${id}`), { number: '7301', firstName: 'Other' });
    expect(renumber.status).toBe(400);
    expect(renumber.body.error.message).toBe("Extension 7300 keeps its number: 3CX does not allow changing an extension's number. To move the user to 7301, use Renumber, which creates extension 7301, moves the DID to it and deletes extension 7300. Nothing was changed.");
    expect(renumber.body.error.details.fields).toEqual([{ field: 'number', message: '3CX does not allow changing an extension number' }]);
    expect(pbx.state.users.find((u) => u.Id === id)).toMatchObject({ Number: '7300', FirstName: 'Fixed' });
    expect((await admin.get(base('/changes'))).body.changes.length).toBe(auditBefore);
    // The number sent back unchanged (as a full form does) is fine.
    expect((await admin.patch(base(`/extensions/${id}`), { number: '7300', firstName: 'Still' })).status).toBe(200);
    expect((await admin.delete(base(`/extensions/${id}`))).status).toBe(200);
  });

  it('renumbers as one audited action: new extension, DID moved (still assigned), old one deleted; undone when 3CX keeps the old one', async () => {
    const free = ((await admin.get(base('/dids'))).body.dids as Array<{ number: string; extension: unknown; inventory: { numberId: string; status: string } | null }>).find((d) => !d.extension && d.inventory?.status === 'available')!;
    const created = await admin.post(base('/extensions'), { number: '7500', firstName: 'Re', lastName: 'Numbered', email: 're.numbered@customer.example', voicemailEmail: 'EmailToExtrasOnly', did: { numberId: free.inventory!.numberId } });
    expect(created.status).toBe(201);
    const oldId = created.body.id as number;

    // 3CX keeps the old extension: the new one is removed again, nothing changed.
    pbx.state.undeletable.set('7500', 'The extension is an agent of queue 800');
    const usersBefore = pbx.state.users.length;
    const refused = await admin.post(base(`/extensions/${oldId}/renumber`), { number: '7501', ticketId: '4714' });
    pbx.state.undeletable.clear();
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('3CX did not delete extension 7500 (7500: The extension is an agent of queue 800), so it was not renumbered. The new extension 7501 was removed again; nothing was changed.');
    expect(pbx.state.users.length).toBe(usersBefore);
    expect(pbx.state.users.some((u) => u.Number === '7501')).toBe(false);
    expect(await numberOf(free.number)).toMatchObject({ status: 'assigned', assignee: { id: '7500' } });

    // A number in use is refused before anything happens.
    const taken = await admin.post(base(`/extensions/${oldId}/renumber`), { number: pbx.state.users[0]!.Number });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('threecx_extension_taken');

    const moved = await admin.post(base(`/extensions/${oldId}/renumber`), { number: '7501', ticketId: '4714' });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ number: '7501', firstName: 'Re', lastName: 'Numbered', email: 're.numbered@customer.example', voicemailEmail: 'EmailToExtrasOnly', outboundCallerId: free.number, did: { e164: free.number } });
    expect(pbx.state.users.some((u) => u.Id === oldId)).toBe(false);
    expect(pbx.state.users.find((u) => u.Number === '7501')).toMatchObject({ OutboundCallerID: free.number, VMEmailOptions: 'EmailToExtrasOnly' });
    // The DID never left "assigned": no cooling between the two extensions.
    const number = await numberOf(free.number);
    expect(number).toMatchObject({ status: 'assigned', assignee: { type: 'threecx_extension', id: '7501' } });
    const history = (await admin.get(`/api/tenants/${tenantId}/numbers/${number.id}/history`)).body.events as Array<{ action: string }>;
    expect(history.map((e) => e.action)).not.toContain('number.release');
    expect(history.map((e) => e.action)).toContain('number.assignee_renamed');
    const changes = (await admin.get(base('/changes'))).body.changes as Array<{ action: string; result: string; ticketId: string | null; before: Extension | null; after: Extension | null }>;
    expect(changes[0]).toMatchObject({ action: 'threecx.extension_renumbered', result: 'success', ticketId: '4714', before: { number: '7500' }, after: { number: '7501' } });
    expect(changes.find((c) => c.action === 'threecx.extension_renumbered' && c.result === 'failure')).toBeTruthy();
    expect((await admin.delete(base(`/extensions/${moved.body.id}`))).status).toBe(200);
  });

  it('a delete 3CX answers with a UserDeleteError keeps the extension and its DID assigned, and says why', async () => {
    // 3CX answers Users/Pbx.BatchDelete 200 with value: [UserDeleteError { ExtensionNumber, Error }] (V20 swagger.yaml).
    const free = ((await admin.get(base('/dids'))).body.dids as Array<{ number: string; extension: unknown; inventory: { numberId: string; status: string } | null }>).find((d) => !d.extension && d.inventory?.status === 'available')!;
    const created = await admin.post(base('/extensions'), { number: '7400', firstName: 'Queue', lastName: 'Member', did: { numberId: free.inventory!.numberId } });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    pbx.state.undeletable.set('7400', 'The extension is an agent of queue 800');
    try {
      const refused = await admin.delete(`${base(`/extensions/${id}`)}?ticketId=4713`);
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: 'threecx_delete_refused', message: `3CX did not delete extension 7400 (7400: The extension is an agent of queue 800). The extension keeps its DID ${free.number}; nothing was changed in the inventory.` });
      expect(pbx.state.users.some((u) => u.Id === id)).toBe(true);
      expect(await numberOf(free.number)).toMatchObject({ status: 'assigned', assignee: { type: 'threecx_extension', id: '7400' } });
      const latest = (await admin.get(base('/changes'))).body.changes[0];
      expect(latest).toMatchObject({ action: 'threecx.extension_deleted', result: 'failure', extension: '7400', ticketId: '4713', error: expect.stringContaining('agent of queue 800') });
    } finally {
      pbx.state.undeletable.clear();
    }
    expect((await admin.delete(base(`/extensions/${id}`))).status).toBe(200);
    expect(await numberOf(free.number)).toMatchObject({ status: 'cooling' });
  });

  it('a duplicate extension number is refused in plain words and nothing changes', async () => {
    const free = ((await admin.get(base('/dids'))).body.dids as Array<{ number: string; extension: unknown; inventory: { numberId: string; status: string } | null }>).find((d) => !d.extension && d.inventory?.status === 'available')!;
    const count = pbx.state.users.length;
    const taken = pbx.state.users[0]!;
    const dup = await admin.post(base('/extensions'), { number: taken.Number, firstName: 'Dup', did: { numberId: free.inventory!.numberId } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe(`Extension ${taken.Number} is already in use on this PBX (${taken.DisplayName}). Nothing was changed.`);
    expect(pbx.state.users.length).toBe(count);
    expect(await numberOf(free.number)).toMatchObject({ status: 'available' });
    // The PBX's own validation answer is in plain words too: a DID already on another trunk.
    const trunk = pbx.state.trunks[1]!;
    const refused = await admin.patch(base(`/trunks/${trunk.Id}`), { didNumbers: [...trunk.DidNumbers, pbx.state.trunks[0]!.DidNumbers[0]!] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe('DID numbers is already in use on this PBX. Nothing was changed.');
    expect(trunk.DidNumbers).toHaveLength(10);
  });

  it('creating a DID is explained (405) with the console link; trunks are listed, viewed and updated', async () => {
    const create = await admin.post(base('/dids'), { number: '+442079469999', trunkId: 1 });
    expect(create.status).toBe(409);
    expect(create.body.error.code).toBe('threecx_did_create_not_supported');
    expect(create.body.error.message).toMatch(/405 Method Not Allowed.*3CX admin console/);
    expect(create.body.error.details.consoleUrl).toBe(pbx.url);

    const trunks = (await admin.get(base('/trunks'))).body.trunks;
    expect(trunks.map((x: { name: string }) => x.name)).toEqual(['Carrier One', 'Carrier Two']);
    const updated = await admin.patch(base('/trunks/2'), { simultaneousCalls: 14, direction: 'Inbound', ticketId: '99' });
    expect(updated.body).toMatchObject({ simultaneousCalls: 14, direction: 'Inbound' });
    expect((await admin.get(base('/trunks/2'))).body.simultaneousCalls).toBe(14);
    const moved = await admin.patch(`${base(`/dids/${encodeURIComponent(pbx.state.trunks[1]!.DidNumbers[9]!)}`)}`, { trunkId: 1 });
    expect(moved.status).toBe(200);
    expect(pbx.state.trunks[0]!.DidNumbers).toContain('+13125552009');
  });

  it('scope, roles and the feature flag hold', async () => {
    const viewer = (await t.signedInAs('viewer')).client;
    expect((await viewer.get(`${base('/extensions')}?pageSize=2`)).status).toBe(200);
    const write = await viewer.post(base('/extensions'), { number: '7200' });
    expect(write.status).toBe(403);
    const scoped = await t.signedInAs('operator');
    const elsewhere = (await admin.post('/api/tenants', { name: '3CX elsewhere' })).body.id;
    await admin.patch(`/api/operators/${scoped.operatorId}`, { allTenants: false, tenantIds: [elsewhere] });
    expect((await scoped.client.get(`${base('/extensions')}`)).status).toBe(404);
    expect((await scoped.client.post(base('/extensions'), { number: '7201' })).status).toBe(404);
    expect(pbx.state.users.some((u) => u.Number === '7200' || u.Number === '7201')).toBe(false);

    await admin.patch(`/api/tenants/${tenantId}`, { overrides: { threecx: false } });
    const off = await admin.get(base('/extensions'));
    expect(off.status).toBe(409);
    expect(off.body.error).toMatchObject({ code: 'threecx_disabled', message: '3CX is switched off for 3CX customer. An admin can switch it on in the tenant\'s settings.' });
    await admin.patch(`/api/tenants/${tenantId}`, { overrides: { threecx: null } });
    expect((await admin.get(`${base('/extensions')}?pageSize=1`)).status).toBe(200);
  });
});
