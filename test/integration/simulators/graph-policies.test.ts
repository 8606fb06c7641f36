import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY_TYPES } from '../../../simulators/graph/catalog.ts';
import { json, startGraphFixture } from './graph-fixture.ts';
import type { GraphFixture } from './graph-fixture.ts';

let fx: GraphFixture;
beforeAll(async () => {
  fx = await startGraphFixture(40);
});
afterAll(() => fx.close());

type Effective = { effectivePolicyAssignments: Array<{ policyType: string; policyAssignment: { displayName: string; policyId: string; assignmentType: string | null } }> };

async function policyId(type: string, name: string): Promise<Response> {
  return fx.api(`/v1.0/admin/teams/policy/microsoft.graph.teamsAdministration.getPolicyId(type='${type}',name='${name}')`);
}

async function effective(userId: string, type: string) {
  const config = await json<Effective>(await fx.api(`/v1.0/admin/teams/userConfigurations/${userId}`));
  return config.effectivePolicyAssignments.find((entry) => entry.policyType === type)?.policyAssignment;
}

describe('Graph simulator: Teams policies', () => {
  it('resolves a policy name to its id, with or without the namespace and in either case of type', async () => {
    const response = await policyId('OnlineVoiceRoutingPolicy', 'US-International');
    expect(response.status).toBe(200);
    const body = await json<{ value: Array<{ policyId: string; name: string }> }>(response);
    expect(body.value).toEqual([{ policyId: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'US-International' }]);
    const short = await json<{ value: Array<{ policyId: string }> }>(await fx.api("/v1.0/admin/teams/policy/getPolicyId(type='onlineVoiceRoutingPolicy',name='us-international')"));
    expect(short.value[0]?.policyId).toBe(body.value[0]?.policyId);
    expect((await policyId('OnlineVoiceRoutingPolicy', 'No-Such-Policy')).status).toBe(404);
    expect((await policyId('NotAPolicyType', 'Global')).status).toBe(400);
  });

  it('assigns (204) and unassigns (204), changing the effective policy', async () => {
    const user = fx.seeded.byProfile.readyForVoice[0];
    const id = (await json<{ value: Array<{ policyId: string }> }>(await policyId('TenantDialPlan', 'UK-London'))).value[0]?.policyId;
    expect((await effective(user?.id ?? '', 'TenantDialPlan'))?.displayName).toBe('Global');
    const assign = await fx.api('/v1.0/admin/teams/policy/userAssignments/assign', {
      method: 'POST',
      body: JSON.stringify({ value: [{ '@odata.type': '#microsoft.graph.teamsAdministration.teamsPolicyUserAssignment', userId: user?.id, policyType: 'TenantDialPlan', policyId: id }] }),
    });
    expect(assign.status).toBe(204);
    expect(await effective(user?.id ?? '', 'TenantDialPlan')).toMatchObject({ displayName: 'UK-London', policyId: id, assignmentType: 'direct' });
    const unassign = await fx.api('/v1.0/admin/teams/policy/userAssignments/unassign', { method: 'POST', body: JSON.stringify({ value: [{ userId: user?.id, policyType: 'TenantDialPlan' }] }) });
    expect(unassign.status).toBe(204);
    expect((await effective(user?.id ?? '', 'TenantDialPlan'))?.displayName).toBe('Global');
  });

  // Vendor source for the two conferencing/park types: New-CsGroupPolicyAssignment lists TeamsAudioConferencingPolicy
  // and TeamsCallParkPolicy among the assignable types (MicrosoftDocs/office-docs-powershell,
  // teams/teams-ps/teams/New-CsGroupPolicyAssignment.md); Grant-CsTeamsAudioConferencingPolicy grants the former per user.
  it('accepts each of the 13 policy types, including the audio conferencing and call park policies', async () => {
    expect(POLICY_TYPES).toEqual(expect.arrayContaining(['TeamsAudioConferencingPolicy', 'TeamsCallParkPolicy', 'OnlineAudioConferencingRoutingPolicy']));
    expect(POLICY_TYPES).toHaveLength(13);
    const user = fx.seeded.byProfile.readyForVoice[1];
    for (const type of POLICY_TYPES) {
      const id = (await json<{ value: Array<{ policyId: string }> }>(await policyId(type, 'Global'))).value[0]?.policyId;
      const response = await fx.api('/v1.0/admin/teams/policy/userAssignments/assign', { method: 'POST', body: JSON.stringify({ value: [{ userId: user?.id, policyType: type, policyId: id }] }) });
      expect(response.status, type).toBe(204);
    }
  });

  it('refuses an unknown policy type, an unknown policy id and an unknown user with 400, changing nothing', async () => {
    const user = fx.seeded.byProfile.readyForVoice[2];
    const good = (await json<{ value: Array<{ policyId: string }> }>(await policyId('TeamsCallingPolicy', 'AllowCalling'))).value[0]?.policyId;
    const bodies = [
      { value: [{ userId: user?.id, policyType: 'TeamsCallingPolicy', policyId: good }, { userId: user?.id, policyType: 'BogusPolicy', policyId: good }] },
      { value: [{ userId: user?.id, policyType: 'TeamsCallingPolicy', policyId: '00000000-0000-4000-8000-000000000000' }] },
      { value: [{ userId: '00000000-0000-4000-8000-000000000000', policyType: 'TeamsCallingPolicy', policyId: good }] },
      { value: [] },
    ];
    for (const body of bodies) {
      const response = await fx.api('/v1.0/admin/teams/policy/userAssignments/assign', { method: 'POST', body: JSON.stringify(body) });
      expect(response.status).toBe(400);
    }
    expect((await effective(user?.id ?? '', 'TeamsCallingPolicy'))?.displayName).toBe('Global');
  });

  it('needs TeamsPolicyUserAssign.ReadWrite.All', async () => {
    const response = await fx.api("/v1.0/admin/teams/policy/getPolicyId(type='TenantDialPlan',name='Global')", { token: fx.readOnlyToken });
    expect(response.status).toBe(403);
    expect((await json<{ error: { message: string } }>(response)).error.message).toContain('TeamsPolicyUserAssign.ReadWrite.All');
  });
});
