import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeNumberCursor, encodeNumberCursor, numberSorts } from '../../src/core/number-cursor.ts';

describe('numbers page cursor (#21)', () => {
  const uuid = '3f2b8a9e-1c4d-4e5f-8a6b-7c8d9e0f1a2b';

  it('reads back every cursor the list hands out', () => {
    expect(decodeNumberCursor('e164', encodeNumberCursor(['+14155550100', uuid]))).toEqual({ ok: true, values: ['+14155550100', uuid] });
    expect(decodeNumberCursor('status', encodeNumberCursor(['cooling', '+442071234567', uuid])).ok).toBe(true);
    expect(decodeNumberCursor('updatedAt', encodeNumberCursor([new Date('2026-12-03T18:00:00.123Z').toISOString(), uuid])).ok).toBe(true);
    expect(decodeNumberCursor('assignee', encodeNumberCursor(['', '+14155550100', uuid])).ok).toBe(true);
    expect(decodeNumberCursor('assignee', encodeNumberCursor(['ann@contoso.com', '+14155550100', uuid])).ok).toBe(true);
  });

  it('refuses the forged cursor of the issue, and one of another sort', () => {
    expect(decodeNumberCursor('e164', encodeNumberCursor(['x', 'not-a-uuid']))).toMatchObject({ ok: false });
    expect(decodeNumberCursor('status', encodeNumberCursor(['+14155550100', uuid]))).toMatchObject({ ok: false, message: expect.stringMatching(/sort order/) });
    expect(decodeNumberCursor('updatedAt', encodeNumberCursor(['2025-02-30T00:00:00.000Z', uuid]))).toMatchObject({ ok: false });
  });

  it('never throws and accepts only the right types, whatever it is given', () => {
    fc.assert(
      fc.property(fc.constantFrom(...numberSorts), fc.oneof(fc.string(), fc.json().map((j) => Buffer.from(j).toString('base64url'))), (sort, cursor) => {
        const result = decodeNumberCursor(sort, cursor);
        if (result.ok) expect(result.values.at(-1)).toMatch(/^[0-9a-f-]{36}$/i);
      }),
      { seed: 21, numRuns: 2000 },
    );
  });
});
