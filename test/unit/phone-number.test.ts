import { describe, expect, it } from 'vitest';
import { validateImportRow } from '../../src/core/number-import-row.ts';
import { expandRange, parseNumber, rangeEnd } from '../../src/core/phone-number.ts';
import { spreadsheetSafe } from '../../src/core/spreadsheet-safe.ts';

describe('parseNumber', () => {
  it('normalizes the ways people write numbers to E.164', () => {
    for (const input of ['+1 415 555 0100', '+1 (415) 555-0100', 'tel:+14155550100', "'+14155550100", '0014155550100']) {
      const result = parseNumber(input);
      expect(result.ok && result.value.e164, input).toBe('+14155550100');
    }
    const national = parseNumber('020 7946 0000', 'GB');
    expect(national.ok && national.value.e164).toBe('+442079460000');
  });

  it('keeps extensions apart', () => {
    const result = parseNumber('+1 415 555 0100 ext. 42');
    expect(result.ok && result.value).toMatchObject({ e164: '+14155550100', extension: '42' });
  });

  it('explains what is wrong', () => {
    expect(parseNumber('')).toEqual({ ok: false, reason: 'The number is empty.' });
    expect(parseNumber('4155550100')).toMatchObject({ ok: false, reason: expect.stringMatching(/no country code/) });
    expect(parseNumber('+1 415 CALL NOW')).toMatchObject({ ok: false, reason: expect.stringMatching(/letters or symbols/) });
    expect(parseNumber('+1 123')).toMatchObject({ ok: false, reason: expect.stringMatching(/not a valid number/) });
  });
});

describe('ranges', () => {
  it('expands a block of consecutive numbers', () => {
    const result = expandRange('+14155550100', '+14155550104');
    expect(result.ok && result.numbers).toEqual(['+14155550100', '+14155550101', '+14155550102', '+14155550103', '+14155550104']);
    expect(rangeEnd('+14155550100', 100)).toBe('+14155550199');
  });
  it('refuses reversed, mismatched and oversized ranges', () => {
    expect(expandRange('+14155550199', '+14155550100').ok).toBe(false);
    expect(expandRange('+14155550100', '+441415555010').ok).toBe(false);
    expect(expandRange('+14155000000', '+14156000000').ok).toBe(false);
  });
});

describe('spreadsheet-safe cells', () => {
  it('neutralizes formula starters and leaves the rest', () => {
    expect(spreadsheetSafe('=HYPERLINK("http://evil")')).toBe('\'=HYPERLINK("http://evil")');
    expect(spreadsheetSafe('+14155550100')).toBe("'+14155550100");
    expect(spreadsheetSafe('-1')).toBe("'-1");
    expect(spreadsheetSafe('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(spreadsheetSafe('\tcmd')).toBe("'\tcmd");
    expect(spreadsheetSafe('Reception')).toBe('Reception');
  });
});

describe('import row validation', () => {
  const ctx = { defaultCountry: null, rangesByName: new Map([['main', { id: 'r1', startE164: '+14155550100', endE164: '+14155550199' }]]), sitesByName: new Map([['hq', 's1']]), now: new Date('2026-01-01T00:00:00Z') };

  it('accepts a minimal row with defaults', () => {
    const result = validateImportRow({ number: '+14155550100' }, ctx);
    expect(result.ok && result.value).toMatchObject({ e164: '+14155550100', kind: 'direct_routing', status: 'available' });
  });

  it('reports each problem with its column', () => {
    const result = validateImportRow({ number: 'abc', kind: 'fax', status: 'cooling', range: 'nope', site: 'mars' }, ctx);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.column).sort()).toEqual(['kind', 'number', 'range', 'site', 'status']);
    expect(result.problems.find((p) => p.column === 'status')!.message).toMatch(/cooling/);
  });

  it('refuses a number outside the range it names', () => {
    expect(validateImportRow({ number: '+14155550150', range: 'Main' }, ctx)).toMatchObject({ ok: true, value: { rangeId: 'r1' } });
    const outside = validateImportRow({ number: '+14155550250', range: 'Main' }, ctx);
    expect(outside.ok).toBe(false);
    if (!outside.ok) expect(outside.problems[0]!.message).toMatch(/outside the range Main/);
  });

  it('requires an assignee for assigned numbers and a future end for reservations', () => {
    expect(validateImportRow({ number: '+14155550100', status: 'assigned' }, ctx).ok).toBe(false);
    expect(validateImportRow({ number: '+14155550100', status: 'assigned', assignee: 'Ann@Contoso.com' }, ctx)).toMatchObject({ ok: true, value: { assignee: 'ann@contoso.com' } });
    expect(validateImportRow({ number: '+14155550100', status: 'reserved', reserved_until: '2025-01-01' }, ctx).ok).toBe(false);
    expect(validateImportRow({ number: '+14155550100', status: 'reserved', reserved_until: '2026-02-01' }, ctx).ok).toBe(true);
  });
});
