import { benchServer, benchTargets, figure, percentile, seedNumbers, seedTeamsUsers } from './lib.ts';

/**
 * P1 — inventory at scale. 1,000,000 numbers across 50 tenants, 100,000 of them in one tenant;
 * filtered, sorted pages through the API; the global search across all tenants; a 100,000-row CSV
 * import; a 100,000-row export. BENCH_SEARCH_ONLY=1 stops after the search (no import or export).
 */
const TENANTS = 50;
const BIG_TENANT = 100_000;
const TOTAL = Number(process.env.BENCH_TOTAL_NUMBERS ?? 1_000_000);
const REQUESTS_PER_SHAPE = 60;

const results: Record<string, Record<string, number>> = {};

for (const open of await benchTargets()) {
  const target = await open();
  const label = target.label;
  const figures: Record<string, number> = {};
  results[label] = figures;
  const server = await benchServer(target.database);
  const headers = { authorization: `Bearer ${server.token}` };
  try {
    let started = Date.now();
    const tenantIds = await seedNumbers(target.database.db, { tenants: TENANTS, bigTenant: BIG_TENANT, total: TOTAL });
    figures.seed_s = (Date.now() - started) / 1000;
    figure(`${label}_seed_${TOTAL}_numbers`, figures.seed_s, 's');
    const big = tenantIds[0]!;
    await seedTeamsUsers(target.database.db, big, 20_000);

    const base = `${server.url}/api/tenants/${big}/numbers`;
    const shapes: Record<string, () => string> = {
      first_page: () => `${base}?limit=100`,
      status_filter: () => `${base}?limit=100&status=available&sort=e164`,
      assignee_sort: () => `${base}?limit=100&status=assigned&sort=assignee`,
      digit_search: () => `${base}?limit=100&search=${String(1000 + Math.floor(Math.random() * 9000))}`,
      recent_first: () => `${base}?limit=100&sort=updatedAt&dir=desc`,
      kind_and_tag: () => `${base}?limit=100&kind=direct_routing&tag=reception`,
    };
    const all: number[] = [];
    for (const [shape, url] of Object.entries(shapes)) {
      await fetch(url(), { headers }).then((r) => r.arrayBuffer()); // warm-up
      const times: number[] = [];
      for (let i = 0; i < REQUESTS_PER_SHAPE; i++) {
        const t0 = performance.now();
        const response = await fetch(url(), { headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${shape}: HTTP ${response.status}`);
        times.push(performance.now() - t0);
      }
      all.push(...times);
      figure(`${label}_${shape}_p95`, percentile(times, 95), 'ms');
    }
    // Deep paging: follow the cursor 50 pages in.
    const deep: number[] = [];
    let next: string | null = null;
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      const response = await fetch(`${base}?limit=100&status=available${next ? `&after=${next}` : ''}`, { headers });
      const body = (await response.json()) as { next: string | null };
      deep.push(performance.now() - t0);
      next = body.next;
    }
    all.push(...deep);
    figure(`${label}_deep_paging_p95`, percentile(deep, 95), 'ms');
    // Global search (#19): across every tenant, as an engineer types what a caller reads out.
    // Existing numbers by their national part, E.164, last digits and middle digits; a UPN; a name
    // that matches nothing; a 3CX extension; a ticket. Each is a capped, indexed query per kind.
    const pick = () => {
      const t = Math.floor(Math.random() * (TENANTS - 1));
      const rows = t === 0 ? BIG_TENANT : Math.floor((TOTAL - BIG_TENANT) / (TENANTS - 2));
      const i = Math.floor(Math.random() * Math.max(1, rows));
      return { t, i, e164: `+1${2000000000 + t * 100000 + i}` };
    };
    const searchShapes: Record<string, () => string> = {
      national: () => { const n = pick().e164.slice(2); return `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`; },
      e164: () => pick().e164,
      last_digits: () => pick().e164.slice(-7),
      middle_digits: () => pick().e164.slice(4, 10),
      upn: () => { const p = pick(); return `user${p.i - (p.i % 10)}@tenant${p.t}`; },
      no_match: () => 'nobody-by-this-name',
      extension: () => String(100 + Math.floor(Math.random() * 900)),
      ticket: () => `#${1000 + Math.floor(Math.random() * 9000)}`,
    };
    const searchAll: number[] = [];
    for (const [shape, q] of Object.entries(searchShapes)) {
      const url = () => `${server.url}/api/search?q=${encodeURIComponent(q())}`;
      await fetch(url(), { headers }).then((r) => r.arrayBuffer()); // warm-up
      const times: number[] = [];
      for (let i = 0; i < REQUESTS_PER_SHAPE; i++) {
        const t0 = performance.now();
        const response = await fetch(url(), { headers });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`search ${shape}: HTTP ${response.status}`);
        times.push(performance.now() - t0);
      }
      searchAll.push(...times);
      figure(`${label}_search_${shape}_p95`, percentile(times, 95), 'ms');
    }
    figures.search_p95 = percentile(searchAll, 95);
    figure(`${label}_search_p50`, percentile(searchAll, 50), 'ms');
    figure(`${label}_search_p95`, figures.search_p95, 'ms');
    if (process.env.BENCH_SEARCH_ONLY === '1') continue;

    figures.page_p50 = percentile(all, 50);
    figures.page_p95 = percentile(all, 95);
    figure(`${label}_page_p50`, figures.page_p50, 'ms');
    figure(`${label}_page_p95`, figures.page_p95, 'ms');

    // Import: a new tenant, 100,000 rows, preview then apply.
    const importTenant = tenantIds[tenantIds.length - 1]!;
    const csv = ['number,kind,status,tags,notes', ...Array.from({ length: BIG_TENANT }, (_, i) => `+1646${String(5_000_000 + i).padStart(7, '0')},direct_routing,${i % 7 === 0 ? 'blocked' : 'available'},bench,imported row ${i}`)].join('\n');
    const post = (mode: string) =>
      fetch(`${server.url}/api/tenants/${importTenant}/numbers/import?mode=${mode}`, { method: 'POST', headers: { ...headers, 'content-type': 'text/csv' }, body: csv }).then(async (r) => ({ status: r.status, body: (await r.json()) as { imported?: number; errorCount?: number; validRows?: number } }));
    started = Date.now();
    const preview = await post('preview');
    figures.import_preview_s = (Date.now() - started) / 1000;
    if (preview.body.validRows !== BIG_TENANT) throw new Error(`preview: ${JSON.stringify(preview.body).slice(0, 300)}`);
    figure(`${label}_import_preview_100k`, figures.import_preview_s, 's');
    started = Date.now();
    const applied = await post('apply');
    figures.import_s = (Date.now() - started) / 1000;
    if (applied.body.imported !== BIG_TENANT) throw new Error(`apply: ${JSON.stringify(applied.body).slice(0, 300)}`);
    figure(`${label}_import_100k`, figures.import_s, 's');

    // Export: the 100,000-number tenant, read to the last byte.
    started = Date.now();
    const exported = await fetch(`${server.url}/api/tenants/${big}/numbers/export`, { headers });
    const text = await exported.text();
    figures.export_s = (Date.now() - started) / 1000;
    const lines = text.trim().split('\n').length - 1;
    if (lines !== BIG_TENANT) throw new Error(`export returned ${lines} rows`);
    figure(`${label}_export_100k`, figures.export_s, 's');
  } finally {
    await server.app.close();
    await target.drop();
  }
}

const pg = results.postgres;
if (process.env.BENCH_SEARCH_ONLY === '1') {
  console.log('target P1: not judged (BENCH_SEARCH_ONLY=1 measures seeding, pages and search only)');
} else if (!pg) {
  console.log('target P1: missed (PostgreSQL not measured: set DATABASE_URL)');
} else {
  const misses = [
    pg.page_p95! > 20 ? `page_p95 ${pg.page_p95!.toFixed(1)} ms > 20 ms` : '',
    pg.import_s! > 10 ? `import_100k ${pg.import_s!.toFixed(2)} s > 10 s` : '',
    pg.export_s! > 3 ? `export_100k ${pg.export_s!.toFixed(2)} s > 3 s` : '',
  ].filter(Boolean);
  console.log(misses.length ? `target P1: missed (${misses.join('; ')})` : 'target P1: met');
}
