import { describe, expect, it } from 'vitest';
import { lifecycleActions, numberStatuses, transition, type LifecycleAction, type NumberStatus } from '../../src/core/number-lifecycle.ts';

/** Every allowed edge of the lifecycle; everything not listed must be refused. */
const allowed: Array<[NumberStatus, LifecycleAction, NumberStatus]> = [
  ['available', 'reserve', 'reserved'],
  ['reserved', 'cancel_reservation', 'available'],
  ['available', 'assign', 'assigned'],
  ['reserved', 'assign', 'assigned'],
  ['assigned', 'release', 'cooling'],
  ['cooling', 'expire_cooling', 'available'],
  ['reserved', 'expire_reservation', 'available'],
  ['available', 'block', 'blocked'],
  ['reserved', 'block', 'blocked'],
  ['cooling', 'block', 'blocked'],
  ['blocked', 'unblock', 'available'],
  ['available', 'retire', 'retired'],
  ['cooling', 'retire', 'retired'],
  ['blocked', 'retire', 'retired'],
  ['retired', 'restore', 'available'],
  ['available', 'claim', 'reserved'],
  ['reserved', 'claim', 'reserved'],
  ['cooling', 'reclaim', 'reserved'],
  ['available', 'adopt', 'assigned'],
  ['reserved', 'adopt', 'assigned'],
  ['cooling', 'adopt', 'assigned'],
  ['assigned', 'adopt', 'assigned'],
];

describe('number lifecycle state machine', () => {
  for (const [from, action, to] of allowed) {
    it(`allows ${from} --${action}--> ${to}`, () => {
      expect(transition(from, action, { coolingDays: 30 })).toEqual({ ok: true, to });
    });
  }

  const refused = numberStatuses.flatMap((from) => lifecycleActions.filter((action) => !allowed.some(([f, a]) => f === from && a === action)).map((action) => [from, action] as const));
  for (const [from, action] of refused) {
    it(`refuses ${action} from ${from} with a reason`, () => {
      const result = transition(from, action, { coolingDays: 30 });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(new RegExp(`^A number that is ${from} cannot`));
    });
  }

  it('covers every status-action pair exactly once', () => {
    expect(allowed.length + refused.length).toBe(numberStatuses.length * lifecycleActions.length);
  });

  it('release goes straight back to available when the tenant has no cooling days', () => {
    expect(transition('assigned', 'release', { coolingDays: 0 })).toEqual({ ok: true, to: 'available' });
  });

  it('never adopts a number the MSP keeps out of use', () => {
    expect(transition('retired', 'adopt', { coolingDays: 30 })).toEqual({ ok: false, reason: 'A number that is retired cannot be marked assigned. Restore it first.' });
    expect(transition('blocked', 'adopt', { coolingDays: 30 })).toEqual({ ok: false, reason: 'A number that is blocked cannot be marked assigned. Unblock it first.' });
  });

  it('explains what to do first', () => {
    const result = transition('assigned', 'block', { coolingDays: 30 });
    expect(!result.ok && result.reason).toBe('A number that is assigned cannot be blocked. Release it from its user first.');
  });
});
