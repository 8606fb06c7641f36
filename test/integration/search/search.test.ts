import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbTargets } from '../../helpers/databases.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';
import { twoCustomers } from './fixture.ts';

type Hit = { kind: string; id: string; tenantId: string; tenantName: string; title: string; detail: string; link: Record<string, string> };
type Group = { kind: string; hits: Hit[]; more: boolean };

/**
 * The global search (#19): one box for a number read out in any format, a range, a Teams user, a
 * 3CX extension, a ticket or a tenant, across every tenant in the operator's scope and no other.
 */
describe.each(dbTargets())('global search on %s', (target) => {
  let t: TestApp;
  let admin: Awaited<ReturnType<TestApp['signedInAs']>>['client'];
  let data: Awaited<ReturnType<typeof twoCustomers>>;

  const search = async (q: string, client = admin, extra = '') => {
    const res = await client.get(`/api/search?q=${encodeURIComponent(q)}${extra}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const groups = res.body.groups as Group[];
    return { body: res.body, groups, of: (kind: string) => groups.find((g) => g.kind === kind)?.hits ?? [] };
  };

  beforeAll(async () => {
    t = await startTestApp(target);
    admin = (await t.signedInAs('admin')).client;
    data = await twoCustomers(t, admin);
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds a number read out without the country code, with its tenant, its range and its Teams user', async () => {
    const { of } = await search('425 555 0101');
    expect(of('number').map((h) => h.title)).toEqual(['+14255550101']);
    expect(of('number')[0]).toMatchObject({ tenantId: data.alpha.tenantId, detail: 'Assigned to Adele Vance (adele.vance@alpha.example)', link: { page: 'numbers', search: '14255550101', numberId: data.adele.id } });
    expect(of('teams_user')).toEqual([expect.objectContaining({ tenantId: data.alpha.tenantId, title: 'Adele Vance (adele.vance@alpha.example)', link: { page: 'voice', userId: 'user-adele' } })]);
    expect(of('range')).toEqual([expect.objectContaining({ id: data.alpha.rangeId, tenantId: data.alpha.tenantId, detail: '+14255550100 – +14255550119, 20 numbers', link: { page: 'ranges' } })]);
  });

  it('reads a number in E.164, with formatting, with the country code and no plus, or by its last digits', async () => {
    for (const q of ['+14255550101', '+1 (425) 555-0101', '14255550101', '001 425 555 0101', '555-0101']) {
      expect((await search(q)).of('number').map((h) => h.title), q).toEqual(['+14255550101']);
    }
    // Digits from the middle of a number, through the trigram index.
    expect((await search('2555501')).of('number').map((h) => h.title)).toEqual(expect.arrayContaining(['+14255550101']));
  });

  it('caps each kind at the limit and says there are more', async () => {
    const { groups } = await search('+1 425 555', admin, '&limit=3');
    const numbers = groups.find((g) => g.kind === 'number')!;
    expect(numbers.hits.map((h) => h.title)).toEqual(['+14255550100', '+14255550101', '+14255550102']);
    expect(numbers.more).toBe(true);
    const all = await search('+1 425 555', admin, '&limit=25');
    expect(all.groups.find((g) => g.kind === 'number')).toMatchObject({ more: false });
    expect(all.of('number')).toHaveLength(20);
  });

  it('finds a Teams user by name or UPN, and the numbers assigned to them', async () => {
    const byName = await search('Megan');
    expect(byName.of('teams_user').map((h) => h.title)).toEqual(['Megan Bowen (megan.bowen@alpha.example)']);
    expect(byName.of('teams_user')[0]!.detail).toBe('Teams, no number · Teams Phone licence');
    expect(byName.of('number').map((h) => h.title)).toEqual(['+14255550102']);
    expect((await search('adele.vance@alpha')).of('teams_user').map((h) => h.link.userId)).toEqual(['user-adele']);
  });

  it('finds a 3CX extension by its number or name, in its tenant', async () => {
    const byNumber = await search('101');
    expect(byNumber.of('threecx_extension')).toEqual([expect.objectContaining({ tenantId: data.bravo.tenantId, title: 'Extension 101 · Reception Desk', detail: '3CX, DID +14155550301', link: { page: 'threecx' } })]);
    expect((await search('reception')).of('threecx_extension').map((h) => h.title)).toEqual(['Extension 101 · Reception Desk']);
  });

  it('finds a ConnectWise ticket that changes were logged against, opening the audit log', async () => {
    const { of } = await search('#7001');
    expect(of('ticket')).toEqual([expect.objectContaining({ tenantId: data.alpha.tenantId, title: 'Ticket #7001', link: { page: 'audit', ticketId: '7001' } })]);
    expect(of('ticket')[0]!.detail).toMatch(/^1 change logged in UCR Manager, the last on \d{4}-\d{2}-\d{2}$/);
    expect((await search('8002')).of('ticket').map((h) => h.tenantId)).toEqual([data.bravo.tenantId]);
  });

  it('finds a tenant by name, and an archived one too, marked', async () => {
    const name = (await admin.get(`/api/tenants/${data.bravo.tenantId}`)).body.name as string;
    expect((await search(name.slice(0, 7))).of('tenant')).toEqual([expect.objectContaining({ id: data.bravo.tenantId, title: name, link: { page: 'tenant' } })]);
  });

  it("never shows a scoped operator another tenant's numbers, users, ranges, tickets or name", async () => {
    const viewer = await t.signedInAs('viewer');
    expect((await admin.patch(`/api/operators/${viewer.operatorId}`, { allTenants: false, tenantIds: [data.bravo.tenantId] })).status).toBe(200);
    for (const q of ['425 555 0101', 'adele', 'Alpha', '#7001', '+1 425 555', 'megan']) {
      const { body, groups } = await search(q, viewer.client, '&limit=25');
      expect(body.tenants).toBe(1);
      const tenantsSeen = new Set(groups.flatMap((g) => g.hits.map((h) => h.tenantId)));
      expect([...tenantsSeen].filter((id) => id !== data.bravo.tenantId), q).toEqual([]);
    }
    expect((await search('101', viewer.client)).of('threecx_extension')).toHaveLength(1);
    expect((await search('+1 415 555 0301', viewer.client)).of('number').map((h) => h.title)).toEqual(['+14155550301']);

    const nobody = await t.signedInAs('viewer');
    await admin.patch(`/api/operators/${nobody.operatorId}`, { allTenants: false, tenantIds: [] });
    expect((await search('425', nobody.client)).body).toEqual({ query: '425', tenants: 0, groups: [] });
  });

  it('leaves archived tenants out, except by name', async () => {
    expect((await admin.post(`/api/tenants/${data.bravo.tenantId}/archive`, {})).status).toBeLessThan(300);
    expect((await search('101')).of('threecx_extension')).toEqual([]);
    const name = (await admin.get(`/api/tenants/${data.bravo.tenantId}`)).body.name as string;
    expect((await search(name)).of('tenant')).toEqual([expect.objectContaining({ detail: 'archived' })]);
    expect((await admin.post(`/api/tenants/${data.bravo.tenantId}/restore`, {})).status).toBeLessThan(300);
  });

  it('refuses an empty query and an out-of-range limit', async () => {
    expect((await admin.get('/api/search?q=%20')).status).toBe(400);
    expect((await admin.get('/api/search?q=425&limit=500')).status).toBe(400);
  });
});
