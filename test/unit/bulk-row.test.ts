import { describe, expect, it } from 'vitest';
import { nextFromRange, nextFromSite } from '../../src/core/bulk-row.ts';

describe('"next free" in a bulk PhoneNumber cell', () => {
  it('next:<range> names a range, next site:<site> a site, and neither is taken for the other', () => {
    expect(nextFromRange('next:Seattle DR block')).toBe('Seattle DR block');
    expect(nextFromRange('NEXT : Seattle')).toBe('Seattle');
    expect(nextFromSite('next site:Seattle HQ')).toBe('Seattle HQ');
    expect(nextFromSite('Next Site : London Office ')).toBe('London Office');
    expect(nextFromRange('next site:Seattle HQ')).toBeUndefined();
    expect(nextFromSite('next:Seattle DR block')).toBeUndefined();
    expect(nextFromSite('+14255550100')).toBeUndefined();
    expect(nextFromSite(null)).toBeUndefined();
  });
});
