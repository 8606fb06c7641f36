import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * The server as one file for `npm start` (docs/decisions/0008-server-bundle.md). Node resolves
 * every module of an unbundled tree through the package's package.json; drizzle-orm's is 175 kB
 * with an export per file, and its few hundred modules cost about half a second of package.json
 * reading at every start. One bundled file starts a second sooner (P4).
 *
 * Packages that find their own files next to their code stay outside the bundle: PGlite (its
 * WebAssembly and data files), argon2 (a native addon), pino (its worker-thread transports),
 * Swagger UI (its static files), pg-native (optional, never installed).
 */
const root = path.resolve(import.meta.dirname, '..');
export const serverBundle = path.join(root, 'dist/server/start.mjs');
const external = ['@electric-sql/pglite', '@electric-sql/pglite/*', '@node-rs/argon2', 'pino', 'pino/*', 'thread-stream', '@fastify/swagger-ui', 'pg-native'];

/** The bundle's record of what it was built from: `npm start` falls back to the sources when any of them is newer. */
export function inputsFileOf(bundle: string): string {
  return bundle.replace(/\.mjs$/, '.inputs.json');
}

/**
 * Our modules find files relative to themselves (the migrations, dist/web, the simulated
 * PowerShell): in the bundle, each one's import.meta.url is its own source file's URL again,
 * written relative to the bundle so the tree can be moved as a whole.
 */
function ownImportMetaUrl(outfile: string): Plugin {
  return {
    name: 'own-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const relative = path.relative(path.dirname(outfile), args.path).split(path.sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

export async function buildServerBundle(outfile = serverBundle): Promise<{ inputs: string[]; ms: number }> {
  const started = Date.now();
  const result = await build({
    entryPoints: [path.join(root, 'scripts/start.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external,
    keepNames: true,
    sourcemap: 'linked',
    // Bundled CommonJS packages call require(); ESM output has none of its own.
    banner: { js: "import { createRequire as __ucrCreateRequire } from 'node:module'; const require = __ucrCreateRequire(import.meta.url);" },
    plugins: [ownImportMetaUrl(outfile)],
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((file) => !file.includes('node_modules/'))
    .map((file) => path.relative(root, path.resolve(file)))
    .concat('package-lock.json')
    .sort();
  await writeFile(inputsFileOf(outfile), `${JSON.stringify({ builtAt: started, inputs }, null, 1)}\n`);
  return { inputs, ms: Date.now() - started };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { inputs, ms } = await buildServerBundle();
  console.log(`Server bundle for npm start: ${path.relative(root, serverBundle)} (${inputs.length} source files, ${(ms / 1000).toFixed(1)} s)`);
}
