import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createPostgresDatabase } from '../test/helpers/databases.ts';
import { figure, spawnApp } from './lib.ts';

/**
 * P4 — start and load. Time from spawning `npm start` to /readyz answering 200: a cold first
 * start (empty data directory or database: migrations, key file, first admin, and on PGlite the
 * demo tenant with its simulators) and a warm restart on the same data. RUNS of each; median and
 * max. Also the initial UI JavaScript (gzip) of the built web app.
 */
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 5);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

type Outcome = { label: 'pglite' | 'postgres'; cold: number[]; warm: number[] };
const outcomes: Outcome[] = [];
const logFile = path.join(tmpdir(), 'ucr-bench-startup.log');
rmSync(logFile, { force: true });

const labels = process.env.DATABASE_URL ? (['pglite', 'postgres'] as const) : (['pglite'] as const);
if (!process.env.DATABASE_URL) console.log('note: DATABASE_URL not set; PostgreSQL figures skipped');
for (const label of labels) {
  const outcome: Outcome = { label, cold: [], warm: [] };
  for (let run = 0; run < RUNS; run++) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ucr-bench-start-'));
    // PGlite: the embedded trial, demo on as `npm start` does it; PostgreSQL: production defaults (demo off).
    const env: NodeJS.ProcessEnv = { UCR_DATA_DIR: dataDir, UCR_ADMIN_PASSWORD: 'startup bench passphrase', LOG_LEVEL: 'info' };
    const pg = label === 'postgres' ? await createPostgresDatabase() : undefined;
    if (pg) Object.assign(env, { DATABASE_URL: pg.url, UCR_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    try {
      const cold = await spawnApp('npm-start', env, logFile);
      outcome.cold.push(cold.readyMs / 1000);
      await cold.stop();
      const warm = await spawnApp('npm-start', env, logFile);
      outcome.warm.push(warm.readyMs / 1000);
      await warm.stop();
    } finally {
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  outcomes.push(outcome);
  figure(`${label}_cold_start_median`, median(outcome.cold), 's');
  figure(`${label}_cold_start_max`, Math.max(...outcome.cold), 's');
  figure(`${label}_warm_start_median`, median(outcome.warm), 's');
  figure(`${label}_warm_start_max`, Math.max(...outcome.warm), 's');
}

// The JavaScript the browser loads first: index.html's module script and its modulepreloads.
const webDir = path.resolve(import.meta.dirname, '../dist/web');
let initialJs = NaN;
try {
  const html = readFileSync(path.join(webDir, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\/?([^"]+\.js)"/g)].map((m) => m[1]!);
  initialJs = scripts.reduce((sum, file) => sum + gzipSync(readFileSync(path.join(webDir, file))).length, 0) / 1024;
  figure('initial_ui_js_gzip', initialJs, 'kB');
  const all = readdirSync(path.join(webDir, 'assets')).filter((f) => f.endsWith('.js'));
  figure('all_ui_js_files', all.length, 'files');
  figure('all_ui_js_raw', all.reduce((s, f) => s + statSync(path.join(webDir, 'assets', f)).size, 0) / 1024, 'kB');
} catch {
  console.log('note: dist/web not built (npm run build); initial UI JavaScript not measured');
}

console.log(`note: the servers' log is in ${logFile}`);
const misses: string[] = [];
// SPEC P4: ready ≤ 3 s after `npm start` with a new data directory and ≤ 2 s on a warm one
// (PGlite), ≤ 1.5 s on PostgreSQL. Every run counts, not only the median.
const limits = { pglite: { cold: 3, warm: 2 }, postgres: { cold: 1.5, warm: 1.5 } } as const;
for (const o of outcomes) {
  const limit = limits[o.label];
  for (const kind of ['cold', 'warm'] as const) {
    const max = Math.max(...o[kind]);
    if (max > limit[kind]) misses.push(`${o.label}_${kind}_start_max ${max.toFixed(2)} s > ${limit[kind]} s`);
  }
}
if (!(initialJs <= 250)) misses.push(Number.isNaN(initialJs) ? 'initial_ui_js_gzip not measured' : `initial_ui_js_gzip ${initialJs.toFixed(1)} kB > 250 kB`);
console.log(misses.length ? `target P4: missed (${misses.join('; ')})` : 'target P4: met');
process.exit(0);
