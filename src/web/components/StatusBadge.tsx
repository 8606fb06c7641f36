import type { NumberStatus } from '../api/types.ts';
import { statusLabel, statusTones } from '../lib/inventory.ts';
import { Badge } from './Badge.tsx';

/** A number's status: coloured, and always named in words. */
export function StatusBadge({ status }: { status: NumberStatus }) {
  return <Badge tone={statusTones[status] ?? 'neutral'}>{statusLabel(status)}</Badge>;
}
