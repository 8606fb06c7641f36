import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phoneNumbers } from '../../../src/db/schema/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * A Graph number operation can end `skipped` (telephoneNumberLongRunningOperation status:
 * notStarted, running, succeeded, failed, skipped); the docs do not say when. UCR Manager reads
 * the number back from Teams: a change Teams already shows is complete, any other fails and the
 * inventory goes back as it was (docs/external-apis.md).
 */
describe.each(dbTargets())('a skipped Teams number order on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let admin: ApiClient;
  let tenantId: string;
  let numbers: Record<string, string>;
  beforeAll(async () => {
    t = await startTestApp(target, {}, { withQueue: true });
    fx = await startTeamsSimulators();
    t.secrets.add(fx.clientSecret);
    admin = (await t.signedInAs('admin')).client;
    ({ tenantId, numbers } = await connectedTenant(admin, fx));
  });
  afterAll(async () => {
    await t.close();
    await fx.close();
  });

  const inventory = async (e164: string) => (await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.e164, e164)))[0]!;
  async function settled(changeId: string) {
    for (let i = 0; i < 200; i++) {
      const change = await admin.get(`/api/tenants/${tenantId}/voice-changes/${changeId}`);
      if (change.body.status !== 'pending') return change.body;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('change still pending');
  }
  const voice = (userId: string, body: object) => admin.post(`/api/tenants/${tenantId}/teams/users/${userId}/voice`, body);

  it('fails when Teams skipped the order and does not show the change, and leaves the inventory as it was', async () => {
    const e164 = Object.keys(numbers)[0]!;
    const user = fx.seeded.byProfile.readyForVoice[0]!;
    fx.graph.knobs.set({ skipNextOrders: 1 });
    const done = await settled((await voice(user.id, { number: { numberId: numbers[e164] } })).body.id);
    expect(done).toMatchObject({ status: 'failed', errorMessage: 'Teams skipped the order and did not make the change. Nothing was changed; check the user in the Teams admin center, then try again.' });
    expect((await inventory(e164)).status).toBe('available');
    expect(fx.graph.state.tenants.get(fx.microsoftTenantId)!.numbers.get(e164)).toMatchObject({ assignmentStatus: 'unassigned', assignmentTargetId: null, activationState: 'activated' });
  });

  it('completes when Teams skipped the order because the number is already on the user', async () => {
    const e164 = Object.keys(numbers)[1]!;
    const user = fx.seeded.byProfile.readyForVoice[1]!;
    fx.graph.knobs.set({ skipNextOrders: 1, operationDelayMs: 3000 });
    const started = await voice(user.id, { number: { numberId: numbers[e164] } });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    // While the order is pending, someone makes the same assignment in the Teams admin center.
    Object.assign(fx.graph.state.tenants.get(fx.microsoftTenantId)!.numbers.get(e164)!, { assignmentStatus: 'userAssigned', assignmentTargetId: user.id, assignmentCategory: 'primary' });
    const done = await settled(started.body.id);
    expect(done.status).toBe('succeeded');
    expect(await inventory(e164)).toMatchObject({ status: 'assigned', assigneeId: user.id });
  });
});
