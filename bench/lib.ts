import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config/env.ts';
import { countryOfNumber } from '../src/core/phone-number.ts';
import { keyFromMaterial } from '../src/core/secret-box.ts';
import { openDatabase, queryRows, type Database, type Db } from '../src/db/connection.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { buildHttpApp } from '../src/app/http-app.ts';
import { createLogger } from '../src/app/logging.ts';
import { createToken } from '../src/features/identity/api-tokens.ts';
import type { Actor, AppDeps } from '../src/features/kernel/deps.ts';
import { createAdmin } from '../src/features/identity/first-admin.ts';
import { operators } from '../src/db/schema/index.ts';
import { createPostgresDatabase } from '../test/helpers/databases.ts';
import { freePort } from '../test/helpers/server-process.ts';

export type BenchTarget = { label: 'pglite' | 'postgres'; database: Database; drop(): Promise<void> };

/** PGlite always; PostgreSQL too when DATABASE_URL is set (a fresh database, dropped afterwards). */
export async function benchTargets(): Promise<Array<() => Promise<BenchTarget>>> {
  const only = process.env.BENCH_TARGETS?.split(',');
  const targets: Array<() => Promise<BenchTarget>> = [
    async () => {
      const database = await openDatabase({ pgliteDataDir: 'memory' });
      await runMigrations(database);
      return { label: 'pglite', database, drop: () => database.close() };
    },
  ];
  if (process.env.DATABASE_URL) {
    targets.push(async () => {
      const pg = await createPostgresDatabase();
      const database = await openDatabase({ databaseUrl: pg.url }, { poolSize: 10 });
      await runMigrations(database);
      return {
        label: 'postgres',
        database,
        drop: async () => {
          await database.close();
          await pg.drop();
        },
      };
    });
  } else {
    console.log('note: DATABASE_URL not set; PostgreSQL figures skipped');
  }
  // BENCH_TARGETS=postgres measures one database only (the target figures are PostgreSQL's).
  return only ? targets.filter((_, i) => only.includes(i === 0 ? 'pglite' : 'postgres')) : targets;
}

/** The real HTTP server on the target database, with an admin and a read-write API token. */
export async function benchServer(database: Database, logLevel = 'silent'): Promise<{ url: string; app: FastifyInstance; deps: AppDeps; token: string; actor: Actor }> {
  const config = loadConfig({ LOG_LEVEL: logLevel, UCR_DATA_DIR: '/nonexistent' });
  if (!config.ok) throw new Error(config.problems.join('\n'));
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const deps: AppDeps = { database, db: database.db, keyring: { active: keyFromMaterial(randomBytes(32)), previous: [] }, config: config.config, log: createLogger(logLevel, sink), now: () => new Date() };
  const app = await buildHttpApp(deps);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  await createAdmin(deps, 'perf@ucr.local', 'benchmark passphrase 1234');
  const [admin] = await deps.db.select().from(operators);
  await deps.db.update(operators).set({ mustChangePassword: false });
  const actor: Actor = { operatorId: admin!.id, email: admin!.email, displayName: 'bench', role: 'admin', allTenants: true, tenantIds: [], via: 'session' };
  const { token } = await createToken(deps, actor, { name: 'bench', access: 'read-write' }, { requestId: 'bench', ip: undefined });
  return { url, app, deps, token, actor };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export function figure(name: string, value: number, unit: string): void {
  console.log(`${name}: ${Number.isInteger(value) ? value : value.toFixed(unit === 'ms' ? 1 : 2)} ${unit}`);
}

/**
 * `tenants` tenants; the first holds `bigTenant` numbers, the others but the last share the
 * rest (the last is left empty, e.g. for an import). A mix of statuses, kinds, assignees and tags.
 */
export async function seedNumbers(db: Db, options: { tenants: number; bigTenant: number; total: number }): Promise<string[]> {
  const { tenants: count, bigTenant, total } = options;
  const ids = await seedTenants(db, count);
  const perOther = Math.floor((total - bigTenant) / Math.max(1, count - 2));
  for (let t = 0; t < count - 1; t++) await seedTenantNumbers(db, ids[t]!, t, 0, t === 0 ? bigTenant : perOther);
  await db.execute(sql`analyze phone_numbers`);
  return ids;
}

/** `count` empty tenants named "Bench tenant 01", "Bench tenant 02", … */
export async function seedTenants(db: Db, count: number): Promise<string[]> {
  const tenants = await queryRows<{ id: string }>(db, sql`insert into tenants (name) select 'Bench tenant ' || lpad(g::text, 2, '0') from generate_series(1, ${count}) g returning id`);
  return tenants.map((t) => t.id);
}

/**
 * Numbers `from` to `to` - 1 of bench tenant `t` (E.164 +1 2000000000 + t·100,000 + i, so a
 * tenant holds at most 100,000), written as the app writes them: search text, country, and a
 * mix of statuses, kinds, assignees and tags. A tenant's block can be grown in steps.
 */
export async function seedTenantNumbers(db: Db, tenantId: string, t: number, from: number, to: number): Promise<void> {
  if (to <= from) return;
  // The country an import would store (all of a tenant's seeded numbers share a prefix); left
  // null, the server's country back-fill job would rewrite every row while it is being measured.
  const country = countryOfNumber(`+1${2000000000 + t * 100000}`);
  await db.execute(sql`
    insert into phone_numbers (tenant_id, e164, kind, status, assignee_type, assignee_id, assignee_upn, reserved_until, cooling_until, tags, search_text, updated_at, country)
    select ${tenantId}::uuid,
           '+1' || (2000000000 + ${t} * 100000 + i)::text,
           case when i % 5 = 0 then 'calling_plan' else 'direct_routing' end,
           s.status,
           case when s.status = 'assigned' then 'teams_user' end,
           case when s.status = 'assigned' then 'user-' || i end,
           case when s.status = 'assigned' then 'user' || i || '@tenant' || ${t} || '.example' end,
           case when s.status = 'reserved' then now() + interval '7 days' end,
           case when s.status = 'cooling' then now() + interval '7 days' end,
           case when i % 100 = 1 then '{reception}'::text[] else '{}'::text[] end,
           lower('1' || (2000000000 + ${t} * 100000 + i)::text || coalesce(' user' || i || '@tenant' || ${t} || '.example', '')),
           now() - (i % 5000) * interval '1 minute',
           ${country}
      from generate_series(${from}::int, ${to - 1}::int) i
      cross join lateral (select case when i % 10 < 5 then 'assigned' when i % 10 < 8 then 'available' when i % 10 = 8 then 'reserved' else 'cooling' end as status) s`);
}

/** The Teams directory cache of a tenant: `count` users, half with a number, the way a sync leaves it. */
export async function seedTeamsUsers(db: Db, tenantId: string, count: number): Promise<void> {
  await db.execute(sql`
    insert into teams_users (tenant_id, user_id, upn, display_name, usage_location, account_type, phone_system, enterprise_voice, numbers, search_text)
    select ${tenantId}::uuid, 'user-' || i, 'user' || i || '@tenant0.example', 'Bench User ' || i, 'US', 'user', i % 4 <> 0, i % 2 = 0,
           case when i % 2 = 0 then jsonb_build_array(jsonb_build_object('telephoneNumber', '+1' || (2000000000 + i)::text, 'assignmentCategory', 'primary')) else '[]'::jsonb end,
           lower('user' || i || '@tenant0.example bench user ' || i || case when i % 2 = 0 then ' +1' || (2000000000 + i)::text || ' 1' || (2000000000 + i)::text else '' end)
      from generate_series(0, ${count - 1}) i`);
  await db.execute(sql`analyze teams_users`);
}

/** `perTenant` audit events in each tenant, spread over the last 90 days. */
export async function seedAudit(db: Db, tenantIds: string[], perTenant: number): Promise<void> {
  for (const tenantId of tenantIds) {
    await db.execute(sql`
      insert into audit_events (occurred_at, actor, tenant_id, action, target_type, target_id, after, result, request_id)
      select now() - (i * interval '1 minute'), 'bench@ucr.local', ${tenantId}::uuid,
             (array['number.reserved','number.released','voice.assign_number','voice.policies','number.imported'])[1 + i % 5],
             'phone_number', 'n-' || i, jsonb_build_object('status', 'reserved', 'i', i), case when i % 50 = 0 then 'failure' else 'success' end, 'bench-' || i
        from generate_series(1, ${perTenant}) i`);
  }
  await db.execute(sql`analyze audit_events`);
}

export type AppProcess = { url: string; pid: number; readyMs: number; stop(signal?: NodeJS.Signals): Promise<void> };

const root = path.resolve(import.meta.dirname, '..');

/**
 * Starts the app as an operator would — `npm start` or `ucr serve` — in its own process group,
 * its output appended to `logFile`, and resolves once /readyz answers 200 (readyMs: since spawn).
 */
export async function spawnApp(how: 'npm-start' | 'serve', env: NodeJS.ProcessEnv, logFile: string): Promise<AppProcess> {
  const port = await freePort();
  const out = openSync(logFile, 'a');
  const [command, args] = how === 'npm-start' ? ['npm', ['start', '--silent']] : [path.join(root, 'node_modules/.bin/node'), ['src/cli/main.ts', 'serve']];
  const started = performance.now();
  const child = spawn(command, args, { cwd: root, detached: true, stdio: ['ignore', out, out], env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: String(port), UCR_DEMO_SIMULATOR_PORTS: 'random', ...env } });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid!, signal); // the whole group: npm, its shell and the app
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited early (${child.exitCode}); see ${logFile}`);
    if (performance.now() - started > 60_000) {
      await stop('SIGKILL');
      throw new Error(`the app was not ready within 60 s; see ${logFile}`);
    }
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { url, pid: child.pid!, readyMs: performance.now() - started, stop };
}
