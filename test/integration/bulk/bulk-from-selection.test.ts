import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../../src/db/connection.ts';
import { addNumber } from '../../../simulators/graph/state.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/** Users ticked in the Teams list go through the same dry run, job and worker as a CSV upload. */
describe.each(dbTargets())('bulk assignment from ticked users on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let admin: ApiClient;
  let tenantId: string;
  let numbers: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp(target, {}, { withQueue: true });
    fx = await startTeamsSimulators({ users: 120, seed: 23 });
    t.secrets.add(fx.clientSecret);
    admin = (await t.signedInAs('admin')).client;
    ({ tenantId, numbers } = await connectedTenant(admin, fx));
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
    await fx.close();
  });

  let nextUser = 0;
  const ready = () => fx.seeded.byProfile.readyForVoice[nextUser++]!;
  let nextNumber = 0;
  const freeNumber = () => Object.keys(numbers)[nextNumber++]!;
  const fromSelection = (body: unknown) => admin.post(`/api/tenants/${tenantId}/bulk-assignments/from-selection`, body);
  const changes = async () => (await queryRows<{ n: number }>(t.deps.db, sql`select count(*)::int as n from voice_changes`))[0]!.n;
  async function finished(jobId: string) {
    for (let i = 0; i < 300; i++) {
      const job = (await admin.get(`/api/tenants/${tenantId}/bulk-assignments/${jobId}`)).body;
      if (job.status === 'completed' || job.status === 'cancelled') return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('bulk job did not finish');
  }

  it('bad choices get their own message per user, and nothing runs', async () => {
    const [u1, u2, u3, u4, u5] = [ready(), ready(), ready(), ready(), ready()];
    const n1 = freeNumber();
    let takenNumber = '';
    for (const taken of fx.seeded.byProfile.voiceDirectRouting) {
      takenNumber = (await admin.get(`/api/tenants/${tenantId}/teams/users/${taken.id}`)).body.numbers[0].telephoneNumber;
      if (takenNumber.startsWith('+1')) break;
    }
    await admin.post(`/api/tenants/${tenantId}/teams/reconcile/fix`, { numbers: [takenNumber] });
    const before = await changes();
    const users = [
      { upn: u1.userPrincipalName, number: { e164: n1 } },
      { upn: u2.userPrincipalName, number: { e164: n1 } },
      { upn: u3.userPrincipalName, number: { e164: takenNumber } },
      { upn: u4.userPrincipalName, profile: 'No such profile' },
      { upn: u5.userPrincipalName, policies: { OnlineVoiceRoutingPolicy: 'Not-A-Policy' } },
    ];
    const dry = await fromSelection({ users });
    expect(dry.status).toBe(201);
    expect(dry.body).toMatchObject({ source: 'selection', status: 'draft', total: 5, counts: { pending: 1, skipped: 4 } });
    const messages = dry.body.rows.map((r: { verdictMessage: string | null }) => r.verdictMessage);
    expect(messages[0]).toBeNull();
    expect(messages[1]).toBe(`The same number is on row 1 (${u1.userPrincipalName.toLowerCase()}).`);
    expect(messages[2]).toMatch(new RegExp(`^\\${takenNumber} is assigned \\(`));
    expect(messages[3]).toBe('There is no profile named "No such profile".');
    expect(messages[4]).toBe('The tenant has no OnlineVoiceRoutingPolicy named "Not-A-Policy" (add it to the policy catalog if it exists).');

    // The draft with errors cannot be run, unlike a CSV job whose good rows would run.
    const run = await admin.post(`/api/tenants/${tenantId}/bulk-assignments/${dry.body.id}/run`);
    expect(run.status).toBe(409);
    expect(run.body.error).toMatchObject({ code: 'selection_has_errors' });

    // Asked to run at once, it refuses with every bad user named and saves nothing.
    const jobsBefore = (await admin.get(`/api/tenants/${tenantId}/bulk-assignments`)).body.jobs.length;
    const direct = await fromSelection({ users, run: true });
    expect(direct.status).toBe(400);
    expect(direct.body.error.code).toBe('validation_failed');
    expect(direct.body.error.message).toMatch(/^4 users do not pass the dry run, so nothing ran: /);
    expect(direct.body.error.details.fields).toEqual([
      { field: 'users.1', message: messages[1] },
      { field: 'users.2', message: messages[2] },
      { field: 'users.3', message: messages[3] },
      { field: 'users.4', message: messages[4] },
    ]);
    expect((await admin.get(`/api/tenants/${tenantId}/bulk-assignments`)).body.jobs.length).toBe(jobsBefore);
    expect(await changes()).toBe(before);
  });

  it('an unknown policy type or an empty selection is refused by the schema', async () => {
    const empty = await fromSelection({ users: [] });
    expect(empty.status).toBe(400);
    const badType = await fromSelection({ users: [{ upn: ready().userPrincipalName, policies: { NoSuchPolicyType: 'x' } }] });
    expect(badType.status).toBe(400);
  });

  it('next free of a range, next free of a site and a given number run as one bulk job', async () => {
    const tenant = fx.graph.state.tenants.get(fx.microsoftTenantId)!;
    for (const e164 of ['+14155557100', '+14155557101', '+14155557200']) addNumber(tenant, { telephoneNumber: e164, numberType: 'directRouting' });
    const site = (await admin.post(`/api/tenants/${tenantId}/sites`, { name: 'Selection site' })).body;
    expect((await admin.post(`/api/tenants/${tenantId}/ranges`, { name: 'Selection block', start: '+14155557100', count: 2, kind: 'direct_routing' })).status).toBe(201);
    expect((await admin.post(`/api/tenants/${tenantId}/numbers`, { number: '+14155557200', kind: 'direct_routing', siteId: site.id })).status).toBe(201);
    const [u1, u2, u3] = [ready(), ready(), ready()];
    const given = freeNumber();
    const users = [
      { upn: u1.userPrincipalName, number: { nextFromRange: 'Selection block' }, policies: { OnlineVoiceRoutingPolicy: 'US-Domestic' } },
      { upn: u2.userPrincipalName, number: { nextFromSite: 'Selection site' } },
      { upn: u3.userPrincipalName, number: { e164: given } },
    ];
    const dry = await fromSelection({ users });
    expect(dry.body.rows.map((r: { verdictMessage: string | null }) => r.verdictMessage)).toEqual([null, null, null]);
    expect(dry.body.rows[0].input).toMatchObject({ phoneNumber: 'next:Selection block', policies: { OnlineVoiceRoutingPolicy: 'US-Domestic' } });
    // The dry run is a draft like a CSV's: run it through the same route.
    const started = await admin.post(`/api/tenants/${tenantId}/bulk-assignments/${dry.body.id}/run`);
    expect(started.body.status).toBe('queued');
    const job = await finished(dry.body.id);
    expect(job).toMatchObject({ status: 'completed', counts: { succeeded: 3, failed: 0 } });
    expect(job.rows.map((r: { numberE164: string }) => r.numberE164)).toEqual(['+14155557100', '+14155557200', given]);
    const live = (await admin.get(`/api/tenants/${tenantId}/teams/users/${u1.id}?live=true`)).body;
    expect(live.numbers.map((n: { telephoneNumber: string }) => n.telephoneNumber)).toEqual(['+14155557100']);
    expect(live.policies.OnlineVoiceRoutingPolicy.name).toBe('US-Domestic');
    const audit = (await admin.get(`/api/audit?limit=100`)).body.events as Array<{ action: string; targetId: string; after: { source?: string } }>;
    expect(audit.find((e) => e.action === 'bulk.dry_run' && e.targetId === dry.body.id)?.after.source).toBe('selection');

    // run: true starts at once when every user passes.
    const u4 = ready();
    const direct = await fromSelection({ users: [{ upn: u4.userPrincipalName, number: { nextFromRange: 'Selection block' } }], run: true });
    expect(direct.status).toBe(201);
    expect(direct.body.status).toBe('queued');
    expect((await finished(direct.body.id)).rows[0].numberE164).toBe('+14155557101');
    // The range is used up now: the next ask says so before anything runs.
    const over = await fromSelection({ users: [{ upn: ready().userPrincipalName, number: { nextFromRange: 'Selection block' } }] });
    expect(over.body.rows[0].verdictMessage).toBe('No available number is left in Selection block for this row.');
  });
});
