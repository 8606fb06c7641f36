import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { pickerNumbersQuery, PICKER_LIMIT } from '../../api/teams.ts';
import type { NumberDto } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { inputClass } from '../../components/Field.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { useDebouncedValue } from '../../lib/debounce.ts';
import { formatCount, kindLabel } from '../../lib/inventory.ts';

/**
 * Inventory numbers a Teams user can get (available or reserved, of a Teams kind), searchable,
 * as a group of radio buttons: arrow keys move through them, the choice is announced.
 */
export function NumberPicker({ tenantId, value, onChange, error }: { tenantId: string; value: NumberDto | null; onChange: (number: NumberDto) => void; error?: string | undefined }) {
  const [text, setText] = useState('');
  const term = useDebouncedValue(text.trim(), 250);
  const numbers = useQuery(pickerNumbersQuery(tenantId, term));
  const searchId = useId();
  const legendId = useId();
  const errorId = useId();
  const list = numbers.data?.numbers ?? [];
  const total = numbers.data?.total;
  // The chosen number stays listed (and chosen) while the search moves on.
  const shown = value && !list.some((n) => n.id === value.id) ? [value, ...list] : list;

  return (
    <div className="space-y-2 rounded-md border border-zinc-200 bg-zinc-50/60 p-3">
      <div className="space-y-1">
        <label htmlFor={searchId} className="block text-sm font-medium text-zinc-800">
          Find a number in the inventory
        </label>
        <input
          id={searchId}
          type="search"
          autoComplete="off"
          inputMode="search"
          placeholder="Digits, tag or notes"
          className={inputClass}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <p className="text-xs text-zinc-600">Available and reserved Direct Routing, Calling Plan and Operator Connect numbers.</p>
      </div>
      <ErrorAlert error={numbers.error} />
      <fieldset aria-describedby={error ? `${legendId} ${errorId}` : legendId} className="space-y-1">
        <legend className="sr-only">Inventory numbers</legend>
        <p id={legendId} className="text-xs font-medium text-zinc-600" aria-live="polite">
          {numbers.isPending
            ? 'Loading numbers…'
            : list.length === 0
              ? 'No free numbers match.'
              : total !== undefined && total > list.length
                ? `Showing ${formatCount(list.length)} of ${formatCount(total)} numbers: search to narrow them down`
                : `${formatCount(list.length)} ${list.length === 1 ? 'number' : 'numbers'}`}
        </p>
        <ul className={`max-h-64 space-y-1 overflow-y-auto ${numbers.isFetching ? 'opacity-70' : ''}`} data-testid="number-picker">
          {shown.slice(0, PICKER_LIMIT + 1).map((n) => (
            <li key={n.id}>
              <label className="flex cursor-pointer items-start gap-2.5 rounded-md border border-zinc-200 bg-white px-3 py-2 text-sm has-[:checked]:border-blue-500 has-[:checked]:bg-blue-50">
                <input type="radio" name={`${searchId}-number`} value={n.id} checked={value?.id === n.id} onChange={() => onChange(n)} className="mt-1 accent-blue-700" />
                <span className="min-w-0 flex-1">
                  <span className="flex flex-wrap items-center gap-2">
                    <span className="font-mono font-medium text-zinc-900">{n.e164}</span>
                    <span className="text-xs text-zinc-600">{kindLabel(n.kind)}</span>
                    <StatusBadge status={n.status} />
                  </span>
                  {n.reservation ? <span className="block text-xs text-amber-900">Reserved: {n.reservation.reason}</span> : null}
                  {n.notes ? <span className="block truncate text-xs text-zinc-600">{n.notes}</span> : null}
                </span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {error ? (
        <p id={errorId} className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
