/**
 * `npm run bench -- <name>`: runs one benchmark. Each prints `<figure>: <value> <unit>` lines
 * and ends with `target <id>: met` or `target <id>: missed (<figures>)`.
 */
const benches: Record<string, string> = {
  inventory: './inventory.ts',
  bulk: './bulk.ts',
  api: './api.ts',
  startup: './startup.ts',
  explain: './explain.ts',
};

const name = process.argv[2];
if (!name || !benches[name]) {
  console.error(`Usage: npm run bench -- <${Object.keys(benches).join('|')}>`);
  process.exit(2);
}
await import(benches[name]);
