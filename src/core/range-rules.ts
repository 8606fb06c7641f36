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
