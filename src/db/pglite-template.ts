import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A new embedded database starts from a template instead of running initdb in WebAssembly,
 * which takes most of a cold first start (seconds on two cores). `npm install` builds the
 * template once (scripts/build-pglite-template.ts, part of `npm run build`): an initialised
 * PGlite data directory with the migrations and the job queue's schema applied, as a gzip
 * tarball. It is named by the PGlite version that made it, so an upgraded PGlite never loads
 * a directory of another version; without a matching template, initdb runs as before.
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

export const pgliteTemplateFile = fileURLToPath(new URL(`../../dist/pglite-template-${pgliteVersion}.tar.gz`, import.meta.url));

/** The template to load into `dir`, when `dir` holds no database yet and a template was built. */
export function templateFor(dir: string): Blob | undefined {
  if (existsSync(path.join(dir, 'PG_VERSION')) || !existsSync(pgliteTemplateFile)) return undefined;
  return new Blob([readFileSync(pgliteTemplateFile)]);
}
