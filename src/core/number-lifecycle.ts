/**
 * The number lifecycle: one state machine, no I/O. Every status change in the app goes
 * through `transition`, so the rules live here and nowhere else.
 *
 *   available → reserved → assigned → cooling → available
 *   plus blocked (kept out of use) and retired (no longer held)
 */
import { numberStatuses, type NumberStatus } from './number-vocabulary.ts';

export { numberStatuses, type NumberStatus };

export const lifecycleActions = [
  'reserve',
  'cancel_reservation',
  'assign',
  'release',
  'expire_cooling',
  'expire_reservation',
  'block',
  'unblock',
  'retire',
  'restore',
  'claim',
  'reclaim',
  'adopt',
] as const;
export type LifecycleAction = (typeof lifecycleActions)[number];

type Rule = { from: readonly NumberStatus[]; to: (context: TransitionContext) => NumberStatus };
export type TransitionContext = { coolingDays: number };

const rules: Record<LifecycleAction, Rule> = {
  reserve: { from: ['available'], to: () => 'reserved' },
  cancel_reservation: { from: ['reserved'], to: () => 'available' },
  assign: { from: ['available', 'reserved'], to: () => 'assigned' },
  // A released number rests for the tenant's cooling days so a caller for the old user
  // does not reach the new one; zero days sends it straight back.
  release: { from: ['assigned'], to: ({ coolingDays }) => (coolingDays > 0 ? 'cooling' : 'available') },
  expire_cooling: { from: ['cooling'], to: () => 'available' },
  expire_reservation: { from: ['reserved'], to: () => 'available' },
  block: { from: ['available', 'reserved', 'cooling'], to: () => 'blocked' },
  unblock: { from: ['blocked'], to: () => 'available' },
  retire: { from: ['available', 'cooling', 'blocked'], to: () => 'retired' },
  restore: { from: ['retired'], to: () => 'available' },
  // A voice change holds its new number while Teams carries out the order, then assigns it.
  claim: { from: ['available', 'reserved'], to: () => 'reserved' },
  // Only a revert takes a cooling number back, for the user who just released it.
  reclaim: { from: ['cooling'], to: () => 'reserved' },
  // Reconcile: an external system (Teams, 3CX) already assigns the number, so the inventory records
  // it. A number the MSP blocked or retired is kept out of use on purpose and is never adopted.
  adopt: { from: ['available', 'reserved', 'cooling', 'assigned'], to: () => 'assigned' },
};

const actionWords: Record<LifecycleAction, string> = {
  reserve: 'reserved',
  cancel_reservation: 'have its reservation cancelled',
  assign: 'assigned',
  release: 'released',
  expire_cooling: 'leave cooling',
  expire_reservation: 'have its reservation expire',
  block: 'blocked',
  unblock: 'unblocked',
  retire: 'retired',
  restore: 'restored',
  claim: 'claimed for a change',
  reclaim: 'reclaimed',
  adopt: 'marked assigned',
};

const hints: Partial<Record<NumberStatus, string>> = {
  assigned: 'Release it from its user first.',
  reserved: 'Cancel the reservation first.',
  cooling: 'Wait until cooling ends, or block or retire it.',
  blocked: 'Unblock it first.',
  retired: 'Restore it first.',
};

export type TransitionResult = { ok: true; to: NumberStatus } | { ok: false; reason: string };

export function transition(from: NumberStatus, action: LifecycleAction, context: TransitionContext): TransitionResult {
  const rule = rules[action];
  if (!rule.from.includes(from)) {
    const verb = actionWords[action];
    const be = verb.startsWith('have') || verb.startsWith('leave') ? '' : 'be ';
    return { ok: false, reason: `A number that is ${from} cannot ${be}${verb}.${hints[from] ? ` ${hints[from]}` : ''}` };
  }
  return { ok: true, to: rule.to(context) };
}

/** The statuses an action may start from: used to pick rows in set-based updates. */
export function allowedFrom(action: LifecycleAction): readonly NumberStatus[] {
  return rules[action].from;
}
