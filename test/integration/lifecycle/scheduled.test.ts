import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditEvents, phoneNumbers, scheduledChanges, voiceChanges } from '../../../src/db/schema/index.ts';
import { createLogger } from '../../../src/app/logging.ts';
import { declareLifecycleJobs, workLifecycleJobs } from '../../../src/features/lifecycle/jobs.ts';
import { runDueScheduledChanges, SCHEDULED_TICK_QUEUE } from '../../../src/features/lifecycle/scheduled-changes.ts';
import { declareVoiceJobs, workVoiceJobs } from '../../../src/features/teams/jobs.ts';
import { startQueue } from '../../../src/jobs/queue.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { LogCapture } from '../../helpers/log-capture.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * Scheduled changes (#18) with the app's clock under the test's control (test/helpers/clock.ts):
 * a change set for later survives a restart of the job runner and runs at the first tick after
 * its time; cancelled or edited until it starts; a number taken meanwhile fails it at run time.
 */
describe.each(dbTargets())('scheduled changes on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let admin: ApiClient;
  let tenantId: string;
  let numbers: Record<string, string>;
  const HOUR = 3_600_000;
  const graphTenant = () => fx.graph.state.tenants.get(fx.microsoftTenantId)!;
  const at = (ms: number) => new Date(t.clock.now().getTime() + ms).toISOString();

  beforeAll(async () => {
    t = await startTestApp(target, {}, { withQueue: true });
    fx = await startTeamsSimulators({ users: 90, seed: 41 });
    fx.graph.knobs.set({ operationDelayMs: 50 });
    admin = (await t.signedInAs('admin')).client;
    ({ tenantId, numbers } = await connectedTenant(admin, fx));
  }, 120_000);
  // The tests move the clock by hours, past a session's idle limit: each signs in afresh.
  beforeEach(async () => {
    admin = (await t.signedInAs('admin')).client;
  });
  afterAll(async () => {
    await t.close();
    await fx.close();
  });

  async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
    for (let i = 0; i < 300; i++) {
      const value = await read();
      if (done(value)) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('timed out');
  }
  const scheduled = async (id: string) => (await t.deps.db.select().from(scheduledChanges).where(eq(scheduledChanges.id, id)))[0]!;

  it('refuses a time in the past, lists, edits and cancels until the start; a cancelled change never runs', async () => {
    const user = fx.seeded.byProfile.readyForVoice[0]!;
    const e164 = Object.keys(numbers)[0]!;
    const body = { kind: 'voice_change', runAt: at(-60_000), timeZone: 'Europe/London', input: { userId: user.id, number: { numberId: numbers[e164] } } };
    const past = await admin.post(`/api/tenants/${tenantId}/scheduled-changes`, body);
    expect([past.status, past.body.error.code]).toEqual([400, 'time_in_past']);
    const badZone = await admin.post(`/api/tenants/${tenantId}/scheduled-changes`, { ...body, runAt: at(HOUR), timeZone: 'Mars/Olympus' });
    expect(badZone.status).toBe(400);

    const created = await admin.post(`/api/tenants/${tenantId}/scheduled-changes`, { ...body, runAt: at(HOUR) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'scheduled', subject: user.userPrincipalName.toLowerCase(), timeZone: 'Europe/London' });
    const moved = await admin.patch(`/api/tenants/${tenantId}/scheduled-changes/${created.body.id}`, { runAt: at(3 * HOUR) });
    expect(moved.status).toBe(200);
    expect(Date.parse(moved.body.runAt) - Date.parse(created.body.runAt)).toBeGreaterThanOrEqual(2 * HOUR);
    expect(Date.parse(moved.body.runAt) - Date.parse(created.body.runAt)).toBeLessThan(2 * HOUR + 60_000);
    const everywhere = (await admin.get('/api/scheduled-changes?status=scheduled')).body.changes;
    expect(everywhere.map((c: any) => c.id)).toContain(created.body.id);
    // The Overview lists it as coming up, in the zone it was chosen in, linked to the Scheduled view.
    const upcoming = ((await admin.get('/api/overview')).body.items as Array<Record<string, any>>).filter((i) => i.kind === 'scheduled_upcoming' && i.tenantId === tenantId);
    expect(upcoming).toHaveLength(1);
    expect(upcoming[0]).toMatchObject({ severity: 'info', title: `Scheduled: voice change for ${user.userPrincipalName.toLowerCase()}`, link: { page: 'scheduled' } });
    expect(upcoming[0]!.detail).toContain('Europe/London');

    const cancelled = await admin.post(`/api/tenants/${tenantId}/scheduled-changes/${created.body.id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    expect(((await admin.get('/api/overview')).body.items as Array<Record<string, any>>).filter((i) => i.kind === 'scheduled_upcoming' && i.tenantId === tenantId)).toEqual([]);
    expect((await admin.post(`/api/tenants/${tenantId}/scheduled-changes/${created.body.id}/cancel`)).body.error.code).toBe('schedule_started');
    expect((await admin.patch(`/api/tenants/${tenantId}/scheduled-changes/${created.body.id}`, { runAt: at(4 * HOUR) })).body.error.code).toBe('schedule_started');

    t.clock.advance(4 * HOUR);
    expect(await runDueScheduledChanges(t.deps)).toBe(0);
    expect(await t.deps.db.select().from(voiceChanges).where(eq(voiceChanges.userId, user.id))).toEqual([]);
    expect(graphTenant().numbers.get(e164)!.assignmentTargetId).toBeNull();
    const [row] = await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.e164, e164));
    expect(row!.status).toBe('available');
  });

  it("a tenant's time zone: IANA only, shown on the tenant, the zone a change is scheduled in when none is given", async () => {
    const before = (await admin.get(`/api/tenants/${tenantId}`)).body;
    expect(before).toMatchObject({ timeZoneSet: false, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone });
    for (const bad of ['EST', '+01:00', 'GMT+1', 'Mars/Olympus_Mons', 'europe london']) {
      const refused = await admin.patch(`/api/tenants/${tenantId}`, { timeZone: bad });
      expect([bad, refused.status]).toEqual([bad, 400]);
      expect(refused.body.error.details.fields.some((f: any) => f.field === 'timeZone' && /IANA/.test(f.message))).toBe(true);
    }
    expect((await admin.get(`/api/tenants/${tenantId}`)).body.timeZoneSet).toBe(false);
    const set = await admin.patch(`/api/tenants/${tenantId}`, { timeZone: 'America/New_York' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ timeZone: 'America/New_York', timeZoneSet: true });
    const user = fx.seeded.byProfile.readyForVoice[5]!;
    const input = { userId: user.id, policies: { TenantDialPlan: null } };
    const made = await admin.post(`/api/tenants/${tenantId}/scheduled-changes`, { kind: 'voice_change', runAt: at(5 * HOUR), input });
    expect(made.status).toBe(201);
    expect(made.body.timeZone).toBe('America/New_York');
    // A zone given with the change that is not IANA is refused too, and nothing is scheduled.
    const count = (await t.deps.db.select().from(scheduledChanges)).length;
    const badZone = await admin.post(`/api/tenants/${tenantId}/scheduled-changes`, { kind: 'voice_change', runAt: at(5 * HOUR), timeZone: 'EST', input });
    expect([badZone.status, badZone.body.error.details?.fields?.[0]?.field]).toEqual([400, 'timeZone']);
    expect((await t.deps.db.select().from(scheduledChanges)).length).toBe(count);
    expect((await admin.post(`/api/tenants/${tenantId}/scheduled-changes/${made.body.id}/cancel`)).status).toBe(200);
    const cleared = await admin.patch(`/api/tenants/${tenantId}`, { timeZone: null });
    expect(cleared.body).toMatchObject({ timeZoneSet: false });
  });

  it('runs at the first tick after its time, after the job runner restarted, exactly once', async () => {
    const user = fx.seeded.byProfile.readyForVoice[1]!;
    const e164 = Object.keys(numbers)[1]!;
    const created = await admin.post(`/api/tenants/${tenantId}/scheduled-changes`, { kind: 'voice_change', runAt: at(2 * HOUR), input: { userId: user.id, number: { numberId: numbers[e164] }, policies: { OnlineVoiceRoutingPolicy: 'US-Domestic' } } });
    expect(created.status).toBe(201);
    // Not yet: a tick before the time starts nothing.
    expect(await runDueScheduledChanges(t.deps)).toBe(0);

    // The job runner restarts: the old queue stops, a new one (as a restarted node) takes over, with the every-minute tick.
    await t.deps.queue!.stop({ graceful: false });
    const queue = await startQueue(t.testDb.database, createLogger('warn', new LogCapture()), { runsSchedules: true });
    t.deps.queue = queue;
    await declareVoiceJobs(queue);
    await workVoiceJobs(queue, t.deps, { pollingIntervalSeconds: 0.5, pollMs: 100 });
    await declareLifecycleJobs(queue);
    await workLifecycleJobs(queue, t.deps, { pollingIntervalSeconds: 0.5, pollMs: 100 });
    const schedules = await queue.getSchedules();
    expect(schedules.find((s: { name: string }) => s.name === SCHEDULED_TICK_QUEUE)).toMatchObject({ cron: '* * * * *' });

    // Its time comes; the next tick (what the cron sends each minute) starts it.
    t.clock.advance(2 * HOUR + 30_000);
    await queue.send(SCHEDULED_TICK_QUEUE, {});
    const done = await until(() => scheduled(created.body.id), (r) => r.status !== 'scheduled' && r.status !== 'running');
    expect(done.status).toBe('done');
    const change = await until(async () => (await t.deps.db.select().from(voiceChanges).where(eq(voiceChanges.id, done.result!.voiceChangeId as string)))[0]!, (c) => c.status !== 'pending');
    expect(change.status).toBe('succeeded');
    expect(graphTenant().numbers.get(e164)!.assignmentTargetId).toBe(user.id);
    // A second tick, or two nodes at once, find nothing left to start.
    expect((await Promise.all([runDueScheduledChanges(t.deps), runDueScheduledChanges(t.deps)])).reduce((a, b) => a + b, 0)).toBe(0);
    expect(await t.deps.db.select().from(voiceChanges).where(eq(voiceChanges.userId, user.id))).toHaveLength(1);
    const events = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.targetType, 'scheduled_change'), eq(auditEvents.targetId, created.body.id)));
    expect(events.map((e) => e.action).sort()).toEqual(['scheduled.created', 'scheduled.done', 'scheduled.started']);
  }, 60_000);

  it('two due changes started by two nodes at once each run once', async () => {
    const users = fx.seeded.byProfile.readyForVoice.slice(2, 4);
    const e164s = Object.keys(numbers).slice(2, 4);
    const ids: string[] = [];
    for (const [i, u] of users.entries()) ids.push((await admin.post(`/api/tenants/${tenantId}/scheduled-changes`, { kind: 'voice_change', runAt: at(HOUR), input: { userId: u.id, number: { numberId: numbers[e164s[i]!] } } })).body.id);
    t.clock.advance(HOUR + 1000);
    // Two runners at once (the every-minute tick of this node may join them): each change is claimed by one.
    await Promise.all([runDueScheduledChanges(t.deps), runDueScheduledChanges(t.deps)]);
    for (const [i, u] of users.entries()) {
      expect((await until(() => scheduled(ids[i]!), (r) => r.status !== 'scheduled' && r.status !== 'running')).status).toBe('done');
      const started = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'scheduled.started'), eq(auditEvents.targetId, ids[i]!)));
      expect(started).toHaveLength(1);
      expect(await t.deps.db.select().from(voiceChanges).where(eq(voiceChanges.userId, u.id))).toHaveLength(1);
    }
  }, 60_000);

  it('a number someone else took meanwhile fails the change at run time with the reason; nothing is assigned twice', async () => {
    const [planned, other] = fx.seeded.byProfile.readyForVoice.slice(4, 6);
    const e164 = Object.keys(numbers)[5]!;
    const created = await admin.post(`/api/tenants/${tenantId}/scheduled-changes`, { kind: 'voice_change', runAt: at(HOUR), input: { userId: planned!.id, number: { numberId: numbers[e164] } } });
    expect(created.status).toBe(201);
    const now = await admin.post(`/api/tenants/${tenantId}/teams/users/${other!.id}/voice`, { number: { numberId: numbers[e164] } });
    expect(now.status).toBe(202);
    await until(async () => (await t.deps.db.select().from(voiceChanges).where(eq(voiceChanges.id, now.body.id)))[0]!, (c) => c.status !== 'pending');
    t.clock.advance(HOUR + 1000);
    await runDueScheduledChanges(t.deps);
    const failed = await until(() => scheduled(created.body.id), (r) => r.status !== 'scheduled' && r.status !== 'running');
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(new RegExp(`\\${e164}`));
    // Signed in afresh: the test clock has moved past the first session's idle limit.
    const viewer = (await t.signedInAs('viewer')).client;
    const line = ((await viewer.get('/api/overview')).body.items as Array<Record<string, any>>).find((i) => i.kind === 'scheduled_failed' && i.tenantId === tenantId);
    expect(line).toMatchObject({ severity: 'error', link: { page: 'scheduled' } });
    expect(line!.detail).toBe(failed.error);
    expect(graphTenant().numbers.get(e164)!.assignmentTargetId).toBe(other!.id);
    expect(await t.deps.db.select().from(voiceChanges).where(eq(voiceChanges.userId, planned!.id))).toEqual([]);
    const [row] = await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.e164, e164));
    expect(row).toMatchObject({ status: 'assigned', assigneeId: other!.id });
  }, 60_000);
});
