import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/connectors/shared/rate-gate.ts';
import { TeamsError } from '../../../src/connectors/teams/errors.ts';
import { TeamsApi } from '../../../src/connectors/teams/teams-api.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * Graph throttling (learn.microsoft.com/graph/throttling): 429 with Retry-After in seconds, and
 * Graph has been seen asking for 41–315 s. Jobs wait the whole time, pausing the tenant's gate;
 * interactive calls answer at once with the wait instead of hanging. The simulator's
 * retryAfterSeconds knob sets the Retry-After it sends; the waits here use a clock the test
 * controls, or a few seconds.
 */
const log = pino({ level: 'silent' });

/** A clock whose sleeps return at once and move time forward by what was asked. */
function steppingClock(): Clock & { slept: number[] } {
  let now = Date.now();
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('Teams connector and Graph throttling', () => {
  let fx: TeamsFixture;
  beforeAll(async () => {
    fx = await startTeamsSimulators({ users: 10 });
  });
  afterEach(() => fx.graph.knobs.reset());
  afterAll(() => fx.close());

  const api = (clock?: Clock) =>
    new TeamsApi({ tenant: fx.microsoftTenantId, credentials: { kind: 'secret', clientId: fx.clientId, clientSecret: fx.clientSecret }, endpoints: { loginBaseUrl: fx.entra.url, graphBaseUrl: fx.graph.url }, log, ...(clock ? { clock } : {}) });
  const someUser = () => fx.seeded.byProfile.readyForVoice[0]!.id;

  it('a job waits out the whole Retry-After (45 s, beyond the old 30 s cap) and then succeeds', async () => {
    const clock = steppingClock();
    const jobs = api(clock).forJobs();
    await jobs.client.accessToken(); // the token is not what this test is about
    const pauses: Date[] = [];
    jobs.client.onThrottle((until) => pauses.push(until));
    const start = clock.now();
    fx.graph.knobs.set({ failNext: { count: 1, status: 429 }, retryAfterSeconds: 45 });
    const before = fx.graph.knobs.stats.requests;
    expect((await jobs.getUser(someUser())).id).toBe(someUser());
    expect(clock.slept).toEqual([45_000]);
    expect(pauses.map((d) => d.getTime())).toEqual([start + 45_000]);
    expect(fx.graph.knobs.stats.requests - before).toBe(2); // the refused call, then the one after the wait
  });

  it('an interactive call answers at once with the wait, and so does the next call of that tenant, without sending it', async () => {
    const clock = steppingClock();
    const teams = api(clock);
    await teams.client.accessToken();
    fx.graph.knobs.set({ failNext: { count: 1, status: 429 }, retryAfterSeconds: 120 });
    const first = await teams.getUser(someUser()).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(TeamsError);
    expect(first).toMatchObject({ reason: 'throttled', code: 'teams_throttled', status: 503, retryAfterSeconds: 120 });
    expect((first as TeamsError).message).toMatch(/asked to wait 120 s \(until \d\d:\d\d:\d\d UTC\)/);
    expect(clock.slept).toEqual([]);
    const sent = fx.graph.knobs.stats.requests;
    const second = await teams.getUser(someUser()).catch((error: unknown) => error);
    expect(second).toMatchObject({ reason: 'throttled', retryAfterSeconds: 120 });
    expect(fx.graph.knobs.stats.requests).toBe(sent);
    // The background twin shares the pause: it waits (on the test's clock) and then goes through.
    expect((await teams.forJobs().getUser(someUser())).id).toBe(someUser());
    expect(clock.slept).toEqual([120_000]);
  });

  it('a short Retry-After is simply waited out, interactive or not', async () => {
    const clock = steppingClock();
    const teams = api(clock);
    await teams.client.accessToken();
    fx.graph.knobs.set({ failNext: { count: 1, status: 429 }, retryAfterSeconds: 3 });
    expect((await teams.getUser(someUser())).id).toBe(someUser());
    expect(clock.slept).toEqual([3_000]);
  });
});

describe.each(dbTargets())('Graph throttling through the app on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let admin: ApiClient;
  let tenantId: string;
  let numbers: Record<string, string>;
  beforeAll(async () => {
    t = await startTestApp(target, {}, { withQueue: true });
    fx = await startTeamsSimulators({ users: 40 });
    t.secrets.add(fx.clientSecret);
    admin = (await t.signedInAs('admin')).client;
    ({ tenantId, numbers } = await connectedTenant(admin, fx));
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await fx.close();
  });

  it('a bulk job shows "throttled by Teams, resuming at HH:MM", waits, and finishes', async () => {
    const users = fx.seeded.byProfile.readyForVoice.slice(0, 2);
    const free = Object.keys(numbers);
    const csv = ['UserPrincipalName,PhoneNumber', ...users.map((u, i) => `${u.userPrincipalName},${free[i]}`)].join('\n');
    const dry = await fetch(`${t.url}/api/tenants/${tenantId}/bulk-assignments?fileName=users.csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', cookie: `ucr_session=${admin.cookie}`, 'x-csrf-token': admin.csrfToken! },
      body: csv,
    }).then(async (r) => (await r.json()) as { id: string; counts: { pending: number } });
    expect(dry.counts.pending).toBe(2);
    // The first number order is refused with a Retry-After of 4 s (a short wait in the simulator's knob).
    fx.graph.knobs.set({ faultMatch: 'assignNumber', failNext: { count: 1, status: 429 }, retryAfterSeconds: 4 });
    await admin.post(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}/run`);
    let job = (await admin.get(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}`)).body;
    const seen: Array<{ notice: string; throttledUntil: string }> = [];
    for (let i = 0; i < 600 && job.status !== 'completed'; i++) {
      if (job.notice) seen.push({ notice: job.notice, throttledUntil: job.throttledUntil });
      await new Promise((r) => setTimeout(r, 50));
      job = (await admin.get(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}`)).body;
    }
    fx.graph.knobs.reset();
    expect(job).toMatchObject({ status: 'completed', counts: { succeeded: 2, failed: 0 }, notice: null, throttledUntil: null });
    expect(seen.length).toBeGreaterThan(0);
    const { notice, throttledUntil } = seen[0]!;
    expect(notice).toBe(`Throttled by Teams, resuming at ${throttledUntil.slice(11, 16)} UTC.`);
  });

  it('an interactive request answers 503 with Retry-After and the wait instead of hanging', async () => {
    const user = fx.seeded.byProfile.readyForVoice[5]!;
    fx.graph.knobs.set({ failNext: { count: 1, status: 429 }, retryAfterSeconds: 300 });
    const answer = await admin.get(`/api/tenants/${tenantId}/teams/users/${user.id}?live=true`);
    expect(answer.status).toBe(503);
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(290);
    expect(answer.body.error).toMatchObject({ code: 'teams_throttled', message: expect.stringMatching(/^Microsoft Graph is throttling this tenant and asked to wait \d+ s \(until \d\d:\d\d:\d\d UTC\)\. Nothing was sent to Teams; try again then\./) });
  });
});
