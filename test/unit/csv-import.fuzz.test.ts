import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importCsvOptions, sniffDelimiter } from '../../src/core/import-csv.ts';
import { validateImportRow, type ImportContext } from '../../src/core/number-import-row.ts';
import { spreadsheetSafe } from '../../src/core/spreadsheet-safe.ts';

/**
 * Property tests for the CSV path of number import and export: whatever the cells hold
 * (quotes, separators, line breaks, a BOM, any Unicode) the export writer's output reads back
 * to the same cells with the importer's own settings; arbitrary text never crashes the reader
 * or the row validator; spreadsheet-safe cells never start a formula. Runs are bounded.
 */
const runs = { numRuns: 300 };
const formulaStart = /^[=+\-@\t\r]/;

/** Cells biased towards what breaks CSV: quotes, both separators, CR/LF, BOM, formula starters, spaces. */
const nastyCell = fc.oneof(
  fc.string({ unit: fc.constantFrom('"', ',', ';', '\n', '\r', '\r\n', '\uFEFF', '=', '+', '-', '@', '\t', ' ', "'", 'a', '1', 'é', '📞', '\\'), maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ maxLength: 20 }),
);

/** The importer's real column names as the header, so the separator sniffing sees what it is meant for. */
const header = fc.shuffledSubarray(['number', 'extension', 'kind', 'status', 'range', 'site', 'carrier', 'tags', 'notes', 'assignee'], { minLength: 2 });

/** Writes rows the way the exports do (UTF-8 BOM first), then reads them the way the import does. */
function exportThenImport(rows: string[][], delimiter: ',' | ';' = ','): string[][] {
  const text = stringify(rows, { bom: true, delimiter });
  return parse(text, importCsvOptions(sniffDelimiter(text))) as string[][];
}

const ctx: ImportContext = {
  defaultCountry: 'US',
  rangesByName: new Map([['main', { id: 'r1', startE164: '+14155550100', endE164: '+14155550199' }]]),
  sitesByName: new Map([['hq', 's1']]),
  now: new Date('2025-06-01T00:00:00Z'),
};

describe('CSV export → import round trip (property)', () => {
  it('any cells survive the export writer and the import reader (edges trimmed, as the import does)', () => {
    fc.assert(
      fc.property(
        header.chain((cols) => fc.tuple(fc.constant(cols), fc.array(fc.array(nastyCell, { minLength: cols.length, maxLength: cols.length }), { maxLength: 8 }))),
        fc.constantFrom<',' | ';'>(',', ';'),
        ([cols, rows], delimiter) => {
          const back = exportThenImport([cols, ...rows], delimiter);
          expect(back[0]).toEqual(cols);
          expect(back.slice(1).map((r) => r.map((c) => c.trim()))).toEqual(rows.map((r) => r.map((c) => c.trim())));
        },
      ),
      runs,
    );
  });

  it('spreadsheet-safe cells never start a formula, change nothing else, and read back as written', () => {
    fc.assert(
      fc.property(fc.array(fc.array(nastyCell, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const safe = rows.map((r) => r.map(spreadsheetSafe));
        for (const [i, row] of safe.entries()) {
          for (const [j, cell] of row.entries()) {
            expect(cell).not.toMatch(formulaStart);
            expect([rows[i]![j], `'${rows[i]![j]}`]).toContain(cell);
          }
        }
        // Through the writer and a plain (untrimmed) reader the cells are exactly what was written.
        const text = stringify([['number', 'notes', 'tags', 'site'].slice(0, safe[0]!.length), ...safe.map((r) => r.slice(0, safe[0]!.length))], { bom: true });
        const back = parse(text, { bom: true, relax_column_count: true }) as string[][];
        for (const row of back.slice(1)) for (const cell of row) expect(cell).not.toMatch(formulaStart);
      }),
      runs,
    );
  });
});

describe('CSV import reader and row validator (property)', () => {
  it('arbitrary text either parses or fails with a CSV error the import reports as such, never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.array(nastyCell, { maxLength: 30 }).map((parts) => parts.join(''))), (text) => {
        try {
          const rows = parse(text, importCsvOptions(sniffDelimiter(text))) as string[][];
          expect(Array.isArray(rows)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(CsvError);
        }
      }),
      runs,
    );
  });

  it('validateImportRow never throws; it accepts only storable E.164 rows and names the column of every problem', () => {
    const columns = ['number', 'extension', 'kind', 'status', 'range', 'site', 'carrier', 'tags', 'notes', 'assignee', 'assignee_name', 'reserved_until', 'reservation_reason'];
    const value = fc.oneof(nastyCell, fc.constantFrom('+14155550123', '415 555 0150', 'available', 'reserved', 'assigned', 'cooling', 'dr', 'Main', 'HQ', '2030-01-01', 'foo 3000', "' OR '1'='1", 'a\u0000b', 'user@contoso.example'));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...columns), value), (raw) => {
        const result = validateImportRow(raw, ctx);
        if (!result.ok) {
          expect(result.problems.length).toBeGreaterThan(0);
          for (const p of result.problems) {
            expect(columns).toContain(p.column);
            expect(p.message.length).toBeGreaterThan(5);
          }
          return;
        }
        const v = result.value;
        expect(v.e164).toMatch(/^\+[1-9]\d{1,14}$/);
        expect(JSON.stringify(v)).not.toContain('\\u0000');
        if (v.rangeId) expect(v.e164 >= '+14155550100' && v.e164 <= '+14155550199').toBe(true);
        if (v.reservedUntil) expect(new Date(v.reservedUntil).getTime()).toBeGreaterThan(ctx.now.getTime());
        expect((v.status === 'assigned') === (v.assignee !== null)).toBe(true);
      }),
      runs,
    );
  });

  it('a row that came from our own export (spreadsheet-safe cells) imports to the same number', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 199 }), fc.string({ maxLength: 30 }), (n, notes) => {
        const e164 = `+14155550${n}`;
        const [, row] = exportThenImport([['number', 'range', 'notes'], [spreadsheetSafe(e164), 'Main', spreadsheetSafe(notes.replaceAll('\u0000', ''))]]);
        const result = validateImportRow({ number: row![0]!, range: row![1]!, notes: row![2]! }, ctx);
        expect(result).toMatchObject({ ok: true, value: { e164, rangeId: 'r1' } });
      }),
      runs,
    );
  });
});
