import { sql } from 'drizzle-orm';
import { decryptSecret, encryptSecret, keyIdOf, type Keyring } from '../../core/secret-box.ts';
import { queryRows, type Db } from '../../db/connection.ts';
import { encryptedColumns } from './secret-columns.ts';

/**
 * Re-encrypts every stored secret with the keyring's active key. Safe to run again after a
 * crash: values already under the active key are skipped, and each row is its own update.
 */
export async function reencryptAll(db: Db, keyring: Keyring): Promise<{ reencrypted: number; alreadyCurrent: number }> {
  let reencrypted = 0;
  let alreadyCurrent = 0;
  for (const { table, column } of encryptedColumns) {
    const rows = await queryRows<{ value: string }>(
      db,
      sql`select ${sql.identifier(column)} as value from ${sql.identifier(table)} where ${sql.identifier(column)} is not null`,
    );
    for (const row of rows) {
      if (keyIdOf(row.value) === keyring.active.id) {
        alreadyCurrent += 1;
        continue;
      }
      const next = encryptSecret(keyring, decryptSecret(keyring, row.value));
      await db.execute(
        // Each stored value has its own random IV, so the old value itself identifies the row.
        sql`update ${sql.identifier(table)} set ${sql.identifier(column)} = ${next} where ${sql.identifier(column)} = ${row.value}`,
      );
      reencrypted += 1;
    }
  }
  return { reencrypted, alreadyCurrent };
}
