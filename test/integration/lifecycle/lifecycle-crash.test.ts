import { afterAll, describe, expect, it } from 'vitest';
import { SKUS } from '../../../simulators/graph/catalog.ts';
import { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { serverOnFreshData, startServerProcess, type ServerProcess } from '../../helpers/server-process.ts';
import { connectedTenant, startTeamsSimulators } from '../../helpers/teams-fixture.ts';

/**
 * The worker running an onboarding is killed (SIGKILL) while Teams is carrying out the number
 * order. After a restart the job goes on from that step: every step is done exactly once — one
 * licence assignment, one number held, one voice change — and none is skipped.
 */
describe.each(dbTargets())('onboarding after SIGKILL on %s', (target) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('resumes from the step it was on without repeating or skipping one', async () => {
    const fx = await startTeamsSimulators({ users: 40, seed: 11 });
    cleanups.push(() => fx.close());
    const started = await serverOnFreshData(target, cleanups, 'lifecycle crash passphrase');
    const { env, admin } = started;
    let server: ServerProcess = started.server;
    cleanups.push(async () => void (await server.stop()));
    const { tenantId, numbers } = await connectedTenant(admin, fx);
    const e164 = Object.keys(numbers)[0]!;
    const user = fx.seeded.byProfile.unlicensed[0]!;
    // Teams takes its time with the order, so the worker dies while it is under way.
    fx.graph.knobs.set({ operationDelayMs: 4000 });
    const job = await admin.post(`/api/tenants/${tenantId}/lifecycle/onboard`, { userId: user.id, number: { numberId: numbers[e164] }, policies: { OnlineVoiceRoutingPolicy: 'US-Domestic' }, licenceSkuIds: [SKUS.TeamsPhoneStandard.skuId] });
    expect(job.status).toBe(202);
    let voiceRunning = false;
    for (let i = 0; i < 300 && !voiceRunning; i++) {
      const view = (await admin.get(`/api/tenants/${tenantId}/lifecycle/jobs/${job.body.id}`)).body;
      voiceRunning = view.steps.find((s: any) => s.name === 'voice').state === 'running';
      if (!voiceRunning) await new Promise((r) => setTimeout(r, 50));
    }
    expect(voiceRunning).toBe(true);
    expect(await server.stop('SIGKILL')).toBeNull();
    fx.graph.knobs.set({ operationDelayMs: 200 });

    // PGlite replays its log after a SIGKILL: on a busy machine that start takes longer than a clean one.
    server = await startServerProcess(env, 'serve', 180_000);
    const again = new ApiClient(server.url, new Set());
    await again.login('admin@ucr.local', started.password);
    let view: any;
    for (let i = 0; i < 1200; i++) {
      view = (await again.get(`/api/tenants/${tenantId}/lifecycle/jobs/${job.body.id}`)).body;
      if (!['queued', 'running'].includes(view.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(view.status).toBe('succeeded');
    expect(view.steps.map((s: any) => [s.name, s.state])).toEqual([['check', 'succeeded'], ['usage_location', 'skipped'], ['licence', 'succeeded'], ['number', 'succeeded'], ['voice', 'succeeded'], ['threecx_extension', 'skipped'], ['ticket', 'skipped']]);
    // Teams: the number on the user; the licence once.
    expect(fx.graph.state.tenants.get(fx.microsoftTenantId)!.numbers.get(e164)!.assignmentTargetId).toBe(user.id);
    expect(user.licenses.filter((l) => l === 'TeamsPhoneStandard')).toHaveLength(1);
    // The app: one voice change, one licence assignment, each step finished once.
    const changes = (await again.get(`/api/tenants/${tenantId}/voice-changes?userId=${user.id}`)).body.changes;
    expect(changes).toHaveLength(1);
    expect(changes[0].status).toBe('succeeded');
    const events = (await again.get(`/api/audit?targetId=${user.id}&limit=500`)).body;
    const list = (events.events ?? events.items) as Array<{ action: string; after: any }>;
    expect(list.filter((e) => e.action === 'teams.licence_assigned')).toHaveLength(1);
    const finished = list.filter((e) => e.action === 'lifecycle.step' && e.after?.state !== 'running').map((e) => e.after.step).sort();
    expect(finished).toEqual(['check', 'licence', 'number', 'threecx_extension', 'ticket', 'usage_location', 'voice']);
    const inInventory = (await again.get(`/api/tenants/${tenantId}/numbers/${numbers[e164]}`)).body;
    expect(inInventory.status).toBe('assigned');
    expect(JSON.stringify(inInventory.assignee)).toContain(user.id);
  }, 400_000);
});
