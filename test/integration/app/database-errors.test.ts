import Fastify from 'fastify';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appErrorForDatabaseError, findDatabaseError } from '../../../src/core/database-errors.ts';
import { ValidationError } from '../../../src/core/errors.ts';
import { registerErrorHandler } from '../../../src/http/plugins/error-handler.ts';
import { createTestDatabase, dbTargets, type TestDatabase } from '../../helpers/databases.ts';

/**
 * #21: the database errors only input can cause, raised for real by each driver (PGlite and
 * node-postgres, through drizzle, which wraps them with the driver's error as `cause`), answer
 * 400/404/409 with a specific message; anything else stays internal.
 */
describe.each(dbTargets())('database errors from input on %s', (target) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(target);
    // No app column is a bounded varchar (text everywhere), so string-too-long needs a table of its own.
    await testDb.database.db.execute(sql`create table fuzz_short (v varchar(3))`);
  });
  afterAll(async () => {
    await testDb.drop();
  });

  const failure = async (query: SQL): Promise<unknown> => {
    try {
      await testDb.database.db.execute(query);
    } catch (error) {
      return error;
    }
    throw new Error('the query did not fail');
  };

  const cases: Array<[string, SQL, number, RegExp]> = [
    ['22P02', sql`select ${'not-a-uuid'}::uuid`, 400, /id \(UUID\)/],
    ['22P02', sql`select ${'x'}::int`, 400, /integer/],
    ['22003', sql`select ${'2147483648'}::int`, 400, /number is out of the range/],
    ['22001', sql`insert into fuzz_short (v) values (${'abcdef'})`, 400, /too long/],
    ['22007', sql`select ${'yesterday-ish'}::timestamptz`, 400, /date or time/],
    ['22008', sql`select ${'300000-01-01'}::timestamptz`, 400, /date or time/],
    ['23503', sql`insert into sites (tenant_id, name) values (${'00000000-0000-4000-8000-000000000000'}::uuid, 'x')`, 404, /tenant it refers to \(tenant_id\) was not found/],
  ];
  it.each(cases.map(([code, query, status, message]) => ({ code, query, status, message, what: String(query.queryChunks.map((c) => (typeof c === 'string' ? `'${c}'` : (c as { value?: string[] }).value?.join('') ?? '')).join('')) })))('$code ($what) answers $status', async ({ code, query, status, message }) => {
    const error = await failure(query);
    const found = findDatabaseError(error);
    expect(found?.code).toBe(code);
    const mapped = appErrorForDatabaseError(error);
    expect(mapped?.status).toBe(status);
    expect(mapped?.message).toMatch(message);
  });

  it('23505 (a duplicate) answers 409 naming the field, not the value', async () => {
    await testDb.database.db.execute(sql`insert into operators (email, display_name, role, status) values ('dup@example.invalid', 'A', 'viewer', 'active')`);
    const error = await failure(sql`insert into operators (email, display_name, role, status) values ('dup@example.invalid', 'B', 'viewer', 'active')`);
    const mapped = appErrorForDatabaseError(error);
    expect(mapped?.status).toBe(409);
    expect(mapped?.message).not.toContain('dup@example.invalid');
  });

  it('errors that input cannot cause stay internal', async () => {
    expect(appErrorForDatabaseError(await failure(sql`select * from no_such_table`))).toBeUndefined();
    expect(appErrorForDatabaseError(await failure(sql`selec 1`))).toBeUndefined();
    expect(appErrorForDatabaseError(new ValidationError('ours'))).toBeUndefined();
    expect(appErrorForDatabaseError(new Error('plain'))).toBeUndefined();
  });

  it('the error handler answers them in the one error shape, and logs them', async () => {
    const app = Fastify();
    registerErrorHandler(app);
    app.get('/uuid', async () => testDb.database.db.execute(sql`select ${'not-a-uuid'}::uuid`));
    app.get('/missing-table', async () => testDb.database.db.execute(sql`select * from no_such_table`));
    const bad = await app.inject({ method: 'GET', url: '/uuid' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: 'validation_failed', message: expect.stringMatching(/UUID/), requestId: expect.any(String) } });
    const internal = await app.inject({ method: 'GET', url: '/missing-table' });
    expect(internal.statusCode).toBe(500);
    expect(internal.json().error.code).toBe('internal');
    expect(internal.body).not.toContain('no_such_table');
    await app.close();
  });
});
