/** A time shown in the zone it was chosen in, with the zone's name: "4 Dec 2026, 09:30 (Europe/London)". */
export function formatInZone(at: Date | string, timeZone: string): string {
  return `${new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at))} (${timeZone})`;
}
