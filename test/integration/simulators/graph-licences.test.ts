import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_PLANS, SKUS } from '../../../simulators/graph/catalog.ts';
import { startGraphFixture, type GraphFixture } from './graph-fixture.ts';

/**
 * The Graph simulator's licences follow Microsoft's pages:
 * - subscribedSku resource type, learn.microsoft.com/graph/api/resources/subscribedsku
 *   (skuId, skuPartNumber, appliesTo, capabilityStatus, consumedUnits, prepaidUnits, servicePlans);
 * - user: assignLicense, learn.microsoft.com/graph/api/user-assignlicense
 *   (POST /users/{id | userPrincipalName}/assignLicense; addLicenses and removeLicenses both
 *   required; 200 OK with the user; LicenseAssignment.ReadWrite.All least privileged);
 * - Product names and service plan identifiers for licensing,
 *   learn.microsoft.com/entra/identity/users/licensing-service-plan-reference (MCOEV = Teams Phone).
 */
describe('Graph simulator: licences', () => {
  let fx: GraphFixture;
  beforeAll(async () => {
    fx = await startGraphFixture(30);
  });
  afterAll(async () => fx.close());
  const tenant = () => fx.graph.state.tenants.values().next().value!;

  it('lists subscribedSkus with prepaid and consumed units and their service plans', async () => {
    const answer = await fx.api('/v1.0/subscribedSkus');
    expect(answer.status).toBe(200);
    const skus = ((await answer.json()) as { value: any[] }).value;
    const phone = skus.find((s) => s.skuId === SKUS.TeamsPhoneStandard.skuId);
    expect(phone).toMatchObject({ skuPartNumber: 'MCOEV', appliesTo: 'User', capabilityStatus: 'Enabled', prepaidUnits: { enabled: expect.any(Number), suspended: 0, warning: 0, lockedOut: 0 } });
    expect(phone.servicePlans).toEqual([expect.objectContaining({ servicePlanId: SERVICE_PLANS.MCOEV, servicePlanName: 'MCOEV' })]);
    const e5 = skus.find((s) => s.skuId === SKUS.E5.skuId);
    expect(e5.consumedUnits).toBe([...tenant().users.values()].filter((u) => u.licenses.includes('E5')).length);
    expect(e5.servicePlans.map((p: any) => p.servicePlanName)).toContain('MCOEV');
    expect((await fx.api('/v1.0/subscribedSkus', { token: fx.readOnlyToken })).status).toBe(403);
  });

  it('assignLicense adds and removes licences, counts them, and refuses what Graph refuses', async () => {
    const user = [...tenant().users.values()].find((u) => u.licenses.join() === 'E3' && u.usageLocation)!;
    const post = (body: unknown) => fx.api(`/v1.0/users/${user.userPrincipalName}/assignLicense`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post({ addLicenses: [{ skuId: SKUS.TeamsPhoneStandard.skuId, disabledPlans: [] }] })).status).toBe(400); // removeLicenses is required
    const added = await post({ addLicenses: [{ skuId: SKUS.TeamsPhoneStandard.skuId, disabledPlans: [] }], removeLicenses: [] });
    expect(added.status).toBe(200);
    expect(((await added.json()) as any).assignedLicenses).toEqual(expect.arrayContaining([{ disabledPlans: [], skuId: SKUS.TeamsPhoneStandard.skuId }]));
    const removed = await post({ addLicenses: [], removeLicenses: [SKUS.TeamsPhoneStandard.skuId] });
    expect(removed.status).toBe(200);
    const notHeld = await post({ addLicenses: [], removeLicenses: [SKUS.TeamsPhoneStandard.skuId] });
    expect(notHeld.status).toBe(400);

    // No units left.
    tenant().subscriptions.get('TeamsPhoneStandard')!.enabled = [...tenant().users.values()].filter((u) => u.licenses.includes('TeamsPhoneStandard')).length;
    const full = await post({ addLicenses: [{ skuId: SKUS.TeamsPhoneStandard.skuId }], removeLicenses: [] });
    expect(full.status).toBe(400);
    expect(((await full.json()) as any).error.message).toMatch(/does not have any available licenses/);
    tenant().subscriptions.get('TeamsPhoneStandard')!.enabled += 5;

    // A licence needs a usage location first; PATCH sets it (204).
    const patch = (value: unknown) => fx.api(`/v1.0/users/${user.id}`, { method: 'PATCH', body: JSON.stringify({ usageLocation: value }) });
    expect((await patch(null)).status).toBe(204);
    const noLocation = await post({ addLicenses: [{ skuId: SKUS.TeamsPhoneStandard.skuId }], removeLicenses: [] });
    expect(((await noLocation.json()) as any).error.message).toBe('License assignment cannot be done for user with invalid usage location.');
    expect((await patch('usa')).status).toBe(400);
    expect((await patch('US')).status).toBe(204);
    expect(user.usageLocation).toBe('US');
    expect((await post({ addLicenses: [{ skuId: '11111111-2222-4333-8444-555555555555' }], removeLicenses: [] })).status).toBe(400);
  });
});
