import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { openDatabase } from '../src/db/connection.ts';
import { runMigrations } from '../src/db/migrate.ts';
import { pgliteTemplateDir } from '../src/db/pglite-template.ts';
import { startQueue } from '../src/jobs/queue.ts';

/**
 * Builds the template a new embedded database starts from (see src/db/pglite-template.ts):
 * initdb, the migrations and the job queue's schema, done once here instead of at every first
 * start. The result is a closed PGlite data directory, dist/pglite-template-<PGlite version>/.
 */
const started = Date.now();
const dist = path.dirname(pgliteTemplateDir);
mkdirSync(dist, { recursive: true });
const work = mkdtempSync(path.join(dist, '.building-pglite-template-')); // beside it: renamed into place at the end
try {
  // Never start a fresh template from an old one (nor keep templates of other PGlite versions).
  for (const entry of readdirSync(dist, { withFileTypes: true }).filter((e) => e.name.startsWith('pglite-template-'))) rmSync(path.join(dist, entry.name), { recursive: true, force: true });
  const database = await openDatabase({ pgliteDataDir: work });
  if (database.kind !== 'pglite') throw new Error('expected PGlite');
  await runMigrations(database);
  const queue = await startQueue(database, pino({ level: 'silent' }), { runsSchedules: false });
  await queue.stop({ graceful: true, close: false, wait: true });
  await database.close();
  renameSync(path.join(work, 'pgdata'), pgliteTemplateDir);
  console.log(`PGlite template for new data directories: ${path.relative(process.cwd(), pgliteTemplateDir)}/ (${((Date.now() - started) / 1000).toFixed(1)} s)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
