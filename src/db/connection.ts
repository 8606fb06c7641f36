import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { copyTemplateInto } from './pglite-template.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The app's database handle; a transaction handle is one too, so services take either. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type Database =
  | { kind: 'pglite'; db: Db; pglite: PGlite; close(): Promise<void> }
  | { kind: 'postgres'; db: Db; pool: pg.Pool; url: string; close(): Promise<void> };

export type DatabaseTarget = { databaseUrl: string } | { pgliteDataDir: string | 'memory' };

/**
 * Opens PostgreSQL when a URL is given, otherwise the embedded PGlite in the data directory.
 * Both sit behind the same Drizzle handle, schema and migrations.
 */
export async function openDatabase(target: DatabaseTarget, options: { poolSize?: number } = {}): Promise<Database> {
  if ('databaseUrl' in target) {
    const pool = new pg.Pool({ connectionString: target.databaseUrl, max: options.poolSize ?? 10 });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    const client = await pool.connect(); // fail fast with a clear error when the server is unreachable
    client.release();
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return { kind: 'postgres', db, pool, url: target.databaseUrl, close: () => pool.end() };
  }
  let pglite: PGlite;
  if (target.pgliteDataDir === 'memory') {
    pglite = new PGlite({ extensions: { pg_trgm, btree_gin } });
  } else {
    const dir = path.resolve(target.pgliteDataDir, 'pgdata');
    mkdirSync(dir, { recursive: true });
    copyTemplateInto(dir);
    pglite = new PGlite(dir, { extensions: { pg_trgm, btree_gin } });
  }
  await pglite.waitReady;
  const db = drizzlePglite(pglite, { schema }) as unknown as Db;
  return { kind: 'pglite', db, pglite, close: () => pglite.close() };
}

/** Runs raw SQL and returns its rows; both drivers answer with a `rows` array. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
