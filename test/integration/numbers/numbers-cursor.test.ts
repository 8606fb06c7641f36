import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../helpers/api-client.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { tenantWithRange } from '../../helpers/inventory.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

const cursor = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');

/**
 * #21: a page cursor comes back from the client, so its contents are checked against the sort
 * key's column types before any SQL. A well-formed array of the right length with a non-UUID in
 * the id position used to reach PostgreSQL ("invalid input syntax for type uuid") and answer 500.
 */
describe.each(dbTargets())('numbers page cursor on %s', (target) => {
  let t: TestApp;
  let reader: ApiClient;
  let admin: ApiClient;
  let tenantId: string;
  beforeAll(async () => {
    t = await startTestApp(target);
    admin = (await t.signedInAs('admin')).client;
    ({ tenantId } = await tenantWithRange(admin, { count: 7 }));
    const viewer = (await t.signedInAs('viewer')).client;
    const minted = await viewer.post('/api/me/tokens', { name: 'read', access: 'read' });
    reader = t.client().withToken(minted.body.token);
  });
  afterAll(async () => {
    await t.close();
  });

  it('a cursor with a non-UUID in the id position answers 400 naming the cursor (with a read-only API token)', async () => {
    const res = await reader.get(`/api/tenants/${tenantId}/numbers?after=${cursor(['x', 'not-a-uuid'])}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toMatch(/after/);
    expect(res.body.error.details.fields).toEqual([{ field: 'querystring.after', message: expect.stringMatching(/page cursor/) }]);
  });

  it.each([
    ['e164', cursor(['+14155550100', 'not-a-uuid'])],
    ['e164', cursor(['not-a-number', randomUUID()])],
    ['e164', cursor([1, 2])],
    ['e164', cursor([{}, []])],
    ['e164', cursor(['+14155550100', randomUUID(), 'extra'])],
    ['status', cursor(['nonsense', '+14155550100', randomUUID()])],
    ['updatedAt', cursor(['not-a-date', randomUUID()])],
    ['updatedAt', cursor(['+275760-09-13T00:00:00.000Z', randomUUID()])],
    ['updatedAt', cursor(['2025-02-30T00:00:00.000Z', randomUUID()])],
    ['assignee', cursor([null, '+14155550100', randomUUID()])],
    ['e164', '!!!not-base64!!!'],
    ['e164', Buffer.from('[1,').toString('base64url')],
  ])('sort=%s after=%s is refused as a bad cursor', async (sort, after) => {
    const res = await reader.get(`/api/tenants/${tenantId}/numbers?sort=${sort}&after=${encodeURIComponent(after)}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[0].field).toBe('querystring.after');
  });

  // updatedAt included: the column holds milliseconds (migration 0011), as the cursor does, so a walk by last change neither repeats nor skips.
  it.each(['e164', 'status', 'assignee', 'updatedAt'])('the cursors the list hands out still page through every number (sort=%s, both directions)', async (sort) => {
    for (const dir of ['asc', 'desc']) {
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const res: { status: number; body: { numbers: Array<{ id: string }>; next: string | null } } = await reader.get(`/api/tenants/${tenantId}/numbers?sort=${sort}&dir=${dir}&limit=2${after ? `&after=${after}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...res.body.numbers.map((n) => n.id));
        after = res.body.next;
      } while (after);
      expect(new Set(seen).size).toBe(7);
      expect(seen).toHaveLength(7);
    }
  });
});
