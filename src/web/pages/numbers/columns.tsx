import type { ReactNode } from 'react';
import type { ColumnIdOf } from '../../../core/table-columns.ts';
import type { NumberSort } from '../../api/inventory.ts';
import type { NumberDto } from '../../api/types.ts';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { formatDate, formatDateTime } from '../../lib/format.ts';
import { kindLabel } from '../../lib/inventory.ts';

export type ColumnId = ColumnIdOf<'numbers'>;

export type Lookup = { rangeName: (id: string | null) => string; siteName: (id: string | null) => string };

export type Column = { id: ColumnId; label: string; sort?: NumberSort; width: string; render: (n: NumberDto, lookup: Lookup) => ReactNode };

const dash = <span className="text-zinc-400">—</span>;

export const columns: Column[] = [
  { id: 'status', label: 'Status', sort: 'status', width: 'w-28', render: (n) => <StatusBadge status={n.status} /> },
  { id: 'kind', label: 'Kind', width: 'w-36', render: (n) => kindLabel(n.kind) },
  {
    id: 'systems',
    label: 'Used by',
    width: 'w-32',
    // One DID on both a Teams user and the same person's 3CX extension (docs/decisions/0006) says so in words.
    render: (n) =>
      n.linkedExtension ? (
        <span className="inline-block rounded bg-indigo-50 px-1.5 py-0.5 text-xs font-medium text-indigo-800 ring-1 ring-indigo-200 ring-inset" data-testid="shared-badge">
          Teams + 3CX
        </span>
      ) : n.assignee ? (
        <span className="text-xs text-zinc-700">{n.assignee.type === 'teams_user' ? 'Teams' : '3CX'}</span>
      ) : (
        dash
      ),
  },
  { id: 'displayName', label: 'Display name', width: 'w-40', render: (n) => <span className="block truncate">{n.displayName || dash}</span> },
  {
    id: 'country',
    label: 'Country / usage',
    width: 'w-32',
    render: (n) => (
      <span className="text-xs whitespace-nowrap" title={n.usageLocation ? `Number of ${n.country || 'no country'}, used in ${n.usageLocation}` : undefined}>
        {n.country || '—'}
        {n.usageLocation && n.usageLocation !== n.country ? ` · used in ${n.usageLocation}` : ''}
      </span>
    ),
  },
  {
    id: 'assignee',
    label: 'Assignee',
    sort: 'assignee',
    width: 'w-56',
    render: (n) =>
      n.assignee ? (
        <>
          <span className="block truncate text-zinc-900">{n.assignee.name ?? n.assignee.upn ?? n.assignee.id}</span>
          {n.assignee.name && (n.assignee.upn ?? n.assignee.id) ? <span className="block truncate text-xs text-zinc-500">{n.assignee.upn ?? n.assignee.id}</span> : null}
          {n.linkedExtension ? <span className="block truncate text-xs text-zinc-500">and 3CX extension {n.linkedExtension.id}</span> : null}
        </>
      ) : n.reservation?.reason ? (
        <span className="block truncate text-xs text-zinc-500" title={n.reservation.reason}>
          Reserved: {n.reservation.reason}
        </span>
      ) : (
        dash
      ),
  },
  { id: 'range', label: 'Range', width: 'w-40', render: (n, l) => <span className="block truncate">{l.rangeName(n.rangeId) || dash}</span> },
  { id: 'site', label: 'Site', width: 'w-36', render: (n, l) => <span className="block truncate">{l.siteName(n.siteId) || dash}</span> },
  { id: 'carrier', label: 'Carrier', width: 'w-32', render: (n) => <span className="block truncate">{n.carrier || dash}</span> },
  {
    id: 'tags',
    label: 'Tags',
    width: 'w-44',
    render: (n) =>
      n.tags.length ? (
        <span className="block truncate" title={n.tags.join(', ')}>
          {n.tags.map((t) => (
            <span key={t} className="mr-1 inline-block rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-700 ring-1 ring-zinc-200 ring-inset">
              {t}
            </span>
          ))}
        </span>
      ) : (
        dash
      ),
  },
  {
    id: 'reservation',
    label: 'Reserved until',
    width: 'w-36',
    render: (n) => (n.reservation?.until ? formatDate(n.reservation.until) : n.coolingUntil ? <span className="text-xs">Cooling until {formatDate(n.coolingUntil)}</span> : dash),
  },
  { id: 'notes', label: 'Notes', width: 'w-56', render: (n) => <span className="block truncate" title={n.notes}>{n.notes || dash}</span> },
  { id: 'updatedAt', label: 'Updated', sort: 'updatedAt', width: 'w-40', render: (n) => <span className="whitespace-nowrap">{formatDateTime(n.updatedAt)}</span> },
];

export const defaultColumns: ColumnId[] = ['status', 'kind', 'systems', 'assignee', 'range', 'site', 'tags', 'updatedAt'];
