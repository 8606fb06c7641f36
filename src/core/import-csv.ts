import type { Options } from 'csv-parse';

/**
 * How number imports read CSV: comma or semicolon (what European spreadsheets save), chosen by
 * which the header line uses more; a UTF-8 BOM is skipped; cells are trimmed; blank lines and
 * short rows are tolerated. Kept here, apart from the streaming service, so the same reading
 * is tested directly against what the export writer produces.
 */
export function sniffDelimiter(firstChunk: string): ',' | ';' {
  const header = firstChunk.replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  const count = (c: string) => header.split(c).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

export function importCsvOptions(delimiter: ',' | ';'): Options {
  return { bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, trim: true };
}

/**
 * How the other uploads (bulk assignment, onboarding, emergency locations) read CSV: the same
 * tolerance, with csv-parse choosing comma or semicolon itself, since they read the file whole.
 */
export const uploadCsvOptions = { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, delimiter: [',', ';'] } satisfies Options;

/** A header as the column maps know it: "Phone Number", "phone_number" and "PHONENUMBER" are one column. */
export function headerKey(header: string): string {
  return header.trim().toLowerCase().replace(/[^a-z0-9]/g, '');
}
