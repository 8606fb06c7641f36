import type { NumberKind, NumberStatus } from '../api/types.ts';

export const statusLabels: Record<NumberStatus, string> = {
  available: 'Available',
  reserved: 'Reserved',
  assigned: 'Assigned',
  cooling: 'Cooling',
  blocked: 'Blocked',
  retired: 'Retired',
};

export type StatusTone = 'green' | 'amber' | 'blue' | 'violet' | 'red' | 'neutral';

export const statusTones: Record<NumberStatus, StatusTone> = {
  available: 'green',
  reserved: 'amber',
  assigned: 'blue',
  cooling: 'violet',
  blocked: 'red',
  retired: 'neutral',
};

/** Fill colours for charts (each status is also named in text next to it). */
export const statusColors: Record<NumberStatus, string> = {
  available: '#15803d',
  reserved: '#b45309',
  assigned: '#1d4ed8',
  cooling: '#7c3aed',
  blocked: '#b91c1c',
  retired: '#71717a',
};

export const kindLabels: Record<NumberKind, string> = {
  direct_routing: 'Direct Routing',
  calling_plan: 'Calling Plan',
  operator_connect: 'Operator Connect',
  threecx_did: '3CX DID',
  toll_free: 'Toll-free',
  service: 'Service number',
  extension_only: 'Extension only',
};

export function statusLabel(status: string): string {
  return statusLabels[status as NumberStatus] ?? status;
}

export function kindLabel(kind: string): string {
  return kindLabels[kind as NumberKind] ?? kind;
}

export type LifecycleAction = 'reserve' | 'assign' | 'cancel_reservation' | 'release' | 'block' | 'unblock' | 'retire' | 'restore';

/** What a person may do from each status (the server's state machine has the final word). */
export const actionsByStatus: Record<NumberStatus, LifecycleAction[]> = {
  available: ['reserve', 'assign', 'block', 'retire'],
  reserved: ['assign', 'cancel_reservation', 'block'],
  assigned: ['release'],
  cooling: ['block', 'retire'],
  blocked: ['unblock', 'retire'],
  retired: ['restore'],
};

export const actionLabels: Record<LifecycleAction, string> = {
  reserve: 'Reserve',
  assign: 'Assign',
  cancel_reservation: 'Cancel reservation',
  release: 'Release',
  block: 'Block',
  unblock: 'Unblock',
  retire: 'Retire',
  restore: 'Restore',
};

/** Audit actions of a number's timeline, in words. */
const historyLabels: Record<string, string> = {
  'number.created': 'Added',
  'number.updated': 'Details changed',
  'number.reserve': 'Reserved',
  'number.assign': 'Assigned',
  'number.cancel_reservation': 'Reservation cancelled',
  'number.release': 'Released',
  'number.block': 'Blocked',
  'number.unblock': 'Unblocked',
  'number.retire': 'Retired',
  'number.restore': 'Restored',
  'number.expire_cooling': 'Cooling ended',
  'number.expire_reservation': 'Reservation expired',
  'number.claim': 'Held for a Teams assignment',
  'number.reclaim': 'Held again for a revert',
  'number.assignment_rolled_back': 'Teams refused: back as before',
  'number.reconciled': 'Matched to Teams or 3CX (reconcile)',
  'number.assignee_renamed': 'Extension renumbered',
  'number.emergency_location_set': 'Emergency location set',
  'number.emergency_location_read': 'Emergency location read from Teams',
};

export function historyLabel(action: string): string {
  return historyLabels[action] ?? action;
}

export function formatCount(n: number): string {
  return n.toLocaleString();
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** A date input's value (YYYY-MM-DD, local) some days from now. */
export function dateInputValue(daysFromNow: number): string {
  const d = new Date(Date.now() + daysFromNow * 86_400_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The end of a chosen day in the operator's own time zone, as an ISO instant. */
export function endOfLocalDay(date: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const d = new Date(`${date}T23:59:59`);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export const TICKET = /^\d{1,12}$/;
