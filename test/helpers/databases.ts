import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/connection.ts';
import { runMigrations } from '../../src/db/migrate.ts';

export type DbTarget = 'pglite' | 'postgres';

/**
 * Every database test runs on the embedded PGlite and, when DATABASE_URL is set, on PostgreSQL
 * too. Under CI=true PostgreSQL is mandatory: nothing may skip there.
 */
export function dbTargets(): DbTarget[] {
  if (process.env.DATABASE_URL) return ['pglite', 'postgres'];
  if (process.env.CI === 'true') throw new Error('CI=true but DATABASE_URL is not set: the PostgreSQL half of the database tests cannot be skipped in CI.');
  warnOnce();
  return ['pglite'];
}

let warned = false;
function warnOnce(): void {
  if (warned) return;
  warned = true;
  console.warn('\n*** DATABASE_URL is not set: database tests run on PGlite only; the PostgreSQL variants are SKIPPED. Set DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run them. ***\n');
}

export type TestDatabase = { database: Database; target: DbTarget; /** The PostgreSQL database's address, for a second node to open its own pool on. */ url?: string; drop(): Promise<void> };

/**
 * Another node's handle on an existing test database: its own pool on PostgreSQL; on PGlite,
 * which is one in-process database, the same handle. Closing it leaves the database to its owner.
 */
export async function joinTestDatabase(owner: TestDatabase): Promise<TestDatabase> {
  if (!owner.url) return { ...owner, drop: async () => {} };
  const database = await openDatabase({ databaseUrl: owner.url });
  return { database, target: owner.target, url: owner.url, drop: () => database.close() };
}

/** A fresh, migrated database: in-memory PGlite, or a new database on the PostgreSQL server. */
export async function createTestDatabase(target: DbTarget, options: { poolSize?: number } = {}): Promise<TestDatabase> {
  if (target === 'pglite') {
    const database = await openDatabase({ pgliteDataDir: 'memory' });
    await runMigrations(database);
    return { database, target, drop: () => database.close() };
  }
  const { url, drop } = await createPostgresDatabase();
  const database = await openDatabase({ databaseUrl: url }, options);
  await runMigrations(database);
  return {
    database,
    target,
    url,
    drop: async () => {
      await database.close();
      await drop();
    },
  };
}

/** Creates an empty database on the DATABASE_URL server; drop() removes it. */
export async function createPostgresDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('DATABASE_URL is not set');
  const name = `ucr_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
