import { describe, expect, it } from 'vitest';
import { formatInZone, isIanaTimeZone, isoToWallTime, wallTimeToIso } from '../../src/core/time-zone.ts';

describe('time zones', () => {
  it('takes IANA names and refuses abbreviations, offsets and unknown zones', () => {
    for (const zone of ['UTC', 'Europe/London', 'America/Argentina/Buenos_Aires', 'Etc/GMT+1', 'Asia/Kolkata']) expect([zone, isIanaTimeZone(zone)]).toEqual([zone, true]);
    for (const zone of ['EST', 'GMT+1', '+01:00', 'Mars/Olympus_Mons', 'europe london', '']) expect([zone, isIanaTimeZone(zone)]).toEqual([zone, false]);
  });

  it('reads a wall-clock time in a zone as the instant it names, across daylight saving', () => {
    expect(wallTimeToIso('2026-12-01T09:00', 'Europe/London')).toBe('2026-12-01T09:00:00.000Z');
    expect(wallTimeToIso('2026-07-01T09:00', 'Europe/London')).toBe('2026-07-01T08:00:00.000Z');
    expect(wallTimeToIso('2026-07-01T09:00', 'America/New_York')).toBe('2026-07-01T13:00:00.000Z');
    expect(wallTimeToIso('2026-11-01T09:00', 'America/New_York')).toBe('2026-11-01T14:00:00.000Z');
    expect(wallTimeToIso('2026-07-01T09:00', 'Asia/Kolkata')).toBe('2026-07-01T03:30:00.000Z');
    // 01:30 does not exist on 29 March 2026 in London (01:00 → 02:00): read with the offset before.
    expect(wallTimeToIso('2026-03-29T01:30', 'Europe/London')).toBe('2026-03-29T01:30:00.000Z');
  });

  it('refuses text that is no time', () => {
    for (const text of ['', '2026-02-30T10:00', '2026-12-01 09:00', '2026-12-01T24:30', 'tomorrow']) expect([text, wallTimeToIso(text, 'UTC')]).toEqual([text, null]);
  });

  it('shows an instant as the wall-clock text of a zone, the inverse of reading it', () => {
    expect(isoToWallTime('2026-07-01T13:00:00Z', 'America/New_York')).toBe('2026-07-01T09:00');
    expect(wallTimeToIso(isoToWallTime('2026-01-15T22:45:00Z', 'Australia/Sydney'), 'Australia/Sydney')).toBe('2026-01-15T22:45:00.000Z');
    expect(formatInZone('2026-07-01T13:00:00Z', 'America/New_York')).toBe('1 Jul 2026, 09:00 (America/New_York)');
  });
});
