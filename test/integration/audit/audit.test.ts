import { parse } from 'csv-parse/sync';
import { count, eq, lt, sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../../../src/db/schema/index.ts';
import { queryRows } from '../../../src/db/connection.ts';
import { AUDIT_RETENTION_QUEUE, declareAuditJobs, workAuditJobs } from '../../../src/features/audit/jobs.ts';
import { startQueue, type JobQueue } from '../../../src/jobs/queue.ts';
import { AUDIT_RETENTION_BATCH, applyAuditRetention } from '../../../src/features/audit/audit-retention.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

const DAY = 24 * 60 * 60 * 1000;
const formulaStart = /^[=+\-@\t\r]/;

/** The CSV export as rows of cells (the UTF-8 BOM is checked, then dropped). */
async function csvOf(res: Response): Promise<{ text: string; rows: string[][] }> {
  const bytes = Buffer.from(await res.arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  return { text, rows: parse(text, { relax_column_count: false }) as string[][] };
}

describe.each(dbTargets())('audit log: filters, export and retention on %s', (target) => {
  let t: TestApp;
  let admin: ApiClient;
  let alice: { operatorId: string; email: string };
  let bob: { operatorId: string; email: string };
  let tenantA: string;
  let tenantB: string;
  /** The seeded events by name; all in 2024 so they are apart from what the tests themselves log. */
  const ids: Record<string, number> = {};
  const year2024 = 'from=2024-01-01T00:00:00Z&to=2024-12-31T23:59:59Z';

  beforeAll(async () => {
    t = await startTestApp(target);
    admin = (await t.signedInAs('admin')).client;
    alice = await t.signedInAs('operator', { email: 'alice@msp.example' });
    bob = await t.signedInAs('operator', { email: 'bob@msp.example' });
    tenantA = (await admin.post('/api/tenants', { name: 'Audit A' })).body.id;
    tenantB = (await admin.post('/api/tenants', { name: 'Audit B' })).body.id;
    const seed = [
      { name: 'a1', tenantId: tenantA, action: 'voice.assign_number', who: alice, targetId: 'user-1', ticketId: '4711', result: 'success', at: '2024-01-10T10:00:00Z' },
      { name: 'a2', tenantId: tenantA, action: 'voice.remove_number', who: bob, targetId: 'user-2', ticketId: '4712', result: 'failure', error: 'Teams refused: throttled', at: '2024-02-10T10:00:00Z' },
      { name: 'b1', tenantId: tenantB, action: 'voice.assign_number', who: alice, targetId: 'user-3', ticketId: '4711', result: 'success', at: '2024-03-10T10:00:00Z' },
      { name: 'b2', tenantId: tenantB, action: 'number.updated', who: bob, targetId: '+14155550100', ticketId: null, result: 'success', at: '2024-04-10T10:00:00Z' },
      // "_" is a LIKE wildcard: the prefix "api_token." must not match this one.
      { name: 'a3', tenantId: tenantA, action: 'apiXtoken.created', who: alice, targetId: 'x', ticketId: null, result: 'success', at: '2024-05-10T10:00:00Z' },
      // Cells a spreadsheet would run as formulas.
      { name: 'a4', tenantId: tenantA, action: 'number.updated', who: bob, targetId: '=HYPERLINK("http://evil.example","x")', ticketId: null, result: 'failure', error: '@SUM(1+1)', at: '2024-06-10T10:00:00Z', actor: '-2+3' },
    ] as const;
    for (const e of seed) {
      const [row] = await t.deps.db
        .insert(auditEvents)
        .values({
          tenantId: e.tenantId,
          action: e.action,
          operatorId: e.who.operatorId,
          actor: 'actor' in e ? e.actor : e.who.email,
          targetType: 'test',
          targetId: e.targetId,
          ticketId: e.ticketId,
          result: e.result,
          error: 'error' in e ? e.error : null,
          after: { note: '+cmd|calc' },
          occurredAt: new Date(e.at),
        })
        .returning({ id: auditEvents.id });
      ids[e.name] = row!.id;
    }
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
  });

  const seen = async (client: ApiClient, query: string): Promise<string[]> => {
    const res = await client.get(`/api/audit?${query}&limit=500`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const byId = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
    return (res.body.events as Array<{ id: number }>).map((e) => byId.get(e.id) ?? `other:${e.id}`).sort();
  };

  it('filters by time range (inclusive bounds), tenant, operator, target, result and ticket', async () => {
    expect(await seen(admin, year2024)).toEqual(['a1', 'a2', 'a3', 'a4', 'b1', 'b2']);
    expect(await seen(admin, 'from=2024-02-10T10:00:00Z&to=2024-03-10T10:00:00Z')).toEqual(['a2', 'b1']);
    expect(await seen(admin, `${year2024}&tenantId=${tenantB}`)).toEqual(['b1', 'b2']);
    expect(await seen(admin, `${year2024}&operatorId=${alice.operatorId}`)).toEqual(['a1', 'a3', 'b1']);
    expect(await seen(admin, `${year2024}&targetId=user-2`)).toEqual(['a2']);
    expect(await seen(admin, `${year2024}&result=failure`)).toEqual(['a2', 'a4']);
    expect(await seen(admin, `${year2024}&ticketId=4711`)).toEqual(['a1', 'b1']);
    expect(await seen(admin, `${year2024}&tenantId=${tenantA}&result=success`)).toEqual(['a1', 'a3']);
  });

  it('filters by action, exactly or by a prefix ending in a dot (wildcards taken literally)', async () => {
    expect(await seen(admin, `${year2024}&action=voice.`)).toEqual(['a1', 'a2', 'b1']);
    expect(await seen(admin, `${year2024}&action=voice.assign_number`)).toEqual(['a1', 'b1']);
    expect(await seen(admin, `${year2024}&action=api_token.`)).toEqual([]);
    expect(await seen(admin, `${year2024}&action=voice`)).toEqual([]);
  });

  it('free-text search looks in who, action, target, ticket and error; % and _ are plain characters', async () => {
    expect(await seen(admin, `${year2024}&search=throttled`)).toEqual(['a2']);
    expect(await seen(admin, `${year2024}&search=ALICE@msp`)).toEqual(['a1', 'a3', 'b1']);
    expect(await seen(admin, `${year2024}&search=4155550100`)).toEqual(['b2']);
    expect(await seen(admin, `${year2024}&search=471`)).toEqual(['a1', 'a2', 'b1']);
    expect(await seen(admin, `${year2024}&search=remove_num`)).toEqual(['a2']);
    expect(await seen(admin, `${year2024}&search=${encodeURIComponent('%')}`)).toEqual([]);
    expect(await seen(admin, `${year2024}&search=_`)).toEqual(['a1', 'a2', 'b1']);
  });

  it('refuses a reversed or unreadable time range with a clear message', async () => {
    const reversed = await admin.get('/api/audit?from=2024-03-01&to=2024-02-01');
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.message).toMatch(/start of the time range is after its end/);
    const garbage = await admin.get('/api/audit?from=yesterday-ish');
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.details.fields[0]).toMatchObject({ field: 'querystring.from' });
    const ancient = await admin.get('/api/audit?to=-100000-01-01T00:00:00Z');
    expect(ancient.status).toBe(400);
  });

  it('exports the filtered view as spreadsheet-safe CSV and records the export', async () => {
    const res = await fetch(`${t.url}/api/audit/export?${year2024}&tenantId=${tenantA}`, { headers: { cookie: `ucr_session=${admin.cookie}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"/);
    const { text, rows: all } = await csvOf(res);
    const [header, ...rows] = all;
    expect(header).toEqual(expect.arrayContaining(['id', 'occurred_at', 'actor', 'tenant', 'action', 'target_id', 'result', 'error', 'ticket_id', 'before', 'after']));
    expect(rows.map((r) => Number(r[0])).sort()).toEqual([ids.a1, ids.a2, ids.a3, ids.a4].sort());
    for (const row of rows) for (const cell of row) expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(formulaStart);
    const col = (name: string) => header!.indexOf(name);
    const evil = rows.find((r) => Number(r[0]) === ids.a4)!;
    expect(evil[col('target_id')]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(evil[col('error')]).toBe(`'@SUM(1+1)`);
    expect(evil[col('actor')]).toBe(`'-2+3`);
    expect(evil[col('tenant')]).toBe('Audit A');
    expect(JSON.parse(evil[col('after')]!)).toEqual({ note: '+cmd|calc' });
    const leaked = [...t.secrets].filter((s) => s.length >= 6 && text.includes(s));
    expect(leaked).toEqual([]);

    const exported = await t.deps.db.select().from(auditEvents).where(eq(auditEvents.action, 'audit.exported'));
    expect(exported).toHaveLength(1);
    expect(exported[0]!.after).toMatchObject({ filter: { tenantId: tenantA, from: '2024-01-01T00:00:00.000Z' } });
    // The export's filters are the list's: an invalid one is refused the same way, and nothing is recorded.
    expect((await admin.get('/api/audit/export?from=2024-03-01&to=2024-02-01')).status).toBe(400);
    expect(await t.deps.db.select().from(auditEvents).where(eq(auditEvents.action, 'audit.exported'))).toHaveLength(1);
  });

  it('an operator scoped to one tenant never sees or exports another tenant\'s events', async () => {
    for (const role of ['operator', 'admin'] as const) {
      const scoped = await t.signedInAs(role);
      expect((await admin.patch(`/api/operators/${scoped.operatorId}`, { allTenants: false, tenantIds: [tenantA] })).status).toBe(200);
      const client = t.client();
      await client.login(scoped.email, scoped.password);
      expect(await seen(client, year2024), role).toEqual(['a1', 'a2', 'a3', 'a4']);
      expect(await seen(client, `${year2024}&tenantId=${tenantB}`), role).toEqual([]);
      expect(await seen(client, `${year2024}&ticketId=4711`), role).toEqual(['a1']);
      // No filter at all: still nothing of tenant B, and no other operator's tenant-less events.
      const everything = (await client.get('/api/audit?limit=500')).body.events as Array<{ tenantId: string | null; operatorId: string | null }>;
      expect(everything.some((e) => e.tenantId === tenantB)).toBe(false);
      if (role === 'operator') expect(everything.filter((e) => e.tenantId === null).every((e) => e.operatorId === scoped.operatorId)).toBe(true);

      for (const query of ['', year2024, `tenantId=${tenantB}`, 'action=voice.']) {
        const res = await fetch(`${t.url}/api/audit/export?${query}`, { headers: { cookie: `ucr_session=${client.cookie}` } });
        expect(res.status).toBe(200);
        const [header, ...rows] = (await csvOf(res)).rows;
        const tenantCol = header!.indexOf('tenant_id');
        expect(rows.some((r) => r[tenantCol] === tenantB), `${role} export ?${query}`).toBe(false);
        if (query === `tenantId=${tenantB}`) expect(rows).toEqual([]);
      }
      // An API token of the scoped operator is held to the same scope.
      const token = (await client.post('/api/me/tokens', { name: 'audit export', access: 'read' })).body.token as string;
      const viaToken = await fetch(`${t.url}/api/audit/export?tenantId=${tenantB}`, { headers: { authorization: `Bearer ${token}` } });
      expect((await csvOf(viaToken)).rows).toHaveLength(1);
    }
  });

  it('only an admin sets the retention; it is validated and audited; empty keeps everything', async () => {
    expect((await admin.get('/api/settings')).body.auditRetentionDays).toBeNull();
    for (const role of ['viewer', 'operator'] as const) {
      const { client } = await t.signedInAs(role);
      const refused = await client.patch('/api/settings', { auditRetentionDays: 30 });
      expect(refused.status).toBe(403);
    }
    expect((await admin.get('/api/settings')).body.auditRetentionDays).toBeNull();
    const tooShort = await admin.patch('/api/settings', { auditRetentionDays: 7 });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.error.details.fields[0]).toMatchObject({ field: 'auditRetentionDays', message: 'must be at least 30 days' });
    expect((await admin.patch('/api/settings', { auditRetentionDays: 'forever' })).status).toBe(400);

    // With no retention the job removes nothing, however old.
    const before = await countEvents();
    expect(await applyAuditRetention(t.deps)).toMatchObject({ retentionDays: null, deleted: 0 });
    expect(await countEvents()).toBe(before);

    const saved = await admin.patch('/api/settings', { auditRetentionDays: 365 });
    expect(saved.status).toBe(200);
    expect(saved.body.auditRetentionDays).toBe(365);
    const [changed] = await t.deps.db.select().from(auditEvents).where(eq(auditEvents.action, 'settings.changed')).orderBy(auditEvents.id);
    expect(changed!.before).toMatchObject({ auditRetentionDays: null });
    expect(changed!.after).toMatchObject({ auditRetentionDays: 365 });
    // Switching it off again stores null (and back on, for the next test).
    expect((await admin.patch('/api/settings', { auditRetentionDays: null })).body.auditRetentionDays).toBeNull();
    expect((await admin.get('/api/settings')).body.auditRetentionDays).toBeNull();
    expect((await admin.patch('/api/settings', { auditRetentionDays: 365 })).body.auditRetentionDays).toBe(365);
  });

  it('the daily job deletes only events older than the retention, in batches, logs itself once, and is idempotent', async () => {
    const now = t.clock.now().getTime();
    const cutoff = new Date(now - 365 * DAY);
    // More old events than one batch, so the loop is exercised; plus some just inside the limit.
    const old = Array.from({ length: AUDIT_RETENTION_BATCH + 50 }, (_, i) => ({
      action: 'test.old',
      actor: 'system',
      result: 'success' as const,
      tenantId: tenantA,
      occurredAt: new Date(now - 400 * DAY + i * 1000),
    }));
    await t.deps.db.insert(auditEvents).values(old);
    const keptIds = (
      await t.deps.db
        .insert(auditEvents)
        .values([364, 300, 1].map((days) => ({ action: 'test.recent', actor: 'system', result: 'success' as const, occurredAt: new Date(now - days * DAY) })))
        .returning({ id: auditEvents.id })
    ).map((r) => r.id);
    const olderBefore = await countEvents(lt(auditEvents.occurredAt, cutoff));
    expect(olderBefore).toBe(old.length + 6); // plus the six seeded 2024 events
    const youngerBefore = await countEvents(sql`${auditEvents.occurredAt} >= ${cutoff.toISOString()}`);

    // Through the real queue: the job is scheduled daily and does the work when it runs.
    const queue: JobQueue = await startQueue(t.deps.database, t.deps.log, { runsSchedules: false });
    try {
      await declareAuditJobs(queue);
      const schedules = await queryRows<{ name: string; cron: string }>(t.deps.db, sql`select name, cron from pgboss.schedule where name = ${AUDIT_RETENTION_QUEUE}`);
      expect(schedules).toEqual([{ name: AUDIT_RETENTION_QUEUE, cron: '30 2 * * *' }]);
      await workAuditJobs(queue, t.deps, 0.5);
      await queue.send(AUDIT_RETENTION_QUEUE, {});
      await waitFor(async () => (await countEvents(eq(auditEvents.action, 'audit.retention_applied'))) === 1);
    } finally {
      await queue.stop({ graceful: false });
    }

    expect(await countEvents(lt(auditEvents.occurredAt, cutoff))).toBe(0);
    // Every younger event survived (plus the job's own event).
    expect(await countEvents(sql`${auditEvents.occurredAt} >= ${cutoff.toISOString()}`)).toBe(youngerBefore + 1);
    const kept = await t.deps.db.select({ id: auditEvents.id }).from(auditEvents).where(eq(auditEvents.action, 'test.recent'));
    expect(kept.map((r) => r.id).sort()).toEqual(keptIds.sort());
    const [logged] = await t.deps.db.select().from(auditEvents).where(eq(auditEvents.action, 'audit.retention_applied'));
    expect(logged).toMatchObject({ actor: 'system', operatorId: null, result: 'success', tenantId: null });
    expect(logged!.after).toMatchObject({ deleted: olderBefore, retentionDays: 365 });

    // A second run (a retry, or a second node) finds nothing and records nothing.
    const total = await countEvents();
    expect(await applyAuditRetention(t.deps)).toMatchObject({ retentionDays: 365, deleted: 0 });
    expect(await countEvents()).toBe(total);
    expect(await countEvents(eq(auditEvents.action, 'audit.retention_applied'))).toBe(1);
    // The retention event is readable in the log by admins.
    expect((await admin.get('/api/audit?action=audit.')).body.events.some((e: { action: string }) => e.action === 'audit.retention_applied')).toBe(true);
  });

  async function countEvents(where?: SQL): Promise<number> {
    const [row] = await t.deps.db.select({ n: count() }).from(auditEvents).where(where);
    return row!.n;
  }
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out waiting for the job');
}
