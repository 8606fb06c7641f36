import { describe, expect, it } from 'vitest';
import { createKnobs, validateKnobPatch } from '../../../simulators/shared/knobs.ts';
import { createThrottle } from '../../../simulators/shared/token-bucket.ts';

describe('per-tenant token bucket', () => {
  it('allows a one-second burst, then asks to wait, refilling at the rate', () => {
    let now = 0;
    const throttle = createThrottle(4, () => now);
    expect([1, 2, 3, 4].map(() => throttle.take('t1'))).toEqual([0, 0, 0, 0]);
    expect(throttle.take('t1')).toBe(1);
    expect(throttle.take('t2')).toBe(0);
    now = 250;
    expect(throttle.take('t1')).toBe(0);
    expect(throttle.take('t1')).toBe(1);
  });

  it('rounds Retry-After up to whole seconds for slow rates and is off when null', () => {
    let now = 0;
    const throttle = createThrottle(0.5, () => now);
    expect(throttle.take('x')).toBe(0);
    expect(throttle.take('x')).toBe(2);
    now = 2000;
    expect(throttle.take('x')).toBe(0);
    throttle.setRate(null);
    expect(Array.from({ length: 100 }, () => throttle.take('x')).every((wait) => wait === 0)).toBe(true);
  });
});

describe('knobs', () => {
  it('reset returns to the start values and zeroes stats', () => {
    const knobs = createKnobs({ latencyMs: 5 });
    knobs.set({ latencyMs: 100, failNext: { count: 2, status: 504 } });
    knobs.stats.requests = 9;
    knobs.reset();
    expect(knobs.snapshot()).toMatchObject({ latencyMs: 5, failNext: { count: 0, status: 503 } });
    expect(knobs.stats.requests).toBe(0);
  });

  it('validates patches from the control endpoint', () => {
    expect(validateKnobPatch({ latencyMs: 10, throttleRps: null, failNext: { count: 1 } })).toBeNull();
    expect(validateKnobPatch({ latencyMs: -1 })).toMatch(/latencyMs/);
    expect(validateKnobPatch({ throttleRps: 0 })).toMatch(/throttleRps/);
    expect(validateKnobPatch({ failNext: 3 })).toMatch(/failNext/);
    expect(validateKnobPatch({ nonsense: true })).toMatch(/nonsense/);
    expect(validateKnobPatch([])).not.toBeNull();
  });
});
