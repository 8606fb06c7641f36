import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkJobRows, phoneNumbers, voiceChanges } from '../../../src/db/schema/index.ts';
import { queryRows } from '../../../src/db/connection.ts';
import { processBulkJob } from '../../../src/features/bulk/bulk-assignment.ts';
import { addNumber } from '../../../simulators/graph/state.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../../helpers/teams-fixture.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('bulk assignment on %s', (target) => {
  let t: TestApp;
  let fx: TeamsFixture;
  let admin: ApiClient;
  let tenantId: string;
  let numbers: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp(target, {}, { withQueue: true });
    fx = await startTeamsSimulators({ users: 400, seed: 11 });
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

  function upload(csv: string) {
    return fetch(`${t.url}/api/tenants/${tenantId}/bulk-assignments?fileName=users.csv&ticketId=555`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', cookie: `ucr_session=${admin.cookie}`, 'x-csrf-token': admin.csrfToken! },
      body: csv,
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  }
  async function finished(jobId: string) {
    for (let i = 0; i < 300; i++) {
      const job = (await admin.get(`/api/tenants/${tenantId}/bulk-assignments/${jobId}`)).body;
      if (job.status === 'completed' || job.status === 'cancelled') return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('bulk job did not finish');
  }

  it('the dry run gives each kind of bad row its own verdict and changes nothing', async () => {
    const [u1, u2, u3, u4, u5, u6] = [ready(), ready(), ready(), ready(), ready(), ready()];
    const [n1, n2] = [freeNumber(), freeNumber()];
    const taken = fx.seeded.byProfile.voiceDirectRouting[0]!;
    const takenNumber = (await admin.get(`/api/tenants/${tenantId}/teams/users/${taken.id}`)).body.numbers[0].telephoneNumber;
    await admin.post(`/api/tenants/${tenantId}/teams/reconcile/fix`, { numbers: [takenNumber] });
    const csv = [
      'UserPrincipalName,PhoneNumber,PhoneNumberType,VoiceRoutingPolicy,DialPlan',
      `${u1.userPrincipalName},${n1},DirectRouting,US-International,US-Redmond`,
      `nobody@${fx.domain},${n2},DirectRouting,,`,
      `${fx.seeded.byProfile.disabled[0]!.userPrincipalName},${n2},,,`,
      `${fx.seeded.byProfile.unlicensed[0]!.userPrincipalName},${n2},,,`,
      `${fx.seeded.byProfile.noUsageLocation[0]!.userPrincipalName},${n2},,,`,
      `${u2.userPrincipalName},+14155550999,,,`,
      `${u3.userPrincipalName},${takenNumber},,,`,
      `${u1.userPrincipalName},${n2},,,`,
      `${u4.userPrincipalName},${n1},,,`,
      `${u5.userPrincipalName},${n2},,NoSuchPolicy,`,
      `${u6.userPrincipalName},next:No Such Range,,,`,
      `${u6.userPrincipalName.replace('@', '.x@')},${n2},CallingPlan,,`,
    ].join('\n');
    const before = await queryRows<{ n: number }>(t.deps.db, sql`select count(*)::int as n from voice_changes`);
    const dry = await upload(csv);
    expect(dry.status).toBe(201);
    const verdicts = dry.body.rows.map((r: { rowNumber: number; verdict: string; verdictMessage: string | null }) => `${r.rowNumber} ${r.verdict} ${r.verdictMessage ?? ''}`.trim());
    expect(verdicts[0]).toBe('2 ok');
    expect(verdicts[1]).toMatch(/^3 error No user nobody@/);
    expect(verdicts[2]).toMatch(/^4 error .* is disabled/);
    expect(verdicts[3]).toMatch(/^5 error .* no Teams Phone licence/);
    expect(verdicts[4]).toMatch(/^6 error .* no usage location/);
    expect(verdicts[5]).toMatch(/^7 error \+14155550999 is not in .* inventory/);
    expect(verdicts[6]).toMatch(/^8 error .* is assigned/);
    expect(verdicts[7]).toMatch(/^9 error The same user is on line 2/);
    expect(verdicts[8]).toMatch(/^10 error The same number is on line 2/);
    expect(verdicts[9]).toMatch(/^11 error The tenant has no OnlineVoiceRoutingPolicy named "NoSuchPolicy"/);
    expect(verdicts[10]).toMatch(/^12 error There is no range named "No Such Range"/);
    expect(verdicts[11]).toMatch(/^13 error No user/);
    expect(dry.body).toMatchObject({ status: 'draft', total: 12, counts: { pending: 1, skipped: 11 } });
    const after = await queryRows<{ n: number }>(t.deps.db, sql`select count(*)::int as n from voice_changes`);
    expect(after[0]!.n).toBe(before[0]!.n);
    expect((await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.e164, n1)))[0]!.status).toBe('available');
  });

  it('runs the good rows as a job with progress, results CSV and one audit event per row', async () => {
    const users = [ready(), ready(), ready(), ready()];
    const nums = [freeNumber(), freeNumber(), freeNumber()];
    await admin.post(`/api/tenants/${tenantId}/ranges`, { name: 'Bulk block', start: '+14155558000', count: 3, kind: 'direct_routing' }).catch(() => undefined);
    const csv = ['UserPrincipalName,PhoneNumber,VoiceRoutingPolicy', ...users.slice(0, 3).map((u, i) => `${u.userPrincipalName},${nums[i]},US-Domestic`), `${users[3]!.userPrincipalName},,UK-National`].join('\n');
    const dry = (await upload(csv)).body;
    expect(dry.counts.pending).toBe(4);
    const started = await admin.post(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}/run`);
    expect(started.body.status).toBe('queued');
    const job = await finished(dry.id);
    expect(job).toMatchObject({ status: 'completed', counts: { succeeded: 4, failed: 0, pending: 0 } });
    for (const [i, u] of users.slice(0, 3).entries()) {
      const live = (await admin.get(`/api/tenants/${tenantId}/teams/users/${u.id}?live=true`)).body;
      expect(live.numbers.map((n: { telephoneNumber: string }) => n.telephoneNumber)).toEqual([nums[i]]);
      expect(live.policies.OnlineVoiceRoutingPolicy.name).toBe('US-Domestic');
    }
    const results = await fetch(`${t.url}/api/tenants/${tenantId}/bulk-assignments/${dry.id}/results.csv`, { headers: { cookie: `ucr_session=${admin.cookie}` } }).then((r) => r.text());
    const lines = results.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('line,UserPrincipalName,PhoneNumber,result,message');
    expect(lines.filter((l) => l.includes(',succeeded,'))).toHaveLength(4);
    expect(lines[1]).toContain(`'${nums[0]}`); // spreadsheet-safe
    const audit = (await admin.get(`/api/audit?ticketId=555&limit=500`)).body.events as Array<{ action: string }>;
    expect(audit.filter((e) => e.action === 'voice.assign_number')).toHaveLength(3);
    expect(audit.filter((e) => e.action === 'voice.policies')).toHaveLength(1);
    expect(audit.filter((e) => e.action === 'bulk.completed')).toHaveLength(1);
    const listed = (await admin.get(`/api/tenants/${tenantId}/bulk-assignments`)).body.jobs;
    expect(listed[0]).toMatchObject({ id: dry.id, status: 'completed' });
  });

  it('"next:<range>" rows take the next free numbers of the range, each once', async () => {
    // Three numbers uploaded to Teams and put in the inventory as a range.
    const tenant = fx.graph.state.tenants.get(fx.microsoftTenantId)!;
    for (const e164 of ['+14155558100', '+14155558101', '+14155558102']) addNumber(tenant, { telephoneNumber: e164, numberType: 'directRouting' });
    expect((await admin.post(`/api/tenants/${tenantId}/ranges`, { name: 'Next block', start: '+14155558100', count: 3, kind: 'direct_routing' })).status).toBe(201);
    const users = [ready(), ready(), ready()];
    const csv = ['UserPrincipalName,PhoneNumber', ...users.map((u) => `${u.userPrincipalName},next:Next block`)].join('\n');
    const dry = (await upload(csv)).body;
    expect(dry.counts.pending).toBe(3);
    const over = (await upload(['UserPrincipalName,PhoneNumber', ...[ready(), ready(), ready(), ready()].map((u) => `${u.userPrincipalName},next:Next block`)].join('\n'))).body;
    expect(over.rows[3].verdictMessage).toMatch(/No available number is left in Next block/);
    await admin.post(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}/run`);
    const job = await finished(dry.id);
    expect(job.counts.succeeded).toBe(3);
    const got = job.rows.map((r: { numberE164: string }) => r.numberE164).sort();
    expect(got).toEqual(['+14155558100', '+14155558101', '+14155558102']);
  });

  it('retry touches only the failed rows', async () => {
    const users = [ready(), ready(), ready()];
    const nums = [freeNumber(), freeNumber()];
    // An Operator Connect number the operator has not yet provisioned to the tenant: Teams refuses it
    // (a Direct Routing number would simply be uploaded by its assignment).
    const stranger = (await admin.post(`/api/tenants/${tenantId}/numbers`, { number: '+14155558888', kind: 'operator_connect' })).body;
    const csv = ['UserPrincipalName,PhoneNumber', `${users[0]!.userPrincipalName},${nums[0]}`, `${users[1]!.userPrincipalName},${stranger.e164}`, `${users[2]!.userPrincipalName},${nums[1]}`].join('\n');
    const dry = (await upload(csv)).body;
    await admin.post(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}/run`);
    const first = await finished(dry.id);
    expect(first.counts).toMatchObject({ succeeded: 2, failed: 1 });
    const failedRow = first.rows.find((r: { state: string }) => r.state === 'failed');
    expect(failedRow.resultMessage).toMatch(/Teams does not have this number/);
    // The engineer fixes it: the operator provisions the number to the tenant, then the failed row is retried.
    addNumber(fx.graph.state.tenants.get(fx.microsoftTenantId)!, { telephoneNumber: stranger.e164, numberType: 'operatorConnect' });
    await admin.post(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}/retry`);
    const second = await finished(dry.id);
    expect(second.counts).toMatchObject({ succeeded: 3, failed: 0 });
    const attempts = second.rows.map((r: { rowNumber: number; attempts: number }) => `${r.rowNumber}:${r.attempts}`);
    expect(attempts).toEqual(['2:1', '3:2', '4:1']);
    const changes = await t.deps.db.select().from(voiceChanges).where(eq(voiceChanges.userId, users[0]!.id));
    expect(changes).toHaveLength(1);
  });

  it('cancel stops promptly: rows not started are cancelled', async () => {
    fx.graph.knobs.set({ operationDelayMs: 1500 });
    try {
      const users = Array.from({ length: 10 }, ready);
      const csv = ['UserPrincipalName,VoiceRoutingPolicy,DialPlan', ...users.map((u) => `${u.userPrincipalName},US-International,UK-London`)].join('\n');
      // Policies only, but with latency the job is still busy when cancel arrives.
      fx.graph.knobs.set({ latencyMs: 150 });
      const dry = (await upload(csv)).body;
      await admin.post(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}/run`);
      await new Promise((r) => setTimeout(r, 700));
      const cancelled = await admin.post(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}/cancel`);
      expect(cancelled.status).toBe(200);
      const job = await finished(dry.id);
      expect(job.status).toBe('cancelled');
      expect(job.counts.cancelled).toBeGreaterThan(0);
      expect(job.counts.succeeded + job.counts.cancelled + job.counts.failed).toBe(10);
    } finally {
      fx.graph.knobs.set({ operationDelayMs: 300, latencyMs: 0 });
    }
  });

  it('two workers on one job never do a row twice', async () => {
    const users = Array.from({ length: 8 }, ready);
    const nums = Array.from({ length: 8 }, freeNumber);
    const csv = ['UserPrincipalName,PhoneNumber', ...users.map((u, i) => `${u.userPrincipalName},${nums[i]}`)].join('\n');
    const dry = (await upload(csv)).body;
    // Queued but worked here by two workers side by side, as two nodes would.
    await t.deps.db.execute(sql`update bulk_jobs set status = 'queued' where id = ${dry.id}::uuid`);
    await Promise.all([processBulkJob(t.deps, dry.id, { concurrency: 3, pollMs: 100 }), processBulkJob(t.deps, dry.id, { concurrency: 3, pollMs: 100 })]);
    const rows = await t.deps.db.select().from(bulkJobRows).where(eq(bulkJobRows.jobId, dry.id));
    expect(rows.map((r) => r.state)).toEqual(Array(8).fill('succeeded'));
    expect(rows.map((r) => r.attempts)).toEqual(Array(8).fill(1));
    const perRow = await queryRows<{ n: number }>(t.deps.db, sql`select count(*)::int as n from voice_changes where bulk_row_id in (select id from bulk_job_rows where job_id = ${dry.id}::uuid) group by bulk_row_id`);
    expect(perRow.map((r) => r.n)).toEqual(Array(8).fill(1));
  });
});
