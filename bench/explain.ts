import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { loadConfig } from '../src/config/env.ts';
import { keyFromMaterial } from '../src/core/secret-box.ts';
import type { Db } from '../src/db/connection.ts';
import * as schema from '../src/db/schema/index.ts';
import { createLogger } from '../src/app/logging.ts';
import type { Actor, AppDeps } from '../src/features/kernel/deps.ts';
import { listNumbers } from '../src/features/numbers/numbers-query.ts';
import { numberPageQuery } from '../src/features/numbers/schemas.ts';
import { listTenants } from '../src/features/tenants/tenants.ts';
import { searchAudit } from '../src/features/audit/audit-query.ts';
import { openAndSearchDirectory } from '../src/features/teams/directory.ts';
import { benchTargets, seedAudit, seedNumbers, seedTeamsUsers } from './lib.ts';

/**
 * `npm run bench -- explain`: EXPLAIN (ANALYZE, BUFFERS) of every query the API bench sends, on
 * the same data (20 tenants, 200,000 numbers with 100,000 in one, 5,000 Teams users, 20,000 audit
 * events, VACUUM ANALYZEd as in the API bench). The SQL is captured from the services themselves (a Drizzle logger on the
 * same connection), so the plans are of the queries the app really builds. Each query runs once
 * to warm the cache, then once explained; the plan's shape, buffers and execution time are printed.
 */
const admin: Actor = { operatorId: '00000000-0000-4000-8000-000000000000', email: 'explain@ucr.local', displayName: 'explain', role: 'admin', allTenants: true, tenantIds: [], via: 'token' };

for (const open of await benchTargets()) {
  const target = await open();
  try {
    const started = Date.now();
    const tenantIds = await seedNumbers(target.database.db, { tenants: 20, bigTenant: 100_000, total: 200_000 });
    await seedTeamsUsers(target.database.db, tenantIds[0]!, 5_000);
    await seedAudit(target.database.db, tenantIds, 1_000);
    await target.database.db.execute(sql`VACUUM ANALYZE`); // as autovacuum leaves them (bench/api.ts)
    console.log(`${target.label}_seed: ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const captured: Array<{ sql: string; params: unknown[] }> = [];
    const logger = { logQuery: (query: string, params: unknown[]) => captured.push({ sql: query, params }) };
    const db = (target.database.kind === 'postgres' ? drizzlePg(target.database.pool, { schema, logger }) : drizzlePglite(target.database.pglite, { schema, logger })) as unknown as Db;
    const config = loadConfig({ LOG_LEVEL: 'silent', UCR_DATA_DIR: '/nonexistent' });
    if (!config.ok) throw new Error(config.problems.join('\n'));
    const deps: AppDeps = {
      database: target.database,
      db,
      keyring: { active: keyFromMaterial(randomBytes(32)), previous: [] },
      config: config.config,
      log: createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() })),
      now: () => new Date(),
    };
    const tenantId = tenantIds[0]!;
    const page = (query: Record<string, string>) => numberPageQuery.parse({ limit: '50', ...query });
    const shapes: Array<[string, () => Promise<unknown>]> = [
      ['numbers status=available sort=e164', () => listNumbers(deps, admin, tenantId, page({ status: 'available', sort: 'e164' }))],
      ['numbers status=assigned sort=assignee', () => listNumbers(deps, admin, tenantId, page({ status: 'assigned', sort: 'assignee' }))],
      ['numbers kind=direct_routing tag=reception', () => listNumbers(deps, admin, tenantId, page({ kind: 'direct_routing', tag: 'reception' }))],
      ['numbers digit search 00049', () => listNumbers(deps, admin, tenantId, page({ search: '00049' }))],
      ['numbers digit search 04973 (rare)', () => listNumbers(deps, admin, tenantId, page({ search: '04973' }))],
      ['tenant list', () => listTenants(deps, admin, { includeArchived: false })],
      ['audit tenant, 50', () => searchAudit(deps, admin, { tenantId, limit: 50 } as Parameters<typeof searchAudit>[2])],
      ['audit all, 50', () => searchAudit(deps, admin, { limit: 50 } as Parameters<typeof searchAudit>[2])],
      ['audit tenant + action, 50', () => searchAudit(deps, admin, { tenantId, action: 'voice.assign_number', limit: 50 } as Parameters<typeof searchAudit>[2])],
      ['Teams users search digits', () => openAndSearchDirectory(deps, admin, tenantId, '00049', 25)],
      ['Teams users search user123', () => openAndSearchDirectory(deps, admin, tenantId, 'user123', 25)],
    ];
    for (const [name, run] of shapes) {
      captured.length = 0;
      await run();
      const queries = [...captured];
      for (const [i, query] of queries.entries()) {
        const explain = `EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`;
        const rows =
          target.database.kind === 'postgres'
            ? (await target.database.pool.query<{ 'QUERY PLAN': string }>(explain, query.params)).rows
            : (await target.database.pglite.query<{ 'QUERY PLAN': string }>(explain, query.params)).rows;
        const lines = rows.map((r) => r['QUERY PLAN']);
        console.log(`\n### ${target.label} — ${name}${queries.length > 1 ? ` (query ${i + 1} of ${queries.length})` : ''}\n${query.sql}\n${lines.join('\n')}`);
      }
    }
  } finally {
    await target.drop();
  }
}
