import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RANGE_SIZE, expandRange, formatNational, inRange, parseNumber, rangeEnd } from '../../src/core/phone-number.ts';
import { spreadsheetSafe } from '../../src/core/spreadsheet-safe.ts';

/**
 * Property tests: the number parser and range arithmetic hold their invariants for any input,
 * not just the examples in phone-number.test.ts. Runs are bounded so the unit suite stays fast;
 * a failure prints the seed and the shrunk counter-example to replay.
 */
const runs = { numRuns: 400 };
const E164 = /^\+[1-9]\d{1,14}$/;

/** Strings that look like phone numbers as people type them: digits, separators, prefixes, extensions. */
const phoneish = fc
  .tuple(
    fc.constantFrom('', '+', '00', 'tel:', "'", ' +', '+1', '+44', '+49', '+61', '+33', '0'),
    fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '-', '(', ')', '.', '/'), maxLength: 20 }),
    fc.constantFrom('', ' x12', ' ext. 345', ';ext=9', 'x', 'abc'),
  )
  .map(([prefix, body, ext]) => `${prefix}${body}${ext}`);

/** Numbers most of which are valid: a real area prefix and random subscriber digits. */
const plausible = fc
  .tuple(fc.constantFrom('+1415555', '+1212555', '+4420794', '+4930901', '+3314567', '+6128765', '+81312345'), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 3, maxLength: 5 }))
  .map(([prefix, rest]) => prefix + rest);

/** An E.164-shaped start of a range: no leading zero, 8 to 14 digits. */
const rangeStart = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 7, maxLength: 13 }))
  .map(([first, rest]) => `+${first}${rest}`);

const twelveDigits = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 10, maxLength: 10 })).map(([first, rest]) => `+${first}${rest}`);

describe('parseNumber (property)', () => {
  it('never throws on arbitrary text, and a refusal always says why', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), phoneish), fc.option(fc.constantFrom('US', 'GB', 'DE', 'fr', 'XX', ''), { nil: null }), (input, country) => {
        const result = parseNumber(input, country);
        if (result.ok) expect(result.value.e164).toMatch(E164);
        else expect(result.reason.length).toBeGreaterThan(5);
      }),
      runs,
    );
  });

  it('an accepted number is E.164 and reads back to itself from E.164, national format, tel: URI and a spreadsheet-safe cell', () => {
    fc.assert(
      fc.property(fc.oneof(phoneish, plausible), (input) => {
        const result = parseNumber(input, 'US');
        if (!result.ok) return;
        const { e164, national, country, extension } = result.value;
        expect(e164).toMatch(E164);
        expect(parseNumber(e164)).toMatchObject({ ok: true, value: { e164 } });
        expect(parseNumber(`tel:${e164}`)).toMatchObject({ ok: true, value: { e164 } });
        // Exports write "'+1…" so spreadsheets keep it as text; the import reads that back.
        expect(spreadsheetSafe(e164)).toBe(`'${e164}`);
        expect(parseNumber(spreadsheetSafe(e164))).toMatchObject({ ok: true, value: { e164 } });
        // The national form is the number's own, plus " ext. N" when the input carried one.
        expect(national.startsWith(formatNational(e164))).toBe(true);
        if (country) expect(parseNumber(national, country)).toMatchObject({ ok: true, value: { e164, extension } });
      }),
      runs,
    );
  });

  it('plausible numbers are mostly accepted (the generator above is not vacuous)', () => {
    const samples = fc.sample(plausible, { numRuns: 200, seed: 42 });
    expect(samples.filter((s) => parseNumber(s).ok).length).toBeGreaterThan(60);
  });
});

describe('ranges (property)', () => {
  it('expandRange gives exactly the consecutive numbers from start to end, all in range', () => {
    fc.assert(
      fc.property(rangeStart, fc.integer({ min: 1, max: 120 }), (start, count) => {
        const end = rangeEnd(start, count);
        const expanded = expandRange(start, end);
        if (end.length !== start.length) {
          // The block would spill into one more digit: refused, not wrapped.
          expect(expanded.ok).toBe(false);
          return;
        }
        expect(expanded.ok).toBe(true);
        if (!expanded.ok) return;
        const numbers = expanded.numbers;
        expect(numbers).toHaveLength(count);
        expect(numbers[0]).toBe(start);
        expect(numbers[numbers.length - 1]).toBe(end);
        for (let i = 0; i < numbers.length; i++) {
          expect(numbers[i]).toMatch(E164);
          expect(numbers[i]!.length).toBe(start.length);
          expect(inRange(numbers[i]!, start, end)).toBe(true);
          if (i > 0) expect(BigInt(numbers[i]!.slice(1)) - BigInt(numbers[i - 1]!.slice(1))).toBe(1n);
        }
        const before = `+${(BigInt(start.slice(1)) - 1n).toString()}`;
        const after = `+${(BigInt(end.slice(1)) + 1n).toString()}`;
        expect(inRange(before, start, end)).toBe(false);
        expect(inRange(after, start, end)).toBe(false);
      }),
      runs,
    );
  });

  it('refuses reversed, mismatched, oversized and malformed ranges without throwing', () => {
    fc.assert(
      fc.property(rangeStart, fc.integer({ min: 1, max: 10_000 }), (start, gap) => {
        const later = `+${(BigInt(start.slice(1)) + BigInt(gap)).toString()}`;
        if (later.length === start.length) expect(expandRange(later, start).ok).toBe(false);
        expect(expandRange(start, `${later}0`).ok).toBe(false);
        const huge = `+${(BigInt(start.slice(1)) + BigInt(MAX_RANGE_SIZE)).toString()}`;
        if (huge.length === start.length) expect(expandRange(start, huge)).toMatchObject({ ok: false, reason: expect.stringMatching(/at most/) });
      }),
      runs,
    );
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const result = expandRange(a, b);
        if (!(E164.test(a) && E164.test(b))) expect(result.ok).toBe(false);
      }),
      runs,
    );
  });

  it('inRange agrees with numeric comparison for numbers of the same length', () => {
    fc.assert(
      fc.property(fc.array(twelveDigits, { minLength: 3, maxLength: 3 }), ([x, a, b]) => {
        const [lo, hi] = BigInt(a!.slice(1)) <= BigInt(b!.slice(1)) ? [a!, b!] : [b!, a!];
        const n = BigInt(x!.slice(1));
        expect(inRange(x!, lo, hi)).toBe(n >= BigInt(lo.slice(1)) && n <= BigInt(hi.slice(1)));
      }),
      runs,
    );
  });
});
