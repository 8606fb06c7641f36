import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type ParsedNumber = { e164: string; extension: string; national: string; country: string | undefined };
export type NumberParseResult = { ok: true; value: ParsedNumber } | { ok: false; reason: string };

/**
 * Reads a phone number as people write it (+1 415 555 0100, 020 7946 0000 with a default
 * country, tel: URIs, "x123"/"ext. 123" extensions) and returns it in E.164. A leading
 * apostrophe, which our own exports add to keep spreadsheets from running cells as formulas,
 * is ignored so an export can be imported again.
 */
export function parseNumber(input: string, defaultCountry?: string | null): NumberParseResult {
  const text = input.trim().replace(/^'/, '').replace(/^tel:/i, '');
  if (text === '') return { ok: false, reason: 'The number is empty.' };
  if (!/^[+\d\s().\-/xXeEtTnN;=:]+$/.test(text)) return { ok: false, reason: `"${input.trim()}" is not a phone number: it contains letters or symbols.` };
  const country = defaultCountry ? (defaultCountry.toUpperCase() as CountryCode) : undefined;
  if (!text.startsWith('+') && !text.startsWith('00') && !country) {
    return { ok: false, reason: `"${input.trim()}" has no country code: write it as +<country code><number> (E.164), or set the tenant's default country.` };
  }
  const normalized = text.startsWith('00') ? `+${text.slice(2)}` : text;
  const parsed = parsePhoneNumberFromString(normalized, country);
  if (!parsed) return { ok: false, reason: `"${input.trim()}" is not a phone number.` };
  if (!parsed.isValid()) return { ok: false, reason: `${parsed.number} is not a valid number for ${parsed.country ?? `country code +${parsed.countryCallingCode}`}.` };
  return {
    ok: true,
    value: { e164: parsed.number, extension: parsed.ext ?? '', national: parsed.formatNational(), country: parsed.country },
  };
}

/**
 * National format for display; the E.164 itself when the number cannot be read. Remembered per
 * number (a pure function of it): parsing with libphonenumber's full metadata was 9 % of the
 * server's CPU on number pages (#16 profile), and an engineer pages the same numbers again.
 */
export function formatNational(e164: string): string {
  return remembered(nationalByNumber, e164, () => parsePhoneNumberFromString(e164)?.formatNational() ?? e164);
}

/** Derived per-number facts kept in memory; a bounded map, emptied when full rather than tracked per entry. */
const REMEMBERED_NUMBERS = 100_000;
const nationalByNumber = new Map<string, string>();
const countryByNumber = new Map<string, string>();
function remembered(map: Map<string, string>, e164: string, derive: () => string): string {
  let value = map.get(e164);
  if (value === undefined) {
    if (map.size >= REMEMBERED_NUMBERS) map.clear();
    value = derive();
    map.set(e164, value);
  }
  return value;
}

export const MAX_RANGE_SIZE = 100_000;
const E164_SHAPE = /^\+[1-9]\d{1,14}$/;

/**
 * The numbers from start to end inclusive. Both ends must be in the same country and have the
 * same length, since a DID block is a run of consecutive subscriber numbers.
 */
export function expandRange(startE164: string, endE164: string): { ok: true; numbers: string[] } | { ok: false; reason: string } {
  if (!E164_SHAPE.test(startE164) || !E164_SHAPE.test(endE164)) return { ok: false, reason: 'Both ends of a range must be E.164 numbers (+ and up to 15 digits).' };
  if (startE164.length !== endE164.length) return { ok: false, reason: 'The first and last number of a range must have the same number of digits.' };
  const start = BigInt(startE164.slice(1));
  const end = BigInt(endE164.slice(1));
  if (end < start) return { ok: false, reason: 'The last number comes before the first.' };
  const size = end - start + 1n;
  if (size > BigInt(MAX_RANGE_SIZE)) return { ok: false, reason: `A range holds at most ${MAX_RANGE_SIZE.toLocaleString('en')} numbers; this one would hold ${size.toLocaleString('en')}.` };
  const numbers: string[] = [];
  for (let n = start; n <= end; n++) numbers.push(`+${n.toString()}`);
  return { ok: true, numbers };
}

/** The last number of a range of `count` numbers starting at start. */
export function rangeEnd(startE164: string, count: number): string {
  return `+${(BigInt(startE164.slice(1)) + BigInt(count - 1)).toString()}`;
}

/** Whether an E.164 number lies within a range's first and last number. */
export function inRange(e164: string, startE164: string, endE164: string): boolean {
  return e164.length === startE164.length && e164 >= startE164 && e164 <= endE164;
}

/** The country (ISO 3166-1 alpha-2) an E.164 number belongs to; '' when it names none (+800, or a number libphonenumber cannot place). */
export function countryOfNumber(e164: string): string {
  return remembered(countryByNumber, e164, () => parsePhoneNumberFromString(e164)?.country ?? '');
}

/** Whether a text is a country code libphonenumber knows (ISO 3166-1 alpha-2, upper case), as a usage location must be. */
export function isKnownCountry(code: string): boolean {
  return isSupportedCountry(code);
}
