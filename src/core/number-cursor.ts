import { numberStatuses } from './number-vocabulary.ts';

/**
 * The keyset cursor of the numbers list: the last row's sort key, as base64url JSON. A cursor
 * comes back from the client, so every value in it is checked against the type of the column it
 * is compared with before it reaches SQL (a non-UUID in the id position used to reach
 * PostgreSQL and come back as an internal error).
 */
export const numberSorts = ['e164', 'status', 'updatedAt', 'assignee'] as const;
export type NumberSort = (typeof numberSorts)[number];

type Part = 'e164' | 'status' | 'timestamp' | 'text' | 'uuid';

/** What each sort's cursor holds, in order; the id always comes last so the order is total. */
const cursorParts: Record<NumberSort, Part[]> = {
  e164: ['e164', 'uuid'],
  status: ['status', 'e164', 'uuid'],
  updatedAt: ['timestamp', 'uuid'],
  assignee: ['text', 'e164', 'uuid'],
};

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// The stored form (phone_numbers_e164_format): + and 7 to 15 digits, no leading zero.
const e164Pattern = /^\+[1-9]\d{6,14}$/;
const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

function partIsValid(part: Part, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  switch (part) {
    case 'uuid':
      return uuidPattern.test(value);
    case 'e164':
      return e164Pattern.test(value);
    case 'status':
      return (numberStatuses as readonly string[]).includes(value);
    case 'timestamp': {
      if (!timestampPattern.test(value)) return false;
      const time = new Date(value);
      return !Number.isNaN(time.getTime()) && time.getUTCFullYear() >= 1970 && time.toISOString().slice(0, 19) === value.slice(0, 19);
    }
    case 'text':
      // An assignee's UPN (or '' when the number has none); any text, bounded.
      return value.length <= 400 && !value.includes('\u0000');
  }
}

export type CursorResult = { ok: true; values: string[] } | { ok: false; message: string };

/** Reads a cursor for the given sort; refuses one that is not base64url JSON of that sort's key. */
export function decodeNumberCursor(sort: NumberSort, cursor: string): CursorResult {
  let values: unknown;
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(cursor)) throw new Error('not base64url');
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, message: 'is not a page cursor from this list; start again from the first page' };
  }
  const parts = cursorParts[sort];
  if (!Array.isArray(values) || values.length !== parts.length) return { ok: false, message: 'does not match the sort order; start again from the first page' };
  if (!parts.every((part, i) => partIsValid(part, values[i]))) return { ok: false, message: 'is not a page cursor from this list; start again from the first page' };
  return { ok: true, values: values as string[] };
}

export function encodeNumberCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}
