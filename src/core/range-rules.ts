/**
 * When a number range is running out (L3, #19): at this share in use (assigned or reserved), or
 * with fewer free numbers than the admin's setting (`rangeLowFree`). The Overview and the
 * "Ranges running out" report both ask here, so they always agree.
 */
export const RANGE_FULL_PERCENT = 90;

export type RangeUse = { size: number; free: number; inUse: number };

export function percentInUse(inUse: number, size: number): number {
  return size === 0 ? 0 : Math.round((inUse / size) * 100);
}

export function isRunningOut(range: RangeUse, lowFree: number): boolean {
  return range.size > 0 && (percentInUse(range.inUse, range.size) >= RANGE_FULL_PERCENT || range.free < lowFree);
}

/**
 * A range written as a pattern, such as `+1555123xxxx`: fixed leading digits, then one `x` per
 * free digit (at the end only: a DID block is a run of consecutive numbers). The range holds
 * every number the x's can make, 10^x of them, and its numbers need not be in the inventory
 * yet: the allocator creates each when it hands it out.
 */
export type NumberPattern = { pattern: string; prefix: string; wildDigits: number; capacity: number; firstE164: string; lastE164: string };

/** Up to 10^8 numbers: a block bigger than this is not one carrier's allocation. */
export const MAX_PATTERN_DIGITS = 8;

export function parsePattern(text: string): { ok: true; value: NumberPattern } | { ok: false; reason: string } {
  const pattern = text.trim().replace(/[\s().-]/g, '').replace(/X/g, 'x');
  if (!/^\+[0-9x]+$/.test(pattern)) return { ok: false, reason: `"${text.trim()}" is not a number pattern: write + and the digits, with an x for each free digit (such as +1555123xxxx).` };
  const match = /^\+([0-9]*)(x*)$/.exec(pattern);
  if (!match) return { ok: false, reason: `In "${pattern}" the x's must all come at the end: a range is a run of consecutive numbers.` };
  const [, prefix = '', wild = ''] = match;
  if (wild.length === 0) return { ok: false, reason: `"${pattern}" has no x: give one x for each free digit, such as +1555123xxxx.` };
  if (wild.length > MAX_PATTERN_DIGITS) return { ok: false, reason: `A pattern has at most ${MAX_PATTERN_DIGITS} x's (${(10 ** MAX_PATTERN_DIGITS).toLocaleString('en')} numbers); "${pattern}" has ${wild.length}.` };
  if (prefix === '' || prefix.startsWith('0')) return { ok: false, reason: `"${pattern}" must start with a country code (+ and a digit 1 to 9).` };
  const digits = prefix.length + wild.length;
  if (digits < 7 || digits > 15) return { ok: false, reason: `"${pattern}" makes numbers of ${digits} digits; an E.164 number has 7 to 15.` };
  return {
    ok: true,
    value: { pattern, prefix, wildDigits: wild.length, capacity: 10 ** wild.length, firstE164: `+${prefix}${'0'.repeat(wild.length)}`, lastE164: `+${prefix}${'9'.repeat(wild.length)}` },
  };
}

/** The pattern's number at `index` (0 is the first); undefined past the end. */
export function nthNumber(p: NumberPattern, index: number): string | undefined {
  if (!Number.isInteger(index) || index < 0 || index >= p.capacity) return undefined;
  return `+${p.prefix}${String(index).padStart(p.wildDigits, '0')}`;
}

/** Whether the pattern makes this E.164 number. */
export function patternContains(p: NumberPattern, e164: string): boolean {
  return e164.length === p.prefix.length + p.wildDigits + 1 && e164.startsWith(`+${p.prefix}`) && /^\d+$/.test(e164.slice(p.prefix.length + 1));
}

/** Where an E.164 number sits in the pattern (its index), or undefined when the pattern does not make it. */
export function indexInPattern(p: NumberPattern, e164: string): number | undefined {
  return patternContains(p, e164) ? Number(e164.slice(p.prefix.length + 1)) : undefined;
}

/** Whether two ranges (first and last number, same-length E.164) share a number. Numbers of different lengths never meet. */
export function rangesOverlap(a: { startE164: string; endE164: string }, b: { startE164: string; endE164: string }): boolean {
  return a.startE164.length === b.startE164.length && a.startE164 <= b.endE164 && b.startE164 <= a.endE164;
}

/**
 * The counts by status of a range, with a pattern range's never-created numbers counted as
 * available: the allocator creates them as it hands them out, so they are free. (A range made
 * with all its numbers returns its counts as they are.)
 */
export function rangeCounts(range: { size: number; pattern: string | null }, rowCounts: Record<string, number>): Record<string, number> {
  if (!range.pattern) return rowCounts;
  const rows = Object.values(rowCounts).reduce((a, b) => a + b, 0);
  const notCreated = Math.max(0, range.size - rows);
  return notCreated > 0 ? { ...rowCounts, available: (rowCounts.available ?? 0) + notCreated } : rowCounts;
}
