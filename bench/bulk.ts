import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/connection.ts';
import { startQueue } from '../src/jobs/queue.ts';
import { processBulkJob } from '../src/features/bulk/bulk-assignment.ts';
import { ApiClient } from '../test/helpers/api-client.ts';
import { createPostgresDatabase } from '../test/helpers/databases.ts';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { connectedTenant, startTeamsSimulators, type TeamsFixture } from '../test/helpers/teams-fixture.ts';
import { benchServer, benchTargets, figure } from './lib.ts';

/**
 * P2 — bulk assignment of USERS users against the Graph simulator with LATENCY_MS per call and a
 * tenant throttle of THROTTLE_RPS. The bound the throttle sets is (Graph calls answered) / rps;
 * the run must finish within 1.2× of it with no row lost and no number given twice. `--kill`
 * runs the job in a server process, SIGKILLs it mid-run and restarts it.
 */
const USERS = Number(process.env.BENCH_BULK_USERS ?? 1000);
const LATENCY_MS = 100;
const THROTTLE_RPS = Number(process.env.BENCH_BULK_RPS ?? 50);
const kill = process.argv.includes('--kill');

type Outcome = { label: string; seconds: number; bound: number; throttled: number; doubles: number; lost: number };
const outcomes: Outcome[] = [];

async function prepare(): Promise<TeamsFixture> {
  const fx = await startTeamsSimulators({ users: Math.ceil(USERS * 6) + 50, seed: 3, spareNumbers: USERS + 10 });
  if (fx.seeded.byProfile.readyForVoice.length < USERS) throw new Error(`seed gave only ${fx.seeded.byProfile.readyForVoice.length} ready users`);
  return fx;
}

function bulkCsv(fx: TeamsFixture, numbers: string[]): { csv: string; wanted: Map<string, string> } {
  const users = fx.seeded.byProfile.readyForVoice.slice(0, USERS);
  const wanted = new Map(users.map((u, i) => [u.id, numbers[i]!]));
  return { csv: ['UserPrincipalName,PhoneNumber,VoiceRoutingPolicy', ...users.map((u) => `${u.userPrincipalName},${wanted.get(u.id)},US-International`)].join('\n'), wanted };
}

/** Teams' own state: users holding other than their row's number (doubles) and rows whose user lacks it (lost). */
function judge(fx: TeamsFixture, wanted: Map<string, string>) {
  const held = new Map<string, string[]>();
  for (const n of fx.graph.state.tenants.get(fx.microsoftTenantId)!.numbers.values()) {
    if (n.assignmentTargetId && wanted.has(n.assignmentTargetId)) held.set(n.assignmentTargetId, [...(held.get(n.assignmentTargetId) ?? []), n.telephoneNumber]);
  }
  let doubles = 0;
  let lost = 0;
  for (const [userId, e164] of wanted) {
    const mine = held.get(userId) ?? [];
    if (!mine.includes(e164)) lost += 1;
    if (mine.length > 1) doubles += 1;
  }
  return { doubles, lost };
}

async function stats(fx: TeamsFixture) {
  return (await fetch(`${fx.graph.url}/_sim/stats`).then((r) => r.json())) as { requests: number; throttled: number };
}

async function inProcess() {
  for (const open of await benchTargets()) {
    const target = await open();
    const fx = await prepare();
    const server = await benchServer(target.database);
    server.deps.queue = await startQueue(target.database, server.deps.log, { runsSchedules: false });
    const admin = new ApiClient(server.url, new Set());
    admin.bearer = server.token;
    try {
      const { tenantId, numbers } = await connectedTenant(admin, fx, 'Bulk bench');
      const { csv, wanted } = bulkCsv(fx, Object.keys(numbers));
      const dry = await fetch(`${server.url}/api/tenants/${tenantId}/bulk-assignments`, { method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'text/csv' }, body: csv }).then((r) => r.json());
      if (dry.counts?.pending !== USERS) throw new Error(`dry run: ${JSON.stringify(dry).slice(0, 400)}`);
      await queryRows(target.database.db, sql`update bulk_jobs set status = 'queued' where id = ${dry.id}::uuid`);
      fx.graph.knobs.set({ latencyMs: LATENCY_MS, throttleRps: THROTTLE_RPS, operationDelayMs: 500 });
      const before = await stats(fx);
      const started = Date.now();
      await processBulkJob(server.deps, dry.id, { pollMs: 500 });
      const seconds = (Date.now() - started) / 1000;
      const after = await stats(fx);
      const answered = after.requests - before.requests - (after.throttled - before.throttled);
      outcomes.push({ label: target.label, seconds, bound: answered / THROTTLE_RPS, throttled: after.throttled - before.throttled, ...judge(fx, wanted) });
    } finally {
      await server.deps.queue?.stop({ graceful: false });
      await server.app.close();
      await fx.close();
      await target.drop();
    }
  }
}

async function withKill() {
  const targets = process.env.DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);
  for (const label of targets) {
    const fx = await prepare();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ucr-bench-'));
    const env: NodeJS.ProcessEnv = { UCR_DATA_DIR: dataDir, UCR_ADMIN_PASSWORD: 'bench kill passphrase 1', UCR_DEMO: 'false', LOG_LEVEL: 'error' };
    const pg = label === 'postgres' ? await createPostgresDatabase() : undefined;
    if (pg) Object.assign(env, { DATABASE_URL: pg.url, UCR_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    let server = await startServerProcess(env);
    try {
      const admin = new ApiClient(server.url, new Set());
      await admin.login('admin@ucr.local', 'bench kill passphrase 1');
      await admin.post('/api/me/password', { currentPassword: 'bench kill passphrase 1', newPassword: 'bench kill passphrase 2' });
      const { tenantId, numbers } = await connectedTenant(admin, fx, 'Bulk kill bench');
      const { csv, wanted } = bulkCsv(fx, Object.keys(numbers));
      const dry = await fetch(`${server.url}/api/tenants/${tenantId}/bulk-assignments`, { method: 'POST', headers: { 'content-type': 'text/csv', cookie: `ucr_session=${admin.cookie}`, 'x-csrf-token': admin.csrfToken! }, body: csv }).then((r) => r.json());
      fx.graph.knobs.set({ latencyMs: LATENCY_MS, throttleRps: THROTTLE_RPS, operationDelayMs: 500 });
      const before = await stats(fx);
      const started = Date.now();
      await admin.post(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}/run`);
      for (;;) {
        const job = (await admin.get(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}`)).body;
        if (job.counts.succeeded >= USERS / 3) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      await server.stop('SIGKILL');
      figure(`${label}_killed_after`, (Date.now() - started) / 1000, 's');
      server = await startServerProcess(env);
      const again = new ApiClient(server.url, new Set());
      await again.login('admin@ucr.local', 'bench kill passphrase 2');
      for (;;) {
        const job = (await again.get(`/api/tenants/${tenantId}/bulk-assignments/${dry.id}`)).body;
        if (job.status === 'completed') break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const seconds = (Date.now() - started) / 1000;
      const after = await stats(fx);
      const answered = after.requests - before.requests - (after.throttled - before.throttled);
      outcomes.push({ label: `${label}_kill`, seconds, bound: answered / THROTTLE_RPS, throttled: after.throttled - before.throttled, ...judge(fx, wanted) });
    } finally {
      await server.stop();
      await fx.close();
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

await (kill ? withKill() : inProcess());
const misses: string[] = [];
for (const o of outcomes) {
  const ratio = o.seconds / o.bound;
  figure(`${o.label}_users`, USERS, 'rows');
  figure(`${o.label}_total`, o.seconds, 's');
  figure(`${o.label}_throttle_bound`, o.bound, 's');
  figure(`${o.label}_ratio`, ratio, 'x');
  figure(`${o.label}_429s`, o.throttled, 'responses');
  figure(`${o.label}_double_assignments`, o.doubles, 'rows');
  figure(`${o.label}_lost_rows`, o.lost, 'rows');
  // The kill variant includes the restart and the queue noticing the dead worker: only correctness counts there.
  if (!o.label.endsWith('_kill') && ratio > 1.2) misses.push(`${o.label}_ratio ${ratio.toFixed(2)}`);
  if (o.doubles) misses.push(`${o.label}_double_assignments ${o.doubles}`);
  if (o.lost) misses.push(`${o.label}_lost_rows ${o.lost}`);
}
console.log(misses.length ? `target P2: missed (${misses.join('; ')})` : 'target P2: met');
process.exit(0);
