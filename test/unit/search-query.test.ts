import { describe, expect, it } from 'vitest';
import { isRunningOut, percentInUse } from '../../src/core/range-rules.ts';
import { likeEscape, parseSearchQuery } from '../../src/core/search-query.ts';

describe('reading what was typed into the global search', () => {
  it('takes a number in any formatting as its digits', () => {
    for (const q of ['+1 (425) 555-0101', '+14255550101', ' 1.425.555.0101 ', '1 425 555 0101']) expect(parseSearchQuery(q).digits, q).toBe('14255550101');
    expect(parseSearchQuery('425 555 0101')).toMatchObject({ digits: '4255550101', international: false });
    expect(parseSearchQuery('+44 20 7946 0000')).toMatchObject({ digits: '442079460000', international: true });
    expect(parseSearchQuery('0044 20 7946 0000')).toMatchObject({ digits: '00442079460000', international: true });
  });

  it('keeps words as words, lower-cased', () => {
    expect(parseSearchQuery('  Adele.Vance@Contoso ')).toEqual({ text: 'adele.vance@contoso', digits: null, international: false, ticket: null });
    expect(parseSearchQuery('Room 101').digits).toBeNull();
  });

  it('reads a ticket with or without #', () => {
    expect(parseSearchQuery('#7001').ticket).toBe('7001');
    expect(parseSearchQuery('7001')).toMatchObject({ ticket: '7001', digits: '7001' });
    expect(parseSearchQuery('# 7001').ticket).toBe('7001');
    expect(parseSearchQuery('ticket 7001').ticket).toBeNull();
  });

  it("escapes LIKE's wildcards", () => {
    expect(likeEscape('50%_a\\b')).toBe('50\\%\\_a\\\\b');
  });
});

describe('when a range is running out', () => {
  it('at 90 % in use or with fewer free numbers than the setting', () => {
    expect(percentInUse(9, 10)).toBe(90);
    expect(percentInUse(0, 0)).toBe(0);
    expect(isRunningOut({ size: 10, free: 1, inUse: 9 }, 0)).toBe(true);
    expect(isRunningOut({ size: 100, free: 9, inUse: 11 }, 10)).toBe(true);
    expect(isRunningOut({ size: 100, free: 10, inUse: 11 }, 10)).toBe(false);
    expect(isRunningOut({ size: 0, free: 0, inUse: 0 }, 10)).toBe(false);
  });
});
