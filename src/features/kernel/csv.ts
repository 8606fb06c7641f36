import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { spreadsheetSafe } from '../../core/spreadsheet-safe.ts';

type Cell = string | number | boolean | null | undefined;

/**
 * The app's one CSV writer: rows (the header first) streamed as they come, so a large export never
 * sits in memory at once, every cell made spreadsheet-safe (no formulas), with a BOM first so
 * Excel reads UTF-8 names correctly. Used by the number export and the cross-tenant reports.
 */
export function csvStream(rows: Iterable<Cell[]> | AsyncIterable<Cell[]>): Readable {
  async function* safe() {
    for await (const row of rows) yield row.map((cell) => spreadsheetSafe(cell === null || cell === undefined ? '' : String(cell)));
  }
  return Readable.from(safe()).pipe(stringify({ bom: true }));
}

/** `<prefix>[-<tenant name>]-<YYYY-MM-DD>.csv`, with only letters, digits and dashes from the name. */
export function csvFileName(prefix: string, tenantName: string | undefined, now: Date): string {
  const safe = tenantName === undefined ? undefined : tenantName.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-|-$/g, '') || 'tenant';
  return `${[prefix, safe].filter(Boolean).join('-')}-${now.toISOString().slice(0, 10)}.csv`;
}
