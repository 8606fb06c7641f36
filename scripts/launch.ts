/**
 * `npm start`: runs the server bundle (scripts/build-server.ts, built by `npm install` and
 * `npm run build`) when it is at least as new as every source it was built from, and the
 * sources themselves otherwise, so an edited tree never runs old code. Only Node's own modules
 * are loaded here: this runs before everything else at every start.
 */
import { readFileSync, statSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import path from 'node:path';

// Node keeps compiled code on disk between starts (P4).
enableCompileCache();
const root = path.resolve(import.meta.dirname, '..');
const bundle = path.join(root, 'dist/server/start.mjs');

function bundleIsCurrent(): boolean {
  try {
    const { builtAt, inputs } = JSON.parse(readFileSync(path.join(root, 'dist/server/start.inputs.json'), 'utf8')) as { builtAt: number; inputs: string[] };
    return inputs.every((file) => statSync(path.join(root, file)).mtimeMs <= builtAt);
  } catch {
    return false; // no bundle, or a source it names is gone
  }
}

if (bundleIsCurrent()) {
  await import(bundle);
} else {
  console.error('note: dist/server is missing or older than the sources; starting from the sources (about a second slower). `npm run build` rebuilds it.');
  await import('./start.ts');
}
