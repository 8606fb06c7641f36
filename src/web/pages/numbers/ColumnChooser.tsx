import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api/client.ts';
import { inventoryKeys } from '../../api/inventory.ts';
import { columns, defaultColumns, type ColumnId } from './columns.tsx';

export const COLUMNS_PREFERENCE = 'numbers.columns';

/** Pick the visible columns; the choice is saved to the operator's preferences at once. */
export function ColumnChooser({ visible, onChange }: { visible: ColumnId[]; onChange: (ids: ColumnId[]) => void }) {
  const queryClient = useQueryClient();
  const ref = useRef<HTMLDetailsElement>(null);
  const [status, setStatus] = useState('');
  const save = useMutation({
    mutationFn: (ids: ColumnId[]) => api.put(`/api/me/preferences/${COLUMNS_PREFERENCE}`, { value: ids }),
    onMutate: () => setStatus('Saving…'),
    onSuccess: (_saved, ids) => {
      queryClient.setQueryData(inventoryKeys.preference(COLUMNS_PREFERENCE), ids);
      setStatus('Columns saved');
    },
    onError: () => setStatus('Could not save the columns; they apply until you reload.'),
  });

  // Close on a click outside or Escape, like a menu.
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      if (ref.current?.open && e.target instanceof Node && !ref.current.contains(e.target)) ref.current.open = false;
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && ref.current?.open) {
        ref.current.open = false;
        ref.current.querySelector('summary')?.focus();
      }
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, []);

  const choose = (ids: ColumnId[]) => {
    // Shown at once; saved in the background.
    onChange(ids);
    save.mutate(ids);
  };
  const toggle = (id: ColumnId, on: boolean) => choose(columns.map((c) => c.id).filter((c) => (c === id ? on : visible.includes(c))));

  return (
    <details ref={ref} className="relative">
      <summary className="inline-flex cursor-pointer list-none items-center gap-1.5 rounded-md border border-zinc-300 bg-white px-3.5 py-2 text-sm font-medium text-zinc-800 shadow-xs hover:bg-zinc-50 [&::-webkit-details-marker]:hidden">
        Columns
        <span aria-hidden="true" className="text-xs text-zinc-500">
          ▾
        </span>
      </summary>
      <div className="absolute right-0 z-10 mt-1 w-56 rounded-md border border-zinc-200 bg-white p-3 shadow-lg">
        <fieldset>
          <legend className="mb-2 text-xs font-semibold tracking-wide text-zinc-500 uppercase">Visible columns</legend>
          <ul className="space-y-1.5">
            <li className="flex items-center gap-2 text-sm text-zinc-500">
              <input type="checkbox" checked disabled className="size-4" id="col-number" />
              <label htmlFor="col-number">Number (always)</label>
            </li>
            {columns.map((c) => (
              <li key={c.id} className="flex items-center gap-2 text-sm text-zinc-800">
                <input type="checkbox" id={`col-${c.id}`} className="size-4 accent-blue-700" checked={visible.includes(c.id)} onChange={(e) => toggle(c.id, e.target.checked)} />
                <label htmlFor={`col-${c.id}`}>{c.label}</label>
              </li>
            ))}
          </ul>
        </fieldset>
        <button type="button" className="mt-3 rounded text-xs font-medium text-blue-700 hover:underline" onClick={() => choose(defaultColumns)}>
          Reset to default
        </button>
        <p aria-live="polite" className="mt-1 min-h-4 text-xs text-zinc-500">
          {status}
        </p>
      </div>
    </details>
  );
}
