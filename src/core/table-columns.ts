/**
 * The tables whose columns an operator can arrange, and the ids of their arrangeable columns.
 * The server keeps only these ids when it saves or reads an arrangement, so a column that was
 * renamed or dropped in a later version is ignored instead of breaking the table. The first
 * column of each table (the row's identity: the number, the extension) is always shown and is
 * not listed. Labels and default choices belong to the web, which shows them.
 */
export const arrangeableTables = {
  numbers: ['status', 'kind', 'systems', 'displayName', 'country', 'assignee', 'range', 'site', 'carrier', 'tags', 'reservation', 'notes', 'updatedAt'],
  audit: ['actor', 'action', 'target', 'result', 'details'],
  'threecx-extensions': ['displayName', 'email', 'mobile', 'did', 'state'],
  'threecx-dids': ['trunk', 'extension', 'inventory'],
  'teams-bulk-rows': ['user', 'number', 'policies', 'verdict', 'result'],
} as const satisfies Record<string, readonly string[]>;

export type ArrangeableTable = keyof typeof arrangeableTables;
export type ColumnIdOf<T extends ArrangeableTable> = (typeof arrangeableTables)[T][number];

export const arrangeableTableNames = Object.keys(arrangeableTables) as ArrangeableTable[];

/** The known ids of a saved arrangement, in its order, each once; anything else is dropped. */
export function knownColumns(table: ArrangeableTable, saved: unknown): string[] | null {
  if (!Array.isArray(saved)) return null;
  const known = new Set<string>(arrangeableTables[table]);
  const kept: string[] = [];
  for (const id of saved) if (typeof id === 'string' && known.has(id) && !kept.includes(id)) kept.push(id);
  return kept;
}
