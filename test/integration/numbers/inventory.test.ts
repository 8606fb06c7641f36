import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, phoneNumbers } from '../../../src/db/schema/index.ts';
import { expireCoolingAndReservations } from '../../../src/features/numbers/number-store.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { tenantWithRange } from '../../helpers/inventory.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('number inventory on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
  });

  const day = 86_400_000;
  const eventsOf = (numberId: string) => t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.targetType, 'phone_number'), eq(auditEvents.targetId, numberId)));

  it('a range creates its numbers as available, each with its own history entry', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId, rangeId, numbers } = await tenantWithRange(client, { count: 25 });
    expect(numbers).toHaveLength(25);
    expect(numbers.every((n) => n.status === 'available')).toBe(true);
    const range = (await client.get(`/api/tenants/${tenantId}/ranges/${rangeId}`)).body;
    expect(range).toMatchObject({ size: 25, startE164: '+14155550100', endE164: '+14155550124', counts: { available: 25 }, utilisation: 0 });
    const history = (await client.get(`/api/tenants/${tenantId}/numbers/${numbers[0]!.id}/history`)).body.events;
    expect(history.map((e: { action: string }) => e.action)).toEqual(['number.created']);
  });

  it('refuses a range that overlaps the inventory, naming the numbers, and creates nothing', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId } = await tenantWithRange(client, { start: '+14155551000', count: 10 });
    const overlap = await client.post(`/api/tenants/${tenantId}/ranges`, { name: 'Overlap', start: '+14155551005', count: 10, kind: 'direct_routing' });
    expect(overlap.status).toBe(409);
    expect(overlap.body.error.message).toMatch(/\+14155551005/);
    const count = (await client.get(`/api/tenants/${tenantId}/numbers?withTotal=true&limit=1`)).body.total;
    expect(count).toBe(10);
    const bad = await client.post(`/api/tenants/${tenantId}/ranges`, { name: 'Bad', start: '+1 123', count: 10, kind: 'direct_routing' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].field).toBe('start');
  });

  it('walks the lifecycle over HTTP, one audit event per move, and refuses illegal moves with the reason', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId, numbers } = await tenantWithRange(client, { start: '+14155552000', count: 3, coolingDays: 30 });
    const n = numbers[0]!;
    const act = (body: object) => client.post(`/api/tenants/${tenantId}/numbers/${n.id}/lifecycle`, body);

    const reserved = await act({ action: 'reserve', reason: 'New starter', until: new Date(t.clock.now().getTime() + 7 * day).toISOString(), ticketId: '12345' });
    expect(reserved.body).toMatchObject({ status: 'reserved', reservation: { reason: 'New starter', ticketId: '12345' } });
    const assigned = await act({ action: 'assign', assignee: { type: 'teams_user', id: 'user-1', upn: 'ann@contoso.com', name: 'Ann' } });
    expect(assigned.body).toMatchObject({ status: 'assigned', assignee: { upn: 'ann@contoso.com' }, reservation: null });

    const illegal = await act({ action: 'block' });
    expect(illegal.status).toBe(409);
    expect(illegal.body.error.message).toBe('+14155552000: A number that is assigned cannot be blocked. Release it from its user first.');

    const released = await act({ action: 'release' });
    expect(released.body.status).toBe('cooling');
    expect(released.body.assignee).toBeNull();
    const coolingDays = (Date.parse(released.body.coolingUntil) - t.clock.now().getTime()) / day;
    expect(coolingDays).toBeGreaterThan(29.9);
    expect(coolingDays).toBeLessThan(30.1);

    const events = await eventsOf(n.id);
    expect(events.map((e) => `${e.action}:${e.result}`)).toEqual(['number.created:success', 'number.reserve:success', 'number.assign:success', 'number.block:failure', 'number.release:success']);
    expect(events[3]!.error).toMatch(/cannot be blocked/);
    const reserveEvent = events[1]!;
    expect(reserveEvent.ticketId).toBe('12345');
    expect((reserveEvent.before as { status: string }).status).toBe('available');
    expect((reserveEvent.after as { status: string }).status).toBe('reserved');
    expect(events.every((e) => e.tenantId === tenantId)).toBe(true);
  });

  it('with zero cooling days a released number is straight back to available', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId, numbers } = await tenantWithRange(client, { start: '+14155552100', count: 2, coolingDays: 0 });
    const path = `/api/tenants/${tenantId}/numbers/${numbers[0]!.id}/lifecycle`;
    await client.post(path, { action: 'assign', assignee: { type: 'teams_user', id: 'u-zero' } });
    expect((await client.post(path, { action: 'release' })).body.status).toBe('available');
  });

  it('a number is never assigned to two users, and a user never holds two numbers', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId, numbers } = await tenantWithRange(client, { start: '+14155552200', count: 2 });
    const [a, b] = numbers as unknown as [{ id: string }, { id: string }];
    await client.post(`/api/tenants/${tenantId}/numbers/${a.id}/lifecycle`, { action: 'assign', assignee: { type: 'teams_user', id: 'u-1' } });
    const again = await client.post(`/api/tenants/${tenantId}/numbers/${a.id}/lifecycle`, { action: 'assign', assignee: { type: 'teams_user', id: 'u-2' } });
    expect(again.status).toBe(409);
    const second = await client.post(`/api/tenants/${tenantId}/numbers/${b.id}/lifecycle`, { action: 'assign', assignee: { type: 'teams_user', id: 'u-1' } });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('assignee_has_number');
    const [row] = await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.id, b.id));
    expect(row!.status).toBe('available');
    expect((await eventsOf(b.id)).map((e) => `${e.action}:${e.result}`)).toEqual(['number.created:success', 'number.assign:failure']);
    // The database itself refuses a second assignee row, whatever the code does.
    await expect(t.deps.db.update(phoneNumbers).set({ status: 'assigned', assigneeType: 'teams_user', assigneeId: 'u-1' }).where(eq(phoneNumbers.id, b.id))).rejects.toThrow();
  });

  it('the expiry job returns ended cooling and reservations to available, with audit events, and is idempotent', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId, numbers } = await tenantWithRange(client, { start: '+14155552300', count: 3, coolingDays: 1 });
    const [cooling, reserved, stays] = numbers as unknown as [{ id: string }, { id: string }, { id: string }];
    await client.post(`/api/tenants/${tenantId}/numbers/${cooling.id}/lifecycle`, { action: 'assign', assignee: { type: 'teams_user', id: 'exp-1' } });
    await client.post(`/api/tenants/${tenantId}/numbers/${cooling.id}/lifecycle`, { action: 'release' });
    await client.post(`/api/tenants/${tenantId}/numbers/${reserved.id}/lifecycle`, { action: 'reserve', reason: 'hold', until: new Date(t.clock.now().getTime() + 3_600_000).toISOString() });
    await client.post(`/api/tenants/${tenantId}/numbers/${stays.id}/lifecycle`, { action: 'reserve', reason: 'long hold', until: new Date(t.clock.now().getTime() + 10 * day).toISOString() });

    t.clock.advance(2 * day);
    const result = await expireCoolingAndReservations(t.deps);
    expect(result.cooling).toBeGreaterThanOrEqual(1);
    expect(result.reservations).toBeGreaterThanOrEqual(1);
    // Two days on, the session has long timed out: read the rows directly.
    const statusOf = async (id: string) => (await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.id, id)))[0]!.status;
    expect(await statusOf(cooling.id)).toBe('available');
    expect(await statusOf(reserved.id)).toBe('available');
    expect(await statusOf(stays.id)).toBe('reserved');
    expect((await eventsOf(cooling.id)).at(-1)!.action).toBe('number.expire_cooling');
    expect((await eventsOf(reserved.id)).at(-1)!.action).toBe('number.expire_reservation');
    expect(await expireCoolingAndReservations(t.deps)).toEqual({ cooling: 0, reservations: 0 });
  });

  it('next free number: lowest available of the range, then the next, until none is left', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId, rangeId } = await tenantWithRange(client, { start: '+14155552400', count: 2 });
    const body = { from: { rangeId }, reason: 'onboarding', until: new Date(t.clock.now().getTime() + day).toISOString() };
    expect((await client.post(`/api/tenants/${tenantId}/numbers/allocate`, body)).body).toMatchObject({ e164: '+14155552400', status: 'reserved' });
    expect((await client.post(`/api/tenants/${tenantId}/numbers/allocate`, body)).body.e164).toBe('+14155552401');
    const none = await client.post(`/api/tenants/${tenantId}/numbers/allocate`, body);
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('no_free_number');
  });

  it('50 concurrent allocations from one range hand out 50 different numbers', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId, rangeId } = await tenantWithRange(client, { start: '+14155553000', count: 60 });
    const operators = await Promise.all(Array.from({ length: 5 }, () => t.signedInAs('operator')));
    const body = { from: { rangeId }, reason: 'race', until: new Date(t.clock.now().getTime() + day).toISOString() };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => operators[i % 5]!.client.post(`/api/tenants/${tenantId}/numbers/allocate`, body)));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    const got = results.map((r) => r.body.e164 as string);
    expect(new Set(got).size).toBe(50);
    const reservedRows = await t.deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.rangeId, rangeId), eq(phoneNumbers.status, 'reserved')));
    expect(reservedRows).toHaveLength(50);
  });

  it('search, filters, sort and keyset paging', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId, numbers } = await tenantWithRange(client, { start: '+14155554000', count: 30 });
    await client.patch(`/api/tenants/${tenantId}/numbers/${numbers[3]!.id}`, { tags: ['Reception'], notes: 'Front desk line' });
    await client.post(`/api/tenants/${tenantId}/numbers/${numbers[4]!.id}/lifecycle`, { action: 'assign', assignee: { type: 'teams_user', id: 'u-search', upn: 'bob@contoso.com', name: 'Bob Builder' } });
    const base = `/api/tenants/${tenantId}/numbers`;

    expect((await client.get(`${base}?search=front%20desk`)).body.numbers.map((n: { id: string }) => n.id)).toEqual([numbers[3]!.id]);
    expect((await client.get(`${base}?search=bob`)).body.numbers.map((n: { id: string }) => n.id)).toEqual([numbers[4]!.id]);
    expect((await client.get(`${base}?search=${encodeURIComponent('(415) 555-4004')}`)).body.numbers.map((n: { e164: string }) => n.e164)).toEqual(['+14155554004']);
    expect((await client.get(`${base}?tag=Reception`)).body.numbers).toHaveLength(1);
    expect((await client.get(`${base}?status=assigned&withTotal=true`)).body.total).toBe(1);
    expect((await client.get(`${base}?status=available,assigned&withTotal=true`)).body.total).toBe(30);

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: { body: { numbers: Array<{ e164: string }>; next: string | null } } = await client.get(`${base}?limit=7&sort=e164&dir=desc${after ? `&after=${after}` : ''}`);
      seen.push(...page.body.numbers.map((n) => n.e164));
      after = page.body.next;
    } while (after);
    expect(seen).toHaveLength(30);
    expect(seen).toEqual([...seen].sort().reverse());

    const byStatus = (await client.get(`${base}?sort=status&limit=1`)).body.numbers[0];
    expect(byStatus.status).toBe('assigned');
    expect((await client.get(`${base}?after=garbage`)).status).toBe(400);
    expect((await client.get(`${base}?status=bogus`)).status).toBe(400);
  });

  it('export is the filtered view as spreadsheet-safe CSV', async () => {
    const { client } = await t.signedInAs('admin');
    const { tenantId, numbers } = await tenantWithRange(client, { start: '+14155555000', count: 5 });
    await client.patch(`/api/tenants/${tenantId}/numbers/${numbers[0]!.id}`, { notes: '=HYPERLINK("http://evil.example","click")', tags: ['@risky'] });
    const response = await fetch(`${t.url}/api/tenants/${tenantId}/numbers/export?search=evil`, { headers: { cookie: `ucr_session=${client.cookie}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/csv/);
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="numbers-/);
    const text = (await response.text()).replace(/^\uFEFF/, '');
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/^number,extension,kind,status/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^'\+14155555000,/);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(lines[1]).toContain("'@risky");
    expect(text).not.toMatch(/(^|,)[=+\-@]/m);
  });
});
