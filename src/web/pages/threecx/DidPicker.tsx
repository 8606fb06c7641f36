import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { pickerDidsQuery } from '../../api/threecx.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { inputClass } from '../../components/Field.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { useDebouncedValue } from '../../lib/debounce.ts';

export type DidPick = { kind: 'keep' } | { kind: 'none' } | { kind: 'number'; numberId: string; e164: string };

/** Free 3CX DIDs of the inventory as radio buttons, plus "keep" (when editing) and "no DID". */
export function DidPicker({ tenantId, value, onChange, current }: { tenantId: string; value: DidPick; onChange: (pick: DidPick) => void; current: string | null }) {
  const [text, setText] = useState('');
  const term = useDebouncedValue(text.trim(), 250);
  const numbers = useQuery(pickerDidsQuery(tenantId, term));
  const list = numbers.data?.numbers ?? [];
  const radio = 'flex cursor-pointer items-center gap-2.5 rounded-md border border-zinc-200 bg-white px-3 py-2 text-sm has-[:checked]:border-blue-500 has-[:checked]:bg-blue-50';
  return (
    <fieldset className="space-y-2 rounded-md border border-zinc-200 bg-zinc-50/60 p-3">
      <legend className="px-1 text-sm font-medium text-zinc-800">DID from the inventory</legend>
      <input type="search" aria-label="Find a DID" placeholder="Digits, tag or notes" className={inputClass} value={text} onChange={(e) => setText(e.target.value)} />
      <ErrorAlert error={numbers.error} />
      <ul className="max-h-56 space-y-1 overflow-y-auto" data-testid="did-picker">
        {current ? (
          <li>
            <label className={radio}>
              <input type="radio" name="did" className="accent-blue-700" checked={value.kind === 'keep'} onChange={() => onChange({ kind: 'keep' })} />
              Keep {current}
            </label>
          </li>
        ) : null}
        <li>
          <label className={radio}>
            <input type="radio" name="did" className="accent-blue-700" checked={value.kind === 'none'} onChange={() => onChange({ kind: 'none' })} />
            No DID
          </label>
        </li>
        {list.map((n) => (
          <li key={n.id}>
            <label className={radio}>
              <input type="radio" name="did" value={n.e164} className="accent-blue-700" checked={value.kind === 'number' && value.numberId === n.id} onChange={() => onChange({ kind: 'number', numberId: n.id, e164: n.e164 })} />
              <span className="font-mono">{n.e164}</span>
              <StatusBadge status={n.status} />
              {n.carrier ? <span className="text-xs text-zinc-600">{n.carrier}</span> : null}
            </label>
          </li>
        ))}
      </ul>
      <p className="text-xs text-zinc-600">{numbers.isPending ? 'Loading DIDs…' : list.length === 0 ? 'No free 3CX DID in the inventory matches. Import the PBX’s DIDs from Reconcile.' : 'The DID becomes the extension’s outbound caller id and is assigned to it in the inventory.'}</p>
    </fieldset>
  );
}
