import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedThreeCx, startThreeCxSimulator, type RunningThreeCxSimulator } from '../../../simulators/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * Issue #17 item 11: the PBX's version and counts on the tenant's 3CX page, and deleting a DID.
 * Sources: 3cx/xapi-tutorial swagger.yaml (`/SystemStatus` GetSystemStatus and Pbx.SystemStatus;
 * the `$count` parameter and `@odata.count`; `/DidNumbers` offers GET only; Pbx.Trunk.DidNumbers)
 * and src/system-information.spec.ts ("Show system status").
 */
describe.each(dbTargets())('3CX system and DID deletion on %s', (target) => {
  let t: TestApp;
  let pbx: RunningThreeCxSimulator;
  let admin: ApiClient;
  let tenantId: string;
  const apiClient = { clientId: 'ucr-api', clientSecret: 'pbx-secret-19d2c7e4' };
  const base = (path = '') => `/api/tenants/${tenantId}/threecx${path}`;

  beforeAll(async () => {
    t = await startTestApp(target);
    pbx = await startThreeCxSimulator({ port: 0, state: seedThreeCx({ userCount: 40, clientSecret: apiClient.clientSecret }) });
    t.secrets.add(apiClient.clientSecret);
    admin = (await t.signedInAs('admin')).client;
    tenantId = (await admin.post('/api/tenants', { name: '3CX system customer' })).body.id;
    expect((await admin.request('PUT', `/api/tenants/${tenantId}/connections/threecx`, { fqdn: 'pbx.customer.example', baseUrl: pbx.url, authMode: 'api_client', ...apiClient })).status).toBe(200);
  });
  beforeEach(() => pbx.knobs.reset());
  afterAll(async () => {
    for (const token of [...pbx.state.accessTokens.keys()]) t.secrets.add(token);
    expectNoSecretsInLogs(t);
    await t.close();
    await pbx.close();
  });

  it("shows the PBX's version from SystemStatus and counts extensions, trunks and DIDs with $count", async () => {
    const viewer = (await t.signedInAs('viewer')).client;
    const system = await viewer.get(base('/system'));
    expect(system.status).toBe(200);
    expect(system.body).toMatchObject({ version: '20.0.9.1012', fqdn: 'pbx.contoso.example', activated: true, statusProblem: null });
    expect(system.body.counts).toMatchObject({ extensions: 40, trunks: 2, dids: 30, trunksRegistered: 1, extensionsRegistered: pbx.state.users.filter((u) => u.Enabled).length });
    // A new version or a new extension on the PBX shows at once.
    pbx.state.version = '20.0.10.2001';
    pbx.state.users.pop();
    expect((await viewer.get(base('/system'))).body).toMatchObject({ version: '20.0.10.2001', counts: { extensions: 39 } });
  });

  it('still counts when the sign-in may not read SystemStatus, and says why the version is missing', async () => {
    pbx.knobs.set({ failNext: { count: 1, status: 403 }, faultMatch: 'GET /xapi/v1/SystemStatus' });
    const system = await admin.get(base('/system'));
    expect(system.status).toBe(200);
    expect(system.body.version).toBeNull();
    expect(system.body.statusProblem).toContain('3CX did not give its version to this sign-in');
    expect(system.body.counts).toMatchObject({ trunks: 2, dids: 30, extensionsRegistered: null });
  });

  it("deletes a free DID by taking it off its trunk's DidNumbers, audited", async () => {
    const did = pbx.state.trunks[1]!.DidNumbers.find((d) => !pbx.state.users.some((u) => u.OutboundCallerID === d))!;
    const answer = await admin.request('DELETE', base(`/dids/${encodeURIComponent(did)}`), { ticketId: null });
    expect(answer.status).toBe(200);
    expect(answer.body.didNumbers).not.toContain(did);
    expect(pbx.state.trunks[1]!.DidNumbers).not.toContain(did);
    expect(pbx.state.trunks[1]!.DidNumbers).toHaveLength(9);
    expect(((await admin.get(base('/dids'))).body.dids as Array<{ number: string }>).some((d) => d.number === did)).toBe(false);
    expect((await admin.get(base('/system'))).body.counts.dids).toBe(29);
    const audit = (await admin.get(`/api/audit?action=threecx.did_deleted&tenantId=${tenantId}`)).body.events;
    expect(audit[0]).toMatchObject({ action: 'threecx.did_deleted', result: 'success', targetType: 'threecx_trunk', targetId: '2' });
    // Deleting it again: the PBX no longer has it.
    expect((await admin.request('DELETE', base(`/dids/${encodeURIComponent(did)}`))).status).toBe(404);
  });

  it("refuses to delete a DID that is an extension's caller id, says what to do, and changes nothing", async () => {
    const user = pbx.state.users.find((u) => u.OutboundCallerID && pbx.state.trunks[0]!.DidNumbers.includes(u.OutboundCallerID))!;
    const before = [...pbx.state.trunks[0]!.DidNumbers];
    const refused = await admin.request('DELETE', base(`/dids/${encodeURIComponent(user.OutboundCallerID)}`));
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'threecx_did_in_use', message: `${user.OutboundCallerID} is the outbound caller id of extension ${user.Number} (${user.DisplayName}). Give that extension another DID first, then delete this one.` });
    expect(pbx.state.trunks[0]!.DidNumbers).toEqual(before);
    const audit = (await admin.get(`/api/audit?action=threecx.did_deleted&tenantId=${tenantId}`)).body.events;
    expect(audit[0]).toMatchObject({ result: 'failure', targetType: 'threecx_did', targetId: user.OutboundCallerID });
  });

  it('a viewer cannot delete a DID; a bad number is a 400', async () => {
    const viewer = (await t.signedInAs('viewer')).client;
    const did = pbx.state.trunks[0]!.DidNumbers.at(-1)!;
    expect((await viewer.request('DELETE', base(`/dids/${encodeURIComponent(did)}`))).status).toBe(403);
    const bad = await admin.request('DELETE', base('/dids/12345'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('must be an E.164 number');
    expect(pbx.state.trunks[0]!.DidNumbers).toContain(did);
  });
});
