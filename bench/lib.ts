import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config/env.ts';
import { keyFromMaterial } from '../src/core/secret-box.ts';
import { openDatabase, type Database } from '../src/db/connection.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { buildHttpApp } from '../src/http/app.ts';
import { createLogger } from '../src/logging.ts';
import { createToken } from '../src/services/api-tokens.ts';
import type { Actor, AppDeps } from '../src/services/deps.ts';
import { createAdmin } from '../src/services/first-admin.ts';
import { operators } from '../src/db/schema/index.ts';
import { createPostgresDatabase } from '../test/helpers/databases.ts';

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
