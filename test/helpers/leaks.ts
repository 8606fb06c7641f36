import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { queryRows } from '../../src/db/connection.ts';
import type { TestApp } from './test-app.ts';

/** Fails when any secret the test handled appears in the captured log output. */
export function expectNoSecretsInLogs(app: TestApp): void {
  const text = app.logs.text();
  expect(text.length).toBeGreaterThan(0);
  const leaked = [...app.secrets].filter((s) => s.length >= 6 && text.includes(s));
  expect(leaked, 'secrets found in the log output').toEqual([]);
}

/** Every row of every table in the app's schema, as JSON text. */
export async function dumpDatabase(app: TestApp): Promise<string> {
  const tables = await queryRows<{ table_name: string }>(
    app.deps.db,
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const rows = await queryRows<Record<string, unknown>>(app.deps.db, sql`select * from ${sql.identifier(table_name)}`);
    parts.push(JSON.stringify(rows));
  }
  return parts.join('\n');
}
