import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../../src/db/connection.ts';
import { runMigrations } from '../../../src/db/migrate.ts';
import { pgliteTemplateDir } from '../../../src/db/pglite-template.ts';

/**
 * A new embedded database starts from the template `npm install` builds (P4: initdb in
 * WebAssembly was most of a cold start): it opens already migrated, with the job queue's schema,
 * and a data directory that holds a database is never overwritten by it.
 */
const built = existsSync(path.join(pgliteTemplateDir, 'PG_VERSION'));
if (!built) {
  const why = `${pgliteTemplateDir} is missing: run npm run build (npm install does it).`;
  if (process.env.CI === 'true') throw new Error(why);
  console.warn(`\n!!! SKIPPING the PGlite template tests: ${why}\n`);
}

describe.skipIf(!built)('the PGlite template for new data directories', () => {
  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ucr-template-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const journal = JSON.parse(readFileSync(new URL('../../../src/db/migrations/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] };

  it('a new data directory opens already initialised and migrated, with the queue schema', async () => {
    const database = await openDatabase({ pgliteDataDir: newDir() });
    try {
      // Before this start ran any migration: the template brought them.
      const [applied] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      expect(applied!.n).toBeGreaterThan(0);
      expect(applied!.n).toBeLessThanOrEqual(journal.entries.length);
      const [boss] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from information_schema.schemata where schema_name = 'pgboss'`);
      expect(boss!.n).toBe(1);
      // A template older than the code is brought up to date by the migrations every start runs.
      await runMigrations(database);
      const [after] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      expect(after!.n).toBe(journal.entries.length);
    } finally {
      await database.close();
    }
  });

  it('a data directory that holds a database keeps it', async () => {
    const dir = newDir();
    const first = await openDatabase({ pgliteDataDir: dir });
    await runMigrations(first);
    await first.db.execute(sql`insert into app_settings (key, value) values ('template.test', '"kept"'::jsonb)`);
    await first.close();
    const again = await openDatabase({ pgliteDataDir: dir });
    try {
      const rows = await queryRows<{ value: string }>(again.db, sql`select value from app_settings where key = 'template.test'`);
      expect(rows).toEqual([{ value: 'kept' }]);
    } finally {
      await again.close();
    }
  });
});
