import { describe, expect, it } from 'vitest';
import { indexInPattern, nthNumber, parsePattern, patternContains, rangeCounts, rangesOverlap, type NumberPattern } from '../../src/core/range-rules.ts';

function pattern(text: string): NumberPattern {
  const parsed = parsePattern(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

describe('number patterns (+1555123xxxx)', () => {
  it('reads the fixed digits and the x count, and the capacity is 10 to the x count', () => {
    expect(pattern('+1555123xxxx')).toEqual({ pattern: '+1555123xxxx', prefix: '1555123', wildDigits: 4, capacity: 10_000, firstE164: '+15551230000', lastE164: '+15551239999' });
    // As people write it: spaces, dashes, brackets and capital X.
    expect(pattern('+1 (555) 123-XXXX').pattern).toBe('+1555123xxxx');
    expect(pattern('+44207946xxxx').capacity).toBe(10_000);
  });

  it('refuses a pattern with the reason', () => {
    const reason = (text: string) => {
      const parsed = parsePattern(text);
      return parsed.ok ? 'accepted' : parsed.reason;
    };
    expect(reason('+1555123')).toMatch(/has no x/);
    expect(reason('+1555xx1234')).toMatch(/x's must all come at the end/);
    expect(reason('1555123xxxx')).toMatch(/not a number pattern/);
    expect(reason('+1555abcxxxx')).toMatch(/not a number pattern/);
    expect(reason('+0555123xxxx')).toMatch(/country code/);
    expect(reason('+15xxxxxxxxx')).toMatch(/at most 8 x's/);
    expect(reason('+12xxx')).toMatch(/5 digits; an E.164 number has 7 to 15/);
    expect(reason('+12345678901234xx')).toMatch(/16 digits/);
    expect(reason('')).toMatch(/not a number pattern/);
  });

  it('the nth number counts from the first, zero-padded, and stops at the end', () => {
    const p = pattern('+1555123xxxx');
    expect(nthNumber(p, 0)).toBe('+15551230000');
    expect(nthNumber(p, 42)).toBe('+15551230042');
    expect(nthNumber(p, 9_999)).toBe('+15551239999');
    expect(nthNumber(p, 10_000)).toBeUndefined();
    expect(nthNumber(p, -1)).toBeUndefined();
    expect(nthNumber(p, 1.5)).toBeUndefined();
  });

  it('contains exactly the numbers it makes, and each one at its index', () => {
    const p = pattern('+1555123xxxx');
    expect(patternContains(p, '+15551230000')).toBe(true);
    expect(patternContains(p, '+15551239999')).toBe(true);
    expect(patternContains(p, '+15551240000')).toBe(false);
    expect(patternContains(p, '+1555123000')).toBe(false);
    expect(patternContains(p, '+155512300000')).toBe(false);
    for (const i of [0, 7, 1234, 9999]) expect(indexInPattern(p, nthNumber(p, i)!)).toBe(i);
    expect(indexInPattern(p, '+15551240000')).toBeUndefined();
  });

  it('ranges overlap when they share a number; numbers of different lengths never meet', () => {
    const a = { startE164: '+15551230000', endE164: '+15551239999' };
    expect(rangesOverlap(a, { startE164: '+15551239999', endE164: '+15551240010' })).toBe(true);
    expect(rangesOverlap(a, { startE164: '+15551235000', endE164: '+15551235009' })).toBe(true);
    expect(rangesOverlap(a, { startE164: '+15551240000', endE164: '+15551240010' })).toBe(false);
    expect(rangesOverlap(a, { startE164: '+1555123000', endE164: '+1555123999' })).toBe(false);
  });

  it("a pattern range counts the numbers it has not created yet as available; a loaded range's counts stay as they are", () => {
    expect(rangeCounts({ size: 10_000, pattern: '+1555123xxxx' }, { reserved: 2, assigned: 1, available: 1 })).toEqual({ reserved: 2, assigned: 1, available: 9_997 });
    expect(rangeCounts({ size: 10_000, pattern: '+1555123xxxx' }, {})).toEqual({ available: 10_000 });
    expect(rangeCounts({ size: 20, pattern: null }, { available: 15, assigned: 2 })).toEqual({ available: 15, assigned: 2 });
  });
});
