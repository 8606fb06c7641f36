import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, phoneNumbers } from '../../../src/db/schema/index.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { tenantWithRange } from '../../helpers/inventory.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('inventory bulk work on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
  });

  const rowsOf = (tenantId: string) => t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.tenantId, tenantId)).orderBy(phoneNumbers.e164);
  const eventsOf = (ids: string[], action: string) =>
    t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.targetType, 'phone_number'), inArray(auditEvents.targetId, ids), eq(auditEvents.action, action)));

  it('previews then applies a change to chosen rows: counts, sample before and after, one audit event per number', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId, numbers } = await tenantWithRange(client, { start: '+14155553000', count: 6 });
    const site = (await client.post(`/api/tenants/${tenantId}/sites`, { name: 'Branch' })).body;
    const ids = numbers.slice(0, 4).map((n) => n.id);
    const body = { selection: { ids }, operation: { type: 'update', change: { status: 'block', carrier: 'Carrier B', siteId: site.id, addTags: ['porting'], notes: 'Port out 2027' } } };

    const preview = await client.post(`/api/tenants/${tenantId}/numbers/bulk`, { ...body, mode: 'preview' });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ mode: 'preview', selected: 4, changing: 4, unchanged: 0, refusedCount: 0, applied: 0 });
    expect(preview.body.sample[0]).toMatchObject({
      e164: '+14155553000',
      before: { status: 'available', carrier: 'Carrier A', siteId: null, tags: [], notes: '' },
      after: { status: 'blocked', carrier: 'Carrier B', siteId: site.id, tags: ['porting'], notes: 'Port out 2027' },
    });
    expect((await rowsOf(tenantId)).every((r) => r.status === 'available')).toBe(true);

    const applied = await client.post(`/api/tenants/${tenantId}/numbers/bulk`, { ...body, mode: 'apply', ticketId: '4242' });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ mode: 'apply', applied: 4 });
    const rows = await rowsOf(tenantId);
    expect(rows.filter((r) => r.status === 'blocked').map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(rows.find((r) => r.id === ids[0])).toMatchObject({ carrier: 'Carrier B', siteId: site.id, tags: ['porting'], notes: 'Port out 2027' });
    // Tags and notes are searchable at once: the search text follows the change.
    const found = await client.get(`/api/tenants/${tenantId}/numbers?search=porting&withTotal=true`);
    expect(found.body.total).toBe(4);

    const events = await eventsOf(ids, 'number.block');
    expect(events).toHaveLength(4);
    expect(events[0]).toMatchObject({ result: 'success', before: expect.objectContaining({ status: 'available' }), after: expect.objectContaining({ status: 'blocked', via: 'bulk' }) });
    const [summary] = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.action, 'numbers.bulk_changed')));
    expect(summary).toMatchObject({ result: 'success', ticketId: '4242', after: expect.objectContaining({ applied: 4, selected: 4 }) });

    // The same change again changes nothing: blocked numbers cannot be blocked twice, so each says why.
    const again = await client.post(`/api/tenants/${tenantId}/numbers/bulk`, { ...body, mode: 'preview' });
    expect(again.body.refusedCount).toBe(4);
    expect(again.body.refused[0].reason).toBe('+14155553000: A number that is blocked cannot be blocked. Unblock it first.');
  });

  it('a selection with a number the change does not fit changes nothing and lists each refusing row with its reason', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId, numbers } = await tenantWithRange(client, { start: '+14155553100', count: 5 });
    const assign = await client.post(`/api/tenants/${tenantId}/numbers/${numbers[1]!.id}/lifecycle`, { action: 'assign', assignee: { type: 'teams_user', id: 'u-1', upn: 'ann@contoso.com' } });
    expect(assign.status).toBe(200);
    const before = await rowsOf(tenantId);
    const unknown = '00000000-0000-4000-8000-000000000001';
    const body = { mode: 'apply', selection: { ids: [...numbers.map((n) => n.id), unknown] }, operation: { type: 'update', change: { status: 'retire', addTags: ['old'] } } };

    const refused = await client.post(`/api/tenants/${tenantId}/numbers/bulk`, body);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('bulk_refused');
    expect(refused.body.error.details.refusedCount).toBe(2);
    expect(refused.body.error.details.refused).toEqual(
      expect.arrayContaining([
        { numberId: numbers[1]!.id, e164: '+14155553101', reason: '+14155553101: A number that is assigned cannot be retired. Release it from its user first.' },
        { numberId: unknown, e164: null, reason: expect.stringMatching(/not in the tenant/) },
      ]),
    );
    expect(await rowsOf(tenantId)).toEqual(before);
    expect(await eventsOf(numbers.map((n) => n.id), 'number.retire')).toHaveLength(0);
    const [failure] = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.action, 'numbers.bulk_changed')));
    expect(failure).toMatchObject({ result: 'failure', error: expect.stringMatching(/Nothing was changed: 2 of the selected numbers/) });

    const noChange = await client.post(`/api/tenants/${tenantId}/numbers/bulk`, { ...body, operation: { type: 'update', change: {} } });
    expect(noChange.status).toBe(400);
    const otherSite = await client.post(`/api/tenants/${tenantId}/numbers/bulk`, { ...body, operation: { type: 'update', change: { siteId: unknown } } });
    expect(otherSite.status).toBe(400);
    expect(otherSite.body.error.details.fields[0].field).toBe('operation.change.siteId');
  });

  it('"all matching this filter" uses the list filter across pages, and a viewer may not act', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId, numbers } = await tenantWithRange(client, { start: '+14155554000', count: 250 });
    await client.post(`/api/tenants/${tenantId}/numbers/bulk`, { mode: 'apply', selection: { ids: numbers.slice(0, 3).map((n) => n.id) }, operation: { type: 'update', change: { addTags: ['vip'] } } });
    const filter = { status: ['available'], search: '415555' };
    const listed = await client.get(`/api/tenants/${tenantId}/numbers?status=available&search=415555&withTotal=true&limit=100`);
    const preview = await client.post(`/api/tenants/${tenantId}/numbers/bulk`, { mode: 'preview', selection: { filter }, operation: { type: 'update', change: { kind: 'calling_plan', removeTags: ['vip'] } } });
    expect(preview.body.selected).toBe(listed.body.total);
    expect(preview.body).toMatchObject({ selected: 250, changing: 250, sample: expect.any(Array) });
    expect(preview.body.sample).toHaveLength(10);
    const applied = await client.post(`/api/tenants/${tenantId}/numbers/bulk`, { mode: 'apply', selection: { filter }, operation: { type: 'update', change: { kind: 'calling_plan', removeTags: ['vip'] } } });
    expect(applied.body.applied).toBe(250);
    const rows = await rowsOf(tenantId);
    expect(rows.every((r) => r.kind === 'calling_plan' && r.tags.length === 0)).toBe(true);

    const viewer = (await t.signedInAs('viewer')).client;
    const denied = await viewer.post(`/api/tenants/${tenantId}/numbers/bulk`, { mode: 'preview', selection: { filter }, operation: { type: 'delete' } });
    expect([403, 404]).toContain(denied.status);
  });

  it('deletes a number only when it is not assigned; its history stays in the audit', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId, numbers } = await tenantWithRange(client, { start: '+14155555000', count: 3 });
    await client.post(`/api/tenants/${tenantId}/numbers/${numbers[0]!.id}/lifecycle`, { action: 'assign', assignee: { type: 'teams_user', id: 'u-9', upn: 'bob@contoso.com' } });
    const refused = await client.delete(`/api/tenants/${tenantId}/numbers/${numbers[0]!.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('+14155555000 is assigned to bob@contoso.com; release it before deleting it.');
    expect(await rowsOf(tenantId)).toHaveLength(3);

    const deleted = await client.delete(`/api/tenants/${tenantId}/numbers/${numbers[1]!.id}`);
    expect(deleted.status).toBe(200);
    expect((await rowsOf(tenantId)).map((r) => r.e164)).toEqual(['+14155555000', '+14155555002']);
    const history = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.targetType, 'phone_number'), eq(auditEvents.targetId, numbers[1]!.id))).orderBy(auditEvents.id);
    expect(history.map((e) => e.action)).toEqual(['number.created', 'number.deleted']);
    expect(history[1]!.before).toMatchObject({ e164: '+14155555001', status: 'available' });
    expect((await client.delete(`/api/tenants/${tenantId}/numbers/${numbers[1]!.id}`)).status).toBe(404);
    // A deleted number can be added again.
    expect((await client.post(`/api/tenants/${tenantId}/numbers`, { number: '+14155555001', kind: 'direct_routing' })).status).toBe(201);
  });

  it('deletes the numbers of one import to undo it, all or nothing', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId } = await tenantWithRange(client, { start: '+14155556000', count: 2 });
    const csv = ['number,status,assignee', '+14155556100,available,', '+14155556101,blocked,', '+14155556102,assigned,carol@contoso.com'].join('\n');
    const imported = await fetch(`${t.url}/api/tenants/${tenantId}/numbers/import?mode=apply&fileName=bad.csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', cookie: `ucr_session=${client.cookie}`, 'x-csrf-token': client.csrfToken! },
      body: csv,
    }).then((r) => r.json());
    expect(imported).toMatchObject({ imported: 3, importId: expect.any(String) });
    const filter = { importId: imported.importId };
    const listed = await client.get(`/api/tenants/${tenantId}/numbers?importId=${imported.importId}&withTotal=true`);
    expect(listed.body.total).toBe(3);

    const refused = await client.post(`/api/tenants/${tenantId}/numbers/bulk`, { mode: 'apply', selection: { filter }, operation: { type: 'delete' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.refused).toEqual([{ numberId: expect.any(String), e164: '+14155556102', reason: '+14155556102 is assigned to carol@contoso.com; release it before deleting it.' }]);
    expect(await rowsOf(tenantId)).toHaveLength(5);

    const carol = listed.body.numbers.find((n: { e164: string }) => n.e164 === '+14155556102');
    await client.post(`/api/tenants/${tenantId}/numbers/${carol.id}/lifecycle`, { action: 'release' });
    const preview = await client.post(`/api/tenants/${tenantId}/numbers/bulk`, { mode: 'preview', selection: { filter }, operation: { type: 'delete' } });
    expect(preview.body).toMatchObject({ selected: 3, changing: 3, refusedCount: 0 });
    expect(preview.body.sample[0]).toMatchObject({ e164: '+14155556100', after: null });
    const undone = await client.post(`/api/tenants/${tenantId}/numbers/bulk`, { mode: 'apply', selection: { filter }, operation: { type: 'delete' } });
    expect(undone.body.applied).toBe(3);
    expect((await rowsOf(tenantId)).map((r) => r.e164)).toEqual(['+14155556000', '+14155556001']);
    const [summary] = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.action, 'numbers.deleted'), eq(auditEvents.result, 'success')));
    expect(summary!.after).toMatchObject({ selection: { filter: { importId: imported.importId } }, applied: 3 });
  });
});
