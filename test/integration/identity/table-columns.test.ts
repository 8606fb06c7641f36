import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbTargets } from '../../helpers/databases.ts';
import { expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/** Issue #17 item 11: an operator's arrangement of a table is kept on the server, for that operator only. */
describe.each(dbTargets())('table column arrangements on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
  });

  it('saves the visible columns in order, reads them back, and another operator keeps the default', async () => {
    const { client } = await t.signedInAs('operator');
    expect((await client.get('/api/me/table-columns/audit')).body).toEqual({ table: 'audit', columns: null });

    const saved = await client.request('PUT', '/api/me/table-columns/audit', { columns: ['result', 'actor', 'action'] });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ table: 'audit', columns: ['result', 'actor', 'action'] });
    expect((await client.get('/api/me/table-columns/audit')).body.columns).toEqual(['result', 'actor', 'action']);

    const other = await t.signedInAs('viewer');
    expect((await other.client.get('/api/me/table-columns/audit')).body.columns).toBeNull();
    await other.client.request('PUT', '/api/me/table-columns/audit', { columns: ['target'] });
    expect((await client.get('/api/me/table-columns/audit')).body.columns).toEqual(['result', 'actor', 'action']);

    const reset = await client.request('DELETE', '/api/me/table-columns/audit');
    expect(reset.body).toEqual({ table: 'audit', columns: null });
    expect((await client.get('/api/me/table-columns/audit')).body.columns).toBeNull();
    expect((await other.client.get('/api/me/table-columns/audit')).body.columns).toEqual(['target']);
  });

  it('follows the operator to another node of the installation', async () => {
    const { client } = await t.signedInAs('operator');
    await client.request('PUT', '/api/me/table-columns/threecx-extensions', { columns: ['state', 'displayName'] });
    const node = await startTestApp(target, {}, { nodeOf: t });
    try {
      expect((await client.on(node.url).get('/api/me/table-columns/threecx-extensions')).body.columns).toEqual(['state', 'displayName']);
    } finally {
      await node.close();
    }
  });

  it('ignores column ids this version does not know, on save and on read', async () => {
    const { client } = await t.signedInAs('operator');
    const saved = await client.request('PUT', '/api/me/table-columns/numbers', { columns: ['tags', 'columnOfAnOlderVersion', 'status'] });
    expect(saved.status).toBe(200);
    expect(saved.body.columns).toEqual(['tags', 'status']);

    // An arrangement saved by an older version (the numbers table's earlier preference) keeps only what is still known.
    await client.request('PUT', '/api/me/preferences/numbers.columns', { value: ['site', 'retiredColumn', 'kind', 'site'] });
    expect((await client.get('/api/me/table-columns/numbers')).body.columns).toEqual(['site', 'kind']);
    // Something that is not a list at all reads as the default.
    await client.request('PUT', '/api/me/preferences/table-columns.threecx-dids', { value: { broken: true } });
    expect((await client.get('/api/me/table-columns/threecx-dids')).body.columns).toBeNull();
  });

  it('refuses a bad body or an unknown table with a specific 400, and keeps what was saved', async () => {
    const { client } = await t.signedInAs('operator');
    await client.request('PUT', '/api/me/table-columns/threecx-dids', { columns: ['trunk'] });
    const cases: [unknown, string][] = [
      [{}, 'columns'],
      [{ columns: 'trunk' }, 'must be the list of visible column ids, in order'],
      [{ columns: ['trunk', 'trunk'] }, 'lists a column more than once'],
      [{ columns: ['<script>'] }, 'must be a column id like status or updatedAt'],
      [{ columns: [42] }, 'columns.0'],
    ];
    for (const [body, says] of cases) {
      const refused = await client.request('PUT', '/api/me/table-columns/threecx-dids', body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.code).toBe('validation_failed');
      expect(refused.body.error.message).toContain(says);
    }
    const unknownTable = await client.request('PUT', '/api/me/table-columns/nonsense', { columns: ['trunk'] });
    expect(unknownTable.status).toBe(400);
    expect(unknownTable.body.error.message).toContain('table: must be one of numbers, audit');
    expect((await client.get('/api/me/table-columns/threecx-dids')).body.columns).toEqual(['trunk']);
  });
});
