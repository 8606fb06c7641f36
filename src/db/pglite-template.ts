import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A new embedded database starts from a template instead of running initdb in WebAssembly,
 * which takes most of a cold first start (seconds on two cores). `npm install` builds the
 * template once (scripts/build-pglite-template.ts, part of `npm run build`): an initialised
 * PGlite data directory with the migrations and the job queue's schema applied, kept as a
 * directory and copied as files into a new data directory, which PGlite then opens as it opens
 * any existing one (loading it from a tarball instead took 1.2–2 s of a cold start, #16). It is
 * named by the PGlite version that made it, so an upgraded PGlite never opens a directory of
 * another version; without a matching template, initdb runs as before.
 * Migrations still run at every start, so a template older than the code is brought up to date.
 */
const pgliteVersion = ((): string => {
  // The package exports no package.json: find it above its entry point.
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!existsSync(path.join(dir, 'package.json')) || !readFileSync(path.join(dir, 'package.json'), 'utf8').includes('"@electric-sql/pglite"')) {
    if (path.dirname(dir) === dir) return 'unknown';
    dir = path.dirname(dir);
  }
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
})();

export const pgliteTemplateDir = fileURLToPath(new URL(`../../dist/pglite-template-${pgliteVersion}`, import.meta.url));

/**
 * Fills `dir` (an empty directory for PGlite's data) from the template, when `dir` holds no
 * database yet and a template was built; returns whether it did. The copy is made beside `dir`
 * and renamed into place, so a start interrupted mid-copy leaves no half database behind.
 */
export function copyTemplateInto(dir: string): boolean {
  // Anything already in `dir` (a database, or what an interrupted initdb left) is PGlite's to judge.
  if (readdirSync(dir).length > 0 || !existsSync(path.join(pgliteTemplateDir, 'PG_VERSION'))) return false;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(pgliteTemplateDir, partial, { recursive: true });
  rmdirSync(dir); // empty, and only this process may open it (src/db/data-dir-lock.ts)
  renameSync(partial, dir);
  return true;
}
