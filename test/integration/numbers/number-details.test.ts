import { and, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, numberRanges, phoneNumbers } from '../../../src/db/schema/index.ts';
import { fillMissingCountries, linkExtension } from '../../../src/features/numbers/number-store.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/** Issue #17 items 9 and 10: the number details the original kept, and ranges defined by a pattern. */
describe.each(dbTargets())('number details and pattern ranges on %s', (target) => {
  let t: TestApp;
  let admin: ApiClient;
  let operatorId: string;
  beforeAll(async () => {
    t = await startTestApp(target);
    const signedIn = await t.signedInAs('admin');
    admin = signedIn.client;
    operatorId = signedIn.operatorId;
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
  });

  const day = 86_400_000;
  let tenantCount = 0;
  async function newTenant(): Promise<string> {
    tenantCount += 1;
    const tenant = await admin.post('/api/tenants', { name: `Details ${tenantCount} ${Math.random().toString(36).slice(2, 7)}`, defaultCountry: 'US' });
    expect(tenant.status).toBe(201);
    return tenant.body.id as string;
  }
  function upload(tenantId: string, csv: string, mode: 'preview' | 'apply') {
    return fetch(`${t.url}/api/tenants/${tenantId}/numbers/import?mode=${mode}&fileName=details.csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', cookie: `ucr_session=${admin.cookie}`, 'x-csrf-token': admin.csrfToken! },
      body: csv,
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  }
  const numbersOf = async (tenantId: string, query = '') => (await admin.get(`/api/tenants/${tenantId}/numbers?limit=500${query}`)).body.numbers as Array<Record<string, unknown> & { id: string; e164: string }>;

  it('imports the new kinds, display name and usage location, derives the country, and exports them again', async () => {
    const tenantId = await newTenant();
    const csv = [
      'number,extension,kind,status,display_name,usage_location,notes',
      '+18005550100,,toll-free,available,Support hotline,US,',
      '+442079460500,,service,available,London reception,gb,',
      '+14155557000,,direct_routing,available,,,plain',
      '+14155557001,204,extension only,available,Front desk,US,',
    ].join('\n');
    const applied = await upload(tenantId, csv, 'apply');
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ imported: 4, byKind: { toll_free: 1, service: 1, direct_routing: 1, extension_only: 1 } });
    const byE164 = new Map((await numbersOf(tenantId)).map((n) => [n.e164, n]));
    expect(byE164.get('+18005550100')).toMatchObject({ kind: 'toll_free', displayName: 'Support hotline', usageLocation: 'US', country: 'US' });
    expect(byE164.get('+442079460500')).toMatchObject({ kind: 'service', displayName: 'London reception', usageLocation: 'GB', country: 'GB' });
    expect(byE164.get('+14155557000')).toMatchObject({ kind: 'direct_routing', displayName: '', usageLocation: '', country: 'US' });
    expect(byE164.get('+14155557001')).toMatchObject({ kind: 'extension_only', extension: '204' });

    // The export carries the new columns; imported into another tenant it gives the same numbers.
    const exported = await fetch(`${t.url}/api/tenants/${tenantId}/numbers/export`, { headers: { cookie: `ucr_session=${admin.cookie}` } }).then((r) => r.text());
    const [header, ...lines] = exported.trim().split(/\r?\n/);
    expect(header).toContain('display_name,usage_location,country,shared_with_3cx');
    expect(lines.find((l) => l.startsWith("'+18005550100") || l.startsWith('+18005550100'))).toContain('toll_free,available,,,,,,Support hotline,US,US');
    await admin.post(`/api/tenants/${tenantId}/numbers/bulk`, { mode: 'apply', selection: { filter: {} }, operation: { type: 'delete' } });
    const other = await newTenant();
    const again = await upload(other, exported, 'apply');
    expect(again.body).toMatchObject({ imported: 4, errorCount: 0 });
    const reimported = new Map((await numbersOf(other)).map((n) => [n.e164, n]));
    for (const [e164, n] of byE164) {
      expect(reimported.get(e164)).toMatchObject({ kind: n.kind, extension: n.extension, displayName: n.displayName, usageLocation: n.usageLocation, country: n.country });
    }
  });

  it('refuses bad values per row with the reason, and imports nothing', async () => {
    const tenantId = await newTenant();
    const csv = [
      'number,extension,kind,usage_location,display_name',
      '+14155557100,,free-ish,US,',
      '+14155557101,,toll_free,Britain,',
      '+14155557102,,extension_only,,',
      `+14155557103,,service,XX,${'n'.repeat(201)}`,
    ].join('\n');
    const preview = await upload(tenantId, csv, 'preview');
    expect(preview.body.errors).toEqual([
      { row: 2, column: 'kind', value: 'free-ish', message: expect.stringContaining('Unknown kind; use one of: direct_routing, calling_plan, operator_connect, threecx_did, toll_free, service, extension_only') },
      { row: 3, column: 'usage_location', value: 'Britain', message: 'Not a country code; use two letters (ISO 3166-1 alpha-2), such as GB or US.' },
      { row: 4, column: 'extension', value: '', message: 'An extension-only number needs its extension (the digits dialled after the main number).' },
      { row: 5, column: 'display_name', value: `${'n'.repeat(20)}…`, message: 'A display name is at most 200 characters.' },
      { row: 5, column: 'usage_location', value: 'XX', message: 'Not a country code; use two letters (ISO 3166-1 alpha-2), such as GB or US.' },
    ]);
    const applied = await upload(tenantId, csv, 'apply');
    expect(applied.status).toBe(400);
    expect(await numbersOf(tenantId)).toHaveLength(0);
  });

  it('filters by country, usage location, kind and Teams + 3CX, and edits the name and usage location', async () => {
    const tenantId = await newTenant();
    await upload(tenantId, ['number,kind,usage_location', '+14155557200,direct_routing,US', '+14155557201,direct_routing,GB', '+442079460600,service,GB', '+16135550100,direct_routing,CA'].join('\n'), 'apply');
    const e164s = async (query: string) => (await numbersOf(tenantId, query)).map((n) => n.e164);
    expect(await e164s('&country=US')).toEqual(['+14155557200', '+14155557201']);
    // +1 is shared by the US and Canada: the country comes from the number, not the calling code.
    expect(await e164s('&country=ca')).toEqual(['+16135550100']);
    expect(await e164s('&usageLocation=GB')).toEqual(['+14155557201', '+442079460600']);
    expect(await e164s('&usageLocation=GB&kind=service')).toEqual(['+442079460600']);
    expect(await e164s('&shared=true')).toEqual([]);
    const bad = await admin.get(`/api/tenants/${tenantId}/numbers?country=Britain`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('must be a two-letter country code');

    const [first] = await numbersOf(tenantId, '&country=US');
    const edited = await admin.patch(`/api/tenants/${tenantId}/numbers/${first!.id}`, { displayName: 'Main line', usageLocation: 'de' });
    expect(edited.body).toMatchObject({ displayName: 'Main line', usageLocation: 'DE' });
    expect(await e164s('&search=main%20line')).toEqual([first!.e164]);
    const refused = await admin.patch(`/api/tenants/${tenantId}/numbers/${first!.id}`, { usageLocation: 'Germany' });
    expect(refused.status).toBe(400);
    const [audit] = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'number.updated'), eq(auditEvents.targetId, first!.id)));
    expect(audit!.after).toMatchObject({ displayName: 'Main line', usageLocation: 'DE' });

    // One number a Teams user and the same person's 3CX extension both use: "Teams + 3CX".
    const assigned = await admin.post(`/api/tenants/${tenantId}/numbers/${first!.id}/lifecycle`, { action: 'assign', assignee: { type: 'teams_user', id: 'user-shared', upn: 'sam@contoso.com', name: 'Sam' } });
    expect(assigned.status).toBe(200);
    const actor = { operatorId, email: 'admin@test', displayName: 'Admin', role: 'admin' as const, allTenants: true, tenantIds: [], via: 'session' as const };
    await t.deps.db.transaction((tx) => linkExtension(t.deps, tx, actor, tenantId, first!.id, { teamsUserId: 'user-shared', extension: '7001', name: 'Sam' }, { requestId: 'link', ip: undefined }));
    const shared = await numbersOf(tenantId, '&shared=true');
    expect(shared.map((n) => n.e164)).toEqual([first!.e164]);
    expect(shared[0]).toMatchObject({ assignee: { type: 'teams_user', upn: 'sam@contoso.com' }, linkedExtension: { id: '7001' } });
    const exported = await fetch(`${t.url}/api/tenants/${tenantId}/numbers/export?shared=true`, { headers: { cookie: `ucr_session=${admin.cookie}` } }).then((r) => r.text());
    expect(exported.trim().split(/\r?\n/)).toHaveLength(2);
    expect(exported).toContain(',7001,sam@contoso.com');
  });

  it('gives numbers written before the country was kept their country, once', async () => {
    const tenantId = await newTenant();
    await upload(tenantId, ['number', '+442079460700', '+16135550200'].join('\n'), 'apply');
    await t.deps.db.update(phoneNumbers).set({ country: null }).where(eq(phoneNumbers.tenantId, tenantId));
    expect(await fillMissingCountries(t.deps.db)).toBeGreaterThanOrEqual(2);
    const rows = await t.deps.db.select({ e164: phoneNumbers.e164, country: phoneNumbers.country }).from(phoneNumbers).where(eq(phoneNumbers.tenantId, tenantId)).orderBy(phoneNumbers.e164);
    expect(rows).toEqual([
      { e164: '+16135550200', country: 'CA' },
      { e164: '+442079460700', country: 'GB' },
    ]);
    expect(await fillMissingCountries(t.deps.db)).toBe(0);
  });

  it('a pattern range holds 10^x numbers without creating them; allocation creates each, and capacity, used and percent follow', async () => {
    const tenantId = await newTenant();
    const created = await admin.post(`/api/tenants/${tenantId}/ranges`, { name: 'Pattern', pattern: '+1212555xxxx', kind: 'direct_routing', carrier: 'Carrier P' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ pattern: '+1212555xxxx', startE164: '+12125550000', endE164: '+12125559999', size: 10_000, used: 0, percentUsed: 0, counts: { available: 10_000 } });
    const rangeId = created.body.id as string;
    expect(await numbersOf(tenantId)).toHaveLength(0);

    const body = { from: { rangeId }, reason: 'new starter', until: new Date(t.clock.now().getTime() + day).toISOString() };
    const first = await admin.post(`/api/tenants/${tenantId}/numbers/allocate`, body);
    expect(first.body).toMatchObject({ e164: '+12125550000', status: 'reserved', rangeId, kind: 'direct_routing', carrier: 'Carrier P', country: 'US' });
    expect((await admin.post(`/api/tenants/${tenantId}/numbers/allocate`, body)).body.e164).toBe('+12125550001');
    const history = (await admin.get(`/api/tenants/${tenantId}/numbers/${first.body.id}/history`)).body.events.map((e: { action: string }) => e.action);
    expect(history).toEqual(['number.created', 'number.reserve']);

    // A released number comes back first: available rows before new ones.
    await admin.post(`/api/tenants/${tenantId}/numbers/${first.body.id}/lifecycle`, { action: 'cancel_reservation' });
    expect((await admin.post(`/api/tenants/${tenantId}/numbers/allocate`, body)).body.e164).toBe('+12125550000');

    const range = (await admin.get(`/api/tenants/${tenantId}/ranges/${rangeId}`)).body;
    expect(range).toMatchObject({ size: 10_000, used: 2, percentUsed: 0, counts: { reserved: 2, available: 9_998 } });
    const utilisation = (await admin.get(`/api/tenants/${tenantId}/utilisation`)).body;
    expect(utilisation.ranges.find((r: { id: string }) => r.id === rangeId)).toMatchObject({ size: 10_000, counts: { reserved: 2, available: 9_998 } });
  });

  it('steps over a pattern number already in the inventory, and says so when the pattern is used up', async () => {
    const tenantId = await newTenant();
    const other = await newTenant();
    // Another tenant holds +13125550001 , added by hand after the pattern range was made.
    const created = await admin.post(`/api/tenants/${tenantId}/ranges`, { name: 'Tiny', pattern: '+1312555000x', kind: 'toll_free' });
    expect(created.status).toBe(201);
    expect(created.body.size).toBe(10);
    const byHand = await admin.post(`/api/tenants/${other}/numbers`, { number: '+13125550001', kind: 'direct_routing', displayName: 'Lobby', usageLocation: 'us' });
    expect(byHand.status).toBe(201);
    expect(byHand.body).toMatchObject({ displayName: 'Lobby', usageLocation: 'US', country: 'US' });
    const body = { from: { rangeId: created.body.id }, reason: 'fill', until: new Date(t.clock.now().getTime() + day).toISOString() };
    const got: string[] = [];
    for (let i = 0; i < 9; i++) got.push((await admin.post(`/api/tenants/${tenantId}/numbers/allocate`, body)).body.e164);
    expect(got).toEqual(['+13125550000', '+13125550002', '+13125550003', '+13125550004', '+13125550005', '+13125550006', '+13125550007', '+13125550008', '+13125550009']);
    const none = await admin.post(`/api/tenants/${tenantId}/numbers/allocate`, body);
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('no_free_number');
  });

  it('refuses a pattern that overlaps another range, or is malformed, with the reason, and saves nothing', async () => {
    const tenantId = await newTenant();
    expect((await admin.post(`/api/tenants/${tenantId}/ranges`, { name: 'Block', start: '+14155557550', count: 10, kind: 'direct_routing' })).status).toBe(201);
    const ranges = async () => (await t.deps.db.select().from(numberRanges).where(eq(numberRanges.tenantId, tenantId))).length;

    const overlap = await admin.post(`/api/tenants/${tenantId}/ranges`, { name: 'Over', pattern: '+14155557xxx', kind: 'direct_routing' });
    expect(overlap.status).toBe(409);
    expect(overlap.body.error).toMatchObject({ code: 'range_overlaps', message: 'The pattern +14155557xxx overlaps the range Block (+14155557550 to +14155557559); a number belongs to one range only.' });
    expect(await ranges()).toBe(1);

    // The other way round: a loaded range inside a pattern range, in another tenant.
    expect((await admin.post(`/api/tenants/${tenantId}/ranges`, { name: 'Wide', pattern: '+1646555xxxx', kind: 'direct_routing' })).status).toBe(201);
    const other = await newTenant();
    const inside = await admin.post(`/api/tenants/${other}/ranges`, { name: 'Inside', start: '+16465550100', count: 5, kind: 'direct_routing' });
    expect(inside.status).toBe(409);
    expect(inside.body.error).toMatchObject({ code: 'range_overlaps', message: 'The range +16465550100 to +16465550104 overlaps a range of another tenant; a number belongs to one range only.' });
    expect(await numbersOf(other)).toHaveLength(0);

    const malformed = await admin.post(`/api/tenants/${tenantId}/ranges`, { name: 'Bad', pattern: '+1646xx1234', kind: 'direct_routing' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toBe("In \"+1646xx1234\" the x's must all come at the end: a range is a run of consecutive numbers.");
    const both = await admin.post(`/api/tenants/${tenantId}/ranges`, { name: 'Both', pattern: '+1917555xxxx', start: '+19175550000', kind: 'direct_routing' });
    expect(both.status).toBe(400);
    expect(await ranges()).toBe(2);
  });

  it('40 concurrent allocations from a pattern range create and hand out 40 different numbers', async () => {
    const tenantId = await newTenant();
    const created = await admin.post(`/api/tenants/${tenantId}/ranges`, { name: 'Race', pattern: '+1718555xxxx', kind: 'direct_routing' });
    const rangeId = created.body.id as string;
    const operators = await Promise.all(Array.from({ length: 4 }, () => t.signedInAs('operator')));
    const body = { from: { rangeId }, reason: 'race', until: new Date(t.clock.now().getTime() + day).toISOString() };
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => operators[i % 4]!.client.post(`/api/tenants/${tenantId}/numbers/allocate`, body)));
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
    const got = results.map((r) => r.body.e164 as string);
    expect(new Set(got).size).toBe(40);
    // The first 40 numbers of the pattern, none skipped, none twice.
    expect([...got].sort()).toEqual(Array.from({ length: 40 }, (_, i) => `+17185550${String(i).padStart(3, '0')}`));
    const rows = await t.deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.rangeId, rangeId), isNotNull(phoneNumbers.reservedUntil)));
    expect(rows).toHaveLength(40);
    expect((await admin.get(`/api/tenants/${tenantId}/ranges/${rangeId}`)).body).toMatchObject({ used: 40, percentUsed: 0.4, counts: { reserved: 40, available: 9_960 } });
  });

  it('Teams gives a user no toll-free, service or extension-only number', async () => {
    const tenantId = await newTenant();
    await upload(tenantId, ['number,kind', '+18005550300,toll_free'].join('\n'), 'apply');
    const teamsPicker = await numbersOf(tenantId, '&kind=direct_routing,calling_plan,operator_connect');
    expect(teamsPicker).toHaveLength(0);
  });
});
