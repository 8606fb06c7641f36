import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, phoneNumbers } from '../../../src/db/schema/index.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';
import type { ApiClient } from '../../helpers/api-client.ts';

describe.each(dbTargets())('CSV number import on %s', (target) => {
  let t: TestApp;
  let admin: ApiClient;
  beforeAll(async () => {
    t = await startTestApp(target);
    admin = (await t.signedInAs('admin')).client;
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
  });

  let nextBlock = 6000;
  async function newTenant(name: string): Promise<string> {
    const start = `+1415555${nextBlock}`;
    nextBlock += 10;
    const tenant = await admin.post('/api/tenants', { name, defaultCountry: 'US' });
    await admin.post(`/api/tenants/${tenant.body.id}/sites`, { name: 'HQ' });
    await admin.post(`/api/tenants/${tenant.body.id}/ranges`, { name: 'Main', start, count: 10, kind: 'direct_routing' });
    return tenant.body.id;
  }

  function upload(tenantId: string, csv: string | Buffer, mode: 'preview' | 'apply') {
    return fetch(`${t.url}/api/tenants/${tenantId}/numbers/import?mode=${mode}&fileName=numbers.csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', cookie: `ucr_session=${admin.cookie}`, 'x-csrf-token': admin.csrfToken! },
      body: typeof csv === 'string' ? csv : new Uint8Array(csv),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  }

  const count = async (tenantId: string) => (await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.tenantId, tenantId))).length;

  it('a file with one bad row imports nothing and reports the row and the reason', async () => {
    const tenantId = await newTenant('Import A');
    const csv = ['number,kind,status,site,tags,notes', '+14155557000,Direct Routing,available,HQ,reception;main,Front desk', '+1 415 555 7001,,blocked,,,', 'not-a-number,,available,,,', '(415) 555-7003,callingplan,available,,,'].join('\n');
    const preview = await upload(tenantId, csv, 'preview');
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ totalRows: 4, validRows: 3, errorCount: 1 });
    expect(preview.body.errors).toEqual([{ row: 4, column: 'number', value: 'not-a-number', message: expect.stringMatching(/not a phone number/) }]);
    expect(await count(tenantId)).toBe(10);

    const apply = await upload(tenantId, csv, 'apply');
    expect(apply.status).toBe(400);
    expect(apply.body.error.message).toMatch(/Nothing was imported: 1 problem/);
    expect(await count(tenantId)).toBe(10);

    const fixed = csv.replace('not-a-number', '+14155557002');
    const done = await upload(tenantId, fixed, 'apply');
    expect(done.status).toBe(200);
    expect(done.body.imported).toBe(4);
    expect(await count(tenantId)).toBe(14);
    const [imported] = await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.e164, '+14155557000'));
    expect(imported).toMatchObject({ kind: 'direct_routing', tags: ['reception', 'main'], notes: 'Front desk' });
    const [national] = await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.e164, '+14155557003'));
    expect(national!.kind).toBe('calling_plan');
    const events = await t.deps.db.select().from(auditEvents).where(eq(auditEvents.targetId, imported!.id));
    expect(events.map((e) => e.action)).toEqual(['number.created']);
    const summary = await t.deps.db.select().from(auditEvents).where(eq(auditEvents.action, 'numbers.imported'));
    expect(summary.some((e) => e.tenantId === tenantId)).toBe(true);
  });

  it('reports every kind of bad row: duplicate in file, already in inventory, unknown range/site, illegal status', async () => {
    const tenantId = await newTenant('Import B');
    const csv = [
      'Number;Range;Site;Status;Assignee',
      '+14155557100;;HQ;available;',
      '+14155557100;;;available;',
      '+14155556010;;;available;',
      '+14155557101;Nope;;available;',
      '+14155557102;;Mars;available;',
      '+14155557103;;;cooling;',
      '+14155557104;;;assigned;',
      '+14155557105;;;sold;',
    ].join('\r\n');
    const preview = await upload(tenantId, csv, 'preview');
    expect(preview.body.totalRows).toBe(8);
    expect(preview.body.validRows).toBe(1);
    const byRow = Object.fromEntries(preview.body.errors.map((e: { row: number; column: string; message: string }) => [e.row, `${e.column}: ${e.message}`]));
    expect(byRow[3]).toMatch(/^number: Duplicate: the same number is on line 2/);
    expect(byRow[4]).toMatch(/^number: Already in the inventory/);
    expect(byRow[5]).toMatch(/^range: There is no range named "Nope"/);
    expect(byRow[6]).toMatch(/^site: There is no site named "Mars"/);
    expect(byRow[7]).toMatch(/^status: cooling is where released numbers rest/);
    expect(byRow[8]).toMatch(/^assignee: An assigned number needs its assignee/);
    expect(byRow[9]).toMatch(/^status: Status must be one of/);
  });

  it('reads BOM, quoted fields with separators and line breaks, semicolons and CRLF', async () => {
    const tenantId = await newTenant('Import C');
    const csv = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('number;notes;tags\r\n"+1 415 555 7200";"Line one\r\nline two; with ""quotes""";"a|b"\r\n')]);
    const done = await upload(tenantId, csv, 'apply');
    expect(done.status).toBe(200);
    expect(done.body.imported).toBe(1);
    const [row] = await t.deps.db.select().from(phoneNumbers).where(eq(phoneNumbers.e164, '+14155557200'));
    expect(row!.notes).toBe('Line one\r\nline two; with "quotes"');
    expect(row!.tags).toEqual(['a', 'b']);
  });

  it('an export can be imported again (apostrophes and all) into another tenant after clearing the first', async () => {
    const source = await newTenant('Import D');
    const exported = await fetch(`${t.url}/api/tenants/${source}/numbers/export`, { headers: { cookie: `ucr_session=${admin.cookie}` } }).then((r) => r.text());
    // Same numbers cannot live in two tenants: the preview says so for each row.
    const target2 = await admin.post('/api/tenants', { name: 'Import E' });
    const preview = await upload(target2.body.id, exported, 'preview');
    expect(preview.body.totalRows).toBe(10);
    expect(preview.body.errors.every((e: { message: string; column: string }) => e.column === 'range' || e.message === 'Already in the inventory.')).toBe(true);
  });

  it('refuses a file without a number column, an empty file and a missing body', async () => {
    const tenantId = await newTenant('Import F');
    expect((await upload(tenantId, 'phone_no,notes\n123,x\n', 'preview')).body.error.message).toMatch(/must be "number"/);
    expect((await upload(tenantId, '', 'preview')).status).toBe(400);
    const noBody = await admin.post(`/api/tenants/${tenantId}/numbers/import?mode=preview`, {});
    expect(noBody.status).toBe(400);
  });

  it('assignees: one number per user, in the file and against the inventory', async () => {
    const tenantId = await newTenant('Import G');
    const first = await upload(tenantId, 'number,status,assignee\n+14155557300,assigned,ann@contoso.com\n', 'apply');
    expect(first.body.imported).toBe(1);
    const second = await upload(tenantId, 'number,status,assignee\n+14155557301,assigned,ANN@contoso.com\n+14155557302,assigned,bob@contoso.com\n+14155557303,assigned,bob@contoso.com\n', 'preview');
    const messages = second.body.errors.map((e: { row: number; message: string }) => `${e.row} ${e.message}`);
    expect(messages).toEqual([expect.stringMatching(/^2 Already holds \+14155557300/), expect.stringMatching(/^4 This assignee already gets a number on line 3/)]);
  });
});
