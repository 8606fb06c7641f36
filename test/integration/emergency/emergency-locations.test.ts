import { fileURLToPath } from 'node:url';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, phoneNumbers } from '../../../src/db/schema/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

const fakePwsh = fileURLToPath(new URL('../../fixtures/fake-pwsh.mjs', import.meta.url));

async function postCsv(t: TestApp, admin: ApiClient, path: string, csv: string) {
  const r = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'text/csv', cookie: `ucr_session=${admin.cookie}`, 'x-csrf-token': admin.csrfToken! }, body: csv });
  return { status: r.status, body: await r.json() };
}

describe.each(dbTargets())('emergency locations with the PowerShell bridge on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let admin: ApiClient;
  let tenantId: string;
  let numbers: Record<string, string>;
  const lis = async () => (await fetch(`${fx.graph.url}/_sim/tenants/${fx.microsoftTenantId}/lis`)).json();
  const teamsNumber = (e164: string) => fx.seeded.tenant.numbers.get(e164)!;
  const inventory = async (e164: string) => (await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.e164, e164)))[0]!;
  let nextUser = 0;
  const ready = () => fx.seeded.byProfile.readyForVoice[nextUser++]!;
  let nextNumber = 0;
  const freeNumber = () => Object.keys(numbers)[nextNumber++]!;
  async function settled(changeId: string) {
    for (let i = 0; i < 150; i++) {
      const change = await admin.get(`/api/tenants/${tenantId}/voice-changes/${changeId}`);
      if (change.body.status !== 'pending') return change.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('change still pending');
  }
  async function finished(jobId: string) {
    for (let i = 0; i < 300; i++) {
      const job = (await admin.get(`/api/tenants/${tenantId}/bulk-assignments/${jobId}`)).body;
      if (job.status === 'completed' || job.status === 'cancelled') return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('bulk job did not finish');
  }
  let hq: { locationId: string; civicAddressId: string };
  let floor2: { locationId: string };
  let london: { locationId: string };

  beforeAll(async () => {
    fx = await startTeamsSimulators({ users: 60, seed: 19 });
    // The stand-in for pwsh reads and writes the simulated tenant's Location Information Service.
    process.env.FAKE_PWSH_GRAPH_URL = fx.graph.url;
    t = await startTestApp(target, { UCR_PWSH_PATH: fakePwsh }, { withQueue: true });
    t.secrets.add(fx.clientSecret);
    admin = (await t.signedInAs('admin')).client;
    ({ tenantId, numbers } = await connectedTenant(admin, fx));
    // The bridge signs in with the Teams certificate: switch the tenant to certificate authentication.
    await admin.request('PUT', `/api/tenants/${tenantId}/connections/teams`, { clientId: fx.clientId, authMethod: 'certificate', cloud: 'custom', loginBaseUrl: fx.entra.url, graphBaseUrl: fx.graph.url });
    const generated = await admin.post(`/api/tenants/${tenantId}/connections/teams/certificate/generate`);
    await fetch(`${fx.entra.url}/_sim/tenants/${fx.microsoftTenantId}/apps/${fx.clientId}/certificates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pem: generated.body.certificatePem }) });
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await fx.close();
  });

  it('refreshes the addresses and locations from Teams through the bridge, with the source and time of the refresh', async () => {
    const empty = (await admin.get(`/api/tenants/${tenantId}/emergency/locations`)).body;
    expect(empty).toEqual({ locations: [], lastRefresh: null, powershellBridge: true });
    const refreshed = await admin.post(`/api/tenants/${tenantId}/emergency/locations/refresh`);
    expect(refreshed.status).toBe(200);
    const labels = refreshed.body.locations.map((l: { label: string }) => l.label);
    expect(labels).toEqual(expect.arrayContaining(['London Office', 'Redmond HQ', 'Redmond HQ — Floor 2']));
    expect(refreshed.body.lastRefresh).toMatchObject({ source: 'powershell' });
    const seeded = await lis();
    const hqAddress = seeded.addresses.find((a: { description: string }) => a.description === 'Redmond HQ');
    hq = { locationId: hqAddress.defaultLocationId, civicAddressId: hqAddress.civicAddressId };
    floor2 = refreshed.body.locations.find((l: { place: string }) => l.place === 'Floor 2');
    london = refreshed.body.locations.find((l: { label: string }) => l.label === 'London Office');
    expect(refreshed.body.locations.find((l: { locationId: string }) => l.locationId === hq.locationId)).toMatchObject({ isDefault: true, city: 'Redmond', countryOrRegion: 'US', postalCode: '98052' });
    const [event] = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'emergency.locations_refreshed'), eq(auditEvents.tenantId, tenantId)));
    expect(event!.after).toMatchObject({ source: 'powershell', addresses: 2, locations: 3 });
  });

  it('creates an address and a place in Teams from UCR (New-CsOnlineLisCivicAddress, New-CsOnlineLisLocation)', async () => {
    const created = await admin.post(`/api/tenants/${tenantId}/emergency/addresses`, { companyName: 'Contoso', countryOrRegion: 'us', description: 'Bellevue Office', houseNumber: '500', streetName: 'Main St', city: 'Bellevue', stateOrProvince: 'WA', postalCode: '98004', place: 'Reception' });
    expect(created.status).toBe(201);
    expect(created.body.locations.map((l: { label: string; source: string }) => [l.label, l.source])).toEqual(expect.arrayContaining([['Bellevue Office', 'ucr'], ['Bellevue Office — Reception', 'ucr']]));
    const state = await lis();
    expect(state.addresses.find((a: { civicAddressId: string }) => a.civicAddressId === created.body.civicAddressId)).toMatchObject({ city: 'Bellevue', countryOrRegion: 'US' });
    const place = await admin.post(`/api/tenants/${tenantId}/emergency/locations`, { civicAddressId: created.body.civicAddressId, place: 'Warehouse' });
    expect(place.status).toBe(201);
    expect((await lis()).locations.map((l: { location: string }) => l.location)).toContain('Warehouse');
  });

  it('an assignment without a location takes the site default; an explicit one (by name) wins; both reach Teams and the inventory', async () => {
    const site = (await admin.post(`/api/tenants/${tenantId}/sites`, { name: 'Redmond HQ site' })).body;
    expect((await admin.request('PUT', `/api/tenants/${tenantId}/emergency/defaults/sites/${site.id}`, { locationId: hq.locationId })).status).toBe(200);
    const [n1, n2] = [freeNumber(), freeNumber()];
    for (const e164 of [n1, n2]) await admin.request('PATCH', `/api/tenants/${tenantId}/numbers/${numbers[e164]}`, { siteId: site.id });
    const [u1, u2] = [ready(), ready()];
    const first = await admin.post(`/api/tenants/${tenantId}/teams/users/${u1.id}/voice`, { number: { numberId: numbers[n1] } });
    expect(first.status).toBe(202);
    expect(first.body.requested.number.locationId).toBe(hq.locationId);
    expect((await settled(first.body.id)).status).toBe('succeeded');
    expect(teamsNumber(n1).locationId).toBe(hq.locationId);
    expect((await inventory(n1)).emergencyLocationId).toBe(hq.locationId);
    const second = await admin.post(`/api/tenants/${tenantId}/teams/users/${u2.id}/voice`, { number: { numberId: numbers[n2] }, locationId: 'floor 2' });
    expect((await settled(second.body.id)).status).toBe('succeeded');
    expect(teamsNumber(n2).locationId).toBe(floor2.locationId);
    expect((await inventory(n2)).emergencyLocationId).toBe(floor2.locationId);
    const unknown = await admin.post(`/api/tenants/${tenantId}/teams/users/${ready().id}/voice`, { number: { numberId: numbers[freeNumber()] }, locationId: 'Mars Base' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/not one of this tenant's emergency locations/);
  });

  it('sets and clears one assigned number\'s location with Graph updateNumber; each write is audited', async () => {
    const e164 = Object.keys(numbers)[0]!; // assigned above, at the site default
    const set = await admin.request('PUT', `/api/tenants/${tenantId}/numbers/${numbers[e164]}/emergency-location`, { locationId: london.locationId });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ appliedInTeams: true, number: { emergencyLocationId: london.locationId } });
    expect(teamsNumber(e164).locationId).toBe(london.locationId);
    const cleared = await admin.request('PUT', `/api/tenants/${tenantId}/numbers/${numbers[e164]}/emergency-location`, { locationId: null });
    expect(cleared.body.number.emergencyLocationId).toBeNull();
    expect(teamsNumber(e164).locationId).toBeNull(); // "" cleared it
    const events = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'number.emergency_location_set'), eq(auditEvents.targetId, numbers[e164]!)));
    expect(events.map((e) => (e.after as { emergencyLocationId: string | null }).emergencyLocationId)).toEqual(expect.arrayContaining([hq.locationId, london.locationId, null]));
  });

  it('a location UCR knows but Teams does not is refused by Graph: nothing changes and the refusal is on the record', async () => {
    const imported = await postCsv(t, admin, `/api/tenants/${tenantId}/emergency/locations/import`, 'LocationId,Description\r\nstale-location-id,Old office\r\n');
    expect(imported.status).toBe(200);
    const e164 = Object.keys(numbers)[1]!;
    const refused = await admin.request('PUT', `/api/tenants/${tenantId}/numbers/${numbers[e164]}/emergency-location`, { locationId: 'stale-location-id' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/Microsoft Graph refused the request: The location 'stale-location-id' was not found/);
    expect((await inventory(e164)).emergencyLocationId).toBe(floor2.locationId);
    const [failure] = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'number.emergency_location_set'), eq(auditEvents.result, 'failure'), eq(auditEvents.targetId, numbers[e164]!)));
    expect(failure!.error).toMatch(/was not found/);
  });

  it('reports numbers without a location and numbers off their default, and fixes them with one bulk job', async () => {
    const read = await admin.post(`/api/tenants/${tenantId}/emergency/report/read-teams`);
    expect(read.status).toBe(200);
    const [first, second] = Object.keys(numbers);
    expect(read.body.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ e164: first, problem: 'missing', defaultLocationId: hq.locationId, defaultFrom: 'site', fixable: true }),
        expect.objectContaining({ e164: second, problem: 'differs', locationLabel: 'Redmond HQ — Floor 2', defaultLabel: 'Redmond HQ', fixable: true }),
      ]),
    );
    const fix = await admin.post(`/api/tenants/${tenantId}/emergency/report/fix`, { numbers: [first, second] });
    expect(fix.status).toBe(202);
    expect(fix.body.rows).toBe(2);
    const job = await finished(fix.body.job.id);
    expect(job.counts).toMatchObject({ succeeded: 2, failed: 0 });
    expect(job.fileName).toBe('emergency-locations-fix.csv');
    expect(teamsNumber(first!).locationId).toBe(hq.locationId);
    expect(teamsNumber(second!).locationId).toBe(hq.locationId);
    const after = (await admin.get(`/api/tenants/${tenantId}/emergency/report`)).body;
    expect(after.issues.map((i: { e164: string }) => i.e164)).not.toContain(first);
    expect(after.issues.map((i: { e164: string }) => i.e164)).not.toContain(second);
  });

  it('a bulk CSV sets the location with the assignment (LocationId column, by id or name)', async () => {
    const [u, e164] = [ready(), freeNumber()];
    const csv = `UserPrincipalName,PhoneNumber,Location Id\r\n${u.userPrincipalName},${e164},London Office\r\n`;
    const dry = await postCsv(t, admin, `/api/tenants/${tenantId}/bulk-assignments?fileName=locations.csv`, csv);
    expect(dry.status).toBe(201);
    expect(dry.body.rows[0]).toMatchObject({ verdict: 'ok', input: { location: 'London Office' } });
    await admin.post(`/api/tenants/${tenantId}/bulk-assignments/${dry.body.id}/run`);
    expect((await finished(dry.body.id)).counts.succeeded).toBe(1);
    expect(teamsNumber(e164).locationId).toBe(london.locationId);
    const bad = await postCsv(t, admin, `/api/tenants/${tenantId}/bulk-assignments`, `PhoneNumber,LocationId\r\n${e164},Nowhere\r\n`);
    expect(bad.body.rows[0]).toMatchObject({ verdict: 'error', verdictMessage: expect.stringMatching(/not one of this tenant's emergency locations/) });
  });
});

describe.each(dbTargets())('emergency locations without the bridge on %s', (target) => {
  let t: TestApp;
  let admin: ApiClient;
  let tenantId: string;

  beforeAll(async () => {
    t = await startTestApp(target);
    admin = (await t.signedInAs('admin')).client;
    tenantId = (await admin.post('/api/tenants', { name: 'No bridge' })).body.id;
  });
  afterAll(() => t.close());

  it('refresh and create say the bridge is missing and point to the CSV import', async () => {
    expect((await admin.get(`/api/tenants/${tenantId}/emergency/locations`)).body.powershellBridge).toBe(false);
    const refresh = await admin.post(`/api/tenants/${tenantId}/emergency/locations/refresh`);
    expect(refresh.status).toBe(409);
    expect(refresh.body.error.message).toMatch(/Import them from a CSV export/);
    expect((await admin.post(`/api/tenants/${tenantId}/emergency/addresses`, { companyName: 'X', countryOrRegion: 'US' })).status).toBe(409);
  });

  it('imports a CSV export whatever the header case and spacing; a second import updates, never duplicates', async () => {
    const csv = ' Location Id ;CIVIC ADDRESS ID;location;Company Name;description;House Number;Street Name;City;State Or Province;Postal Code;Country Or Region\r\n' + 'loc-1;addr-1;;Fabrikam;Head office;1;High St;Leeds;;LS1 1AA;GB\r\n' + 'loc-2;addr-1;Floor 3;Fabrikam;Head office;1;High St;Leeds;;LS1 1AA;GB\r\n';
    const imported = await postCsv(t, admin, `/api/tenants/${tenantId}/emergency/locations/import?fileName=export.csv`, csv);
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ imported: 2, lastRefresh: { source: 'csv' } });
    expect(imported.body.locations.map((l: { label: string }) => l.label)).toEqual(['Head office', 'Head office — Floor 3']);
    const again = await postCsv(t, admin, `/api/tenants/${tenantId}/emergency/locations/import`, 'locationid,place,description\r\nloc-2,Floor 4,Head office\r\n');
    expect(again.body.locations.map((l: { label: string }) => l.label)).toEqual(['Head office', 'Head office — Floor 4']);
    const noId = await postCsv(t, admin, `/api/tenants/${tenantId}/emergency/locations/import`, 'Description,City\r\nX,Y\r\n');
    expect(noId.status).toBe(400);
    expect(noId.body.error.message).toMatch(/at least LocationId/);
  });
});
