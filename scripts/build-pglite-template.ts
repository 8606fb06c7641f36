import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { openDatabase } from '../src/db/connection.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { pgliteTemplateFile } from '../src/db/pglite-template.ts';
import { startQueue } from '../src/jobs/queue.ts';

/**
 * Builds the template a new embedded database starts from (see src/db/pglite-template.ts):
 * initdb, the migrations and the job queue's schema, done once here instead of at every first start.
 */
const started = Date.now();
const dataDir = mkdtempSync(path.join(tmpdir(), 'ucr-pglite-template-'));
try {
  rmSync(pgliteTemplateFile, { force: true }); // never start a fresh template from the old one
  const database = await openDatabase({ pgliteDataDir: dataDir });
  if (database.kind !== 'pglite') throw new Error('expected PGlite');
  await runMigrations(database);
  const queue = await startQueue(database, pino({ level: 'silent' }), { runsSchedules: false });
  await queue.stop({ graceful: true, close: false, wait: true });
  const tarball = await database.pglite.dumpDataDir('gzip');
  await database.close();
  mkdirSync(path.dirname(pgliteTemplateFile), { recursive: true });
  writeFileSync(pgliteTemplateFile, Buffer.from(await tarball.arrayBuffer()));
  console.log(`PGlite template for new data directories: ${path.relative(process.cwd(), pgliteTemplateFile)} (${Math.round(tarball.size / 1024)} kB, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
