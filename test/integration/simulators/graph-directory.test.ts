import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt } from '../../../simulators/shared/jwt.ts';
import { createSelfSignedCertificate } from '../../../simulators/shared/self-signed-cert.ts';
import { json, startGraphFixture, TENANT_ID } from './graph-fixture.ts';
import type { GraphFixture } from './graph-fixture.ts';

let fx: GraphFixture;
beforeAll(async () => {
  fx = await startGraphFixture(250);
});
afterAll(() => fx.close());

type Page = { value: Array<Record<string, unknown>>; '@odata.nextLink'?: string; '@odata.context': string; '@odata.count'?: number };

describe('Graph simulator: authentication and errors', () => {
  it('answers 401 InvalidAuthenticationToken without a token, echoing client-request-id and sending request-id', async () => {
    const response = await fetch(`${fx.graph.url}/v1.0/users`, { headers: { 'client-request-id': 'my-corr-id' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('client-request-id')).toBe('my-corr-id');
    const requestId = response.headers.get('request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const body = await json<{ error: { code: string; innerError: Record<string, string> } }>(response);
    expect(body.error.code).toBe('InvalidAuthenticationToken');
    expect(body.error.innerError).toMatchObject({ 'request-id': requestId, 'client-request-id': 'my-corr-id' });
    expect(body.error.innerError.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  });

  it('refuses a token signed by someone else and an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { aud: 'https://graph.microsoft.com', tid: TENANT_ID, roles: ['User.Read.All'], iat: now, exp: now + 600 };
    const forged = signJwt({ alg: 'RS256' }, claims, createSelfSignedCertificate().privateKey);
    expect((await fx.api('/v1.0/users', { token: forged })).status).toBe(401);
    const expired = signJwt({ alg: 'RS256' }, { ...claims, exp: now - 10 }, fx.entra.state.signingKey.privateKey);
    const response = await fx.api('/v1.0/users', { token: expired });
    expect(response.status).toBe(401);
    expect((await json<{ error: { message: string } }>(response)).error.message).toContain('expired');
  });

  it('answers 403 Authorization_RequestDenied naming the missing permission', async () => {
    const response = await fx.api('/v1.0/admin/teams/userConfigurations', { token: fx.readOnlyToken });
    expect(response.status).toBe(403);
    const body = await json<{ error: { code: string; message: string } }>(response);
    expect(body.error.code).toBe('Authorization_RequestDenied');
    expect(body.error.message).toContain('TeamsUserConfiguration.Read.All');
    expect((await fx.api('/v1.0/users', { token: fx.readOnlyToken })).status).toBe(200);
  });

  it('answers 400 for an unknown segment', async () => {
    const response = await fx.api('/v1.0/nothingHere');
    expect(response.status).toBe(400);
    expect((await json<{ error: { code: string } }>(response)).error.code).toBe('BadRequest');
  });
});

describe('Graph simulator: users', () => {
  it('pages through every user by following @odata.nextLink verbatim', async () => {
    const ids: string[] = [];
    let url: string | undefined = '/v1.0/users?$select=id,userPrincipalName&$top=100';
    let pages = 0;
    while (url) {
      const page: Page = await json<Page>(await fx.api(url));
      ids.push(...page.value.map((user) => String(user.id)));
      url = page['@odata.nextLink'];
      if (url) expect(url.startsWith(`${fx.graph.url}/v1.0/users?`)).toBe(true);
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(250);
  });

  it('uses a default page of 100 and refuses $top above 999', async () => {
    const page = await json<Page>(await fx.api('/v1.0/users'));
    expect(page.value).toHaveLength(100);
    expect(Object.keys(page.value[0] ?? {})).toContain('userPrincipalName');
    expect(Object.keys(page.value[0] ?? {})).not.toContain('accountEnabled');
    expect((await fx.api('/v1.0/users?$top=1000')).status).toBe(400);
    expect((await json<Page>(await fx.api('/v1.0/users?$top=999'))).value).toHaveLength(250);
  });

  it('projects $select and filters startswith(displayName) / startswith(userPrincipalName)', async () => {
    const page = await json<Page>(await fx.api("/v1.0/users?$select=id,displayName,accountEnabled,usageLocation,assignedLicenses&$filter=startswith(displayName,'ada')&$top=999"));
    expect(page.value.length).toBeGreaterThan(0);
    for (const user of page.value) {
      expect(Object.keys(user).sort()).toEqual(['accountEnabled', 'assignedLicenses', 'displayName', 'id', 'usageLocation']);
      expect(String(user.displayName).toLowerCase().startsWith('ada')).toBe(true);
    }
    const byUpn = await json<Page>(await fx.api("/v1.0/users?$filter=startswith(userPrincipalName,'grace')&$top=999"));
    expect(byUpn.value.every((user) => String(user.userPrincipalName).startsWith('grace'))).toBe(true);
    expect((await fx.api("/v1.0/users?$filter=startswith(nope,'x')")).status).toBe(400);
  });

  it('requires ConsistencyLevel: eventual for $search and $count', async () => {
    const refused = await fx.api('/v1.0/users?$search="displayName:lovelace"');
    expect(refused.status).toBe(400);
    expect((await json<{ error: { code: string } }>(refused)).error.code).toBe('Request_UnsupportedQuery');
    const found = await json<Page>(await fx.api('/v1.0/users?$search="displayName:lovelace"&$count=true&$top=999', { headers: { ConsistencyLevel: 'eventual' } }));
    expect(found['@odata.count']).toBe(found.value.length);
    expect(found.value.length).toBeGreaterThan(0);
    expect(found.value.every((user) => String(user.displayName).includes('Lovelace'))).toBe(true);
  });

  it('gets one user by id or UPN, and 404s an unknown one', async () => {
    const someone = fx.seeded.byProfile.voiceDirectRouting[0];
    const byId = await json(await fx.api(`/v1.0/users/${someone?.id}?$select=id,usageLocation`));
    expect(byId).toMatchObject({ id: someone?.id, usageLocation: someone?.usageLocation });
    const byUpn = await json(await fx.api(`/v1.0/users/${encodeURIComponent(someone?.userPrincipalName ?? '')}`));
    expect(byUpn.id).toBe(someone?.id);
    const missing = await fx.api('/v1.0/users/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect((await json<{ error: { code: string } }>(missing)).error.code).toBe('Request_ResourceNotFound');
  });
});

describe('Graph simulator: Teams user configurations and numbers', () => {
  it('lists configurations with every documented field, also under /beta', async () => {
    for (const version of ['v1.0', 'beta']) {
      const page = await json<Page>(await fx.api(`/${version}/admin/teams/userConfigurations?$top=5`));
      expect(page.value).toHaveLength(5);
      expect(Object.keys(page.value[0] ?? {}).sort()).toEqual(
        ['accountType', 'createdDateTime', 'effectivePolicyAssignments', 'featureTypes', 'id', 'isEnterpriseVoiceEnabled', 'modifiedDateTime', 'telephoneNumbers', 'tenantId', 'userPrincipalName'].sort(),
      );
    }
  });

  it('shows a voice user with number, PhoneSystem and an effective voice routing policy', async () => {
    const user = fx.seeded.byProfile.voiceDirectRouting[0];
    const config = await json<{
      telephoneNumbers: Array<{ telephoneNumber: string; assignmentCategory: string }>;
      featureTypes: string[];
      isEnterpriseVoiceEnabled: boolean;
      effectivePolicyAssignments: Array<{ policyType: string; policyAssignment: { displayName: string; assignmentType: string | null } }>;
    }>(await fx.api(`/v1.0/admin/teams/userConfigurations/${user?.id}`));
    expect(config.telephoneNumbers).toHaveLength(1);
    expect(config.telephoneNumbers[0]?.assignmentCategory).toBe('primary');
    expect(config.featureTypes).toContain('PhoneSystem');
    expect(config.isEnterpriseVoiceEnabled).toBe(true);
    // One effective assignment per policy type the simulator knows: the thirteen UCR manages.
    expect(config.effectivePolicyAssignments).toHaveLength(13);
    const routing = config.effectivePolicyAssignments.find((entry) => entry.policyType === 'OnlineVoiceRoutingPolicy');
    expect(routing?.policyAssignment.assignmentType).toBe('direct');
    expect(routing?.policyAssignment.displayName).not.toBe('Global');
  });

  it('filters configurations and number assignments', async () => {
    const voice = await json<Page>(await fx.api('/v1.0/admin/teams/userConfigurations?$filter=isEnterpriseVoiceEnabled eq true&$top=999'));
    expect(voice.value.every((config) => config.isEnterpriseVoiceEnabled === true)).toBe(true);
    const user = fx.seeded.byProfile.voiceDirectRouting[1];
    const numbers = await json<Page>(await fx.api(`/v1.0/admin/teams/telephoneNumberManagement/numberAssignments?$filter=assignmentTargetId eq '${user?.id}'`));
    expect(numbers.value).toHaveLength(1);
    const free = fx.seeded.freeDirectRoutingNumbers[0] ?? '';
    const one = await json<Page>(await fx.api(`/v1.0/admin/teams/telephoneNumberManagement/numberAssignments?$filter=telephoneNumber eq '${encodeURIComponent(free)}'`));
    expect(one.value[0]).toMatchObject({ telephoneNumber: free, assignmentStatus: 'unassigned', activationState: 'activated', numberType: 'directRouting' });
    const unassigned = await json<Page>(await fx.api("/v1.0/admin/teams/telephoneNumberManagement/numberAssignments?$filter=assignmentStatus eq 'unassigned'&$top=999"));
    expect(unassigned.value.length).toBeGreaterThanOrEqual(fx.seeded.freeDirectRoutingNumbers.length);
  });
});
