/** A time shown in the zone it was chosen in, with the zone's name: "4 Dec 2026, 09:30 (Europe/London)". */
export function formatInZone(at: Date | string, timeZone: string): string {
  return `${new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at))} (${timeZone})`;
}

/**
 * An IANA time-zone name ("Europe/London", "America/Argentina/Buenos_Aires", "UTC") that this
 * runtime knows. Abbreviations and offsets ("EST", "GMT+1", "+01:00") are refused: they do not
 * follow daylight saving, which is what a tenant's zone is for.
 */
export function isIanaTimeZone(zone: string): boolean {
  if (zone !== 'UTC' && !/^[A-Za-z]+(?:\/[A-Za-z0-9_+-]+)+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone this server runs in (the default for a tenant that sets none). Read once: resolving it
 * builds a DateTimeFormat, which cost 13 % of the server's CPU on the tenant list (#16 profile),
 * and the process's zone (TZ) does not change while it runs.
 */
let processZone: string | undefined;
export const serverTimeZone = (): string => (processZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');

/** How far (ms) the wall clock in `zone` is ahead of UTC at `at`. */
function offsetAt(at: number, zone: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(at / 1000) * 1000;
}

/**
 * A wall-clock time typed for a zone ("2026-12-01T09:00", as a datetime-local input gives it) as
 * the instant it names, in ISO (UTC). Null when the text is no such time. A time that daylight
 * saving skips is read with the offset before the change, as the clocks on the wall would show it.
 */
export function wallTimeToIso(value: string, zone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) return null;
  // Two passes: the offset at the first guess, then at the instant it gives (right across a DST change).
  let at = wall - offsetAt(wall, zone);
  at = wall - offsetAt(at, zone);
  return new Date(at).toISOString();
}

/** An instant as the wall-clock text a datetime-local input shows for a zone ("2026-12-01T09:00"). */
export function isoToWallTime(at: Date | string, zone: string): string {
  const ms = new Date(at).getTime();
  return new Date(ms + offsetAt(ms, zone)).toISOString().slice(0, 16);
}
