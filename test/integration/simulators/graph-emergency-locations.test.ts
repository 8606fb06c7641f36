import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startGraphFixture } from './graph-fixture.ts';
import type { GraphFixture } from './graph-fixture.ts';

// Emergency locations in the Graph simulator. Vendor sources:
// - Graph v1.0 numberAssignment (resource): `locationId` is a property of every number, null when it has none.
// - Graph v1.0 "numberAssignment: assignNumber": optional `locationId` in the request body.
// - Graph v1.0 "numberAssignment: updateNumber" (learn.microsoft.com/graph/api/teamsadministration-numberassignment-updatenumber):
//   "Currently supported attributes are locationId, networkSiteId, and reverseNumberLookupOptions"; 200 OK.
// - New-CsOnlineLisCivicAddress (learn.microsoft.com/powershell/module/teams/new-csonlineliscivicaddress): "creating a new
//   civic address also creates a default location", shown as DefaultLocationId.
// - Neither Graph page says how an unknown locationId is answered: the simulator refuses it with 400 BadRequest before any
//   order starts (docs/external-apis.md marks this as the simulator's choice; the app passes Graph's message on).

let fx: GraphFixture;
const ROOT = '/v1.0/admin/teams/telephoneNumberManagement';
beforeAll(async () => {
  fx = await startGraphFixture(40);
  fx.graph.knobs.set({ operationDelayMs: 0 });
});
afterAll(() => fx.close());

const numberState = async (telephoneNumber: string) => (await json<{ value: Array<Record<string, unknown>> }>(await fx.api(`${ROOT}/numberAssignments?$filter=telephoneNumber eq '${encodeURIComponent(telephoneNumber)}'`))).value[0]!;
const post = (action: string, body: Record<string, unknown>) => fx.api(`${ROOT}/numberAssignments/${action}`, { method: 'POST', body: JSON.stringify(body) });

describe('Graph simulator: emergency locations', () => {
  it('seeds each tenant with civic addresses, each with its default location, and keeps locationId on numbers in Graph\'s shape', async () => {
    const addresses = [...fx.seeded.tenant.civicAddresses.values()];
    expect(addresses.map((a) => a.description)).toEqual(['Redmond HQ', 'London Office']);
    for (const a of addresses) expect(fx.seeded.tenant.locations.get(a.defaultLocationId)).toMatchObject({ civicAddressId: a.civicAddressId, location: '' });
    const free = fx.seeded.freeDirectRoutingNumbers[0]!;
    expect(await numberState(free)).toHaveProperty('locationId', null);
    const callingPlan = [...fx.seeded.tenant.numbers.values()].find((n) => n.numberType === 'callingPlan' && n.assignmentTargetId);
    if (callingPlan) expect((await numberState(callingPlan.telephoneNumber)).locationId).toBe(addresses[0]!.defaultLocationId);
  });

  it('assignNumber takes locationId; updateNumber sets and "" clears it', async () => {
    const user = fx.seeded.byProfile.readyForVoice[0]!;
    const telephoneNumber = fx.seeded.freeDirectRoutingNumbers[1]!;
    const [hq, london] = [...fx.seeded.tenant.civicAddresses.values()];
    const assigned = await post('assignNumber', { telephoneNumber, assignmentTargetId: user.id, numberType: 'directRouting', locationId: hq!.defaultLocationId });
    expect(assigned.status).toBe(202);
    for (let i = 0; i < 100 && (await numberState(telephoneNumber)).assignmentStatus !== 'userAssigned'; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(await numberState(telephoneNumber)).toMatchObject({ assignmentStatus: 'userAssigned', locationId: hq!.defaultLocationId });
    expect((await post('updateNumber', { telephoneNumber, locationId: london!.defaultLocationId })).status).toBe(200);
    expect((await numberState(telephoneNumber)).locationId).toBe(london!.defaultLocationId);
    expect((await post('updateNumber', { telephoneNumber, locationId: '' })).status).toBe(200);
    expect((await numberState(telephoneNumber)).locationId).toBeNull();
  });

  it('refuses a locationId the tenant does not have, on assign and on update, and changes nothing', async () => {
    const telephoneNumber = fx.seeded.freeDirectRoutingNumbers[2]!;
    for (const [action, body] of [
      ['updateNumber', { telephoneNumber, locationId: 'no-such-location' }],
      ['assignNumber', { telephoneNumber, assignmentTargetId: fx.seeded.byProfile.readyForVoice[1]!.id, numberType: 'directRouting', locationId: 'no-such-location' }],
    ] as const) {
      const refused = await post(action, body);
      expect(refused.status).toBe(400);
      expect((await json<{ error: { code: string; message: string } }>(refused)).error).toMatchObject({ code: 'BadRequest', message: "The location 'no-such-location' was not found in the tenant." });
    }
    expect(await numberState(telephoneNumber)).toMatchObject({ assignmentStatus: 'unassigned', locationId: null });
  });

  it('the LIS control endpoints create an address (with its default location) and a place, which numbers then accept', async () => {
    const lis = `${fx.graph.url}/_sim/tenants/${fx.seeded.tenant.id}/lis`;
    const address = await (await fetch(`${lis}/addresses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ companyName: 'Contoso', countryOrRegion: 'US', city: 'Seattle' }) })).json();
    expect(address).toMatchObject({ civicAddressId: expect.any(String), defaultLocationId: expect.any(String), city: 'Seattle' });
    const place = await (await fetch(`${lis}/locations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ civicAddressId: address.civicAddressId, location: 'Lobby' }) })).json();
    expect((await post('updateNumber', { telephoneNumber: fx.seeded.freeDirectRoutingNumbers[3]!, locationId: place.locationId })).status).toBe(200);
    expect((await fetch(`${lis}/addresses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ city: 'Nowhere' }) })).status).toBe(400); // -CompanyName and -CountryOrRegion are mandatory
  });
});
