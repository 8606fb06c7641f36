import { useMutation, useQuery } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { numberKinds, rangesQuery, sitesQuery, tenantApi } from '../../api/inventory.ts';
import type { NumberDto, NumberKind } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { ChoiceField, TextField } from '../../components/Field.tsx';
import { fieldError } from '../../lib/errors.ts';
import { useFocusFirstInvalid } from '../../lib/focus.ts';
import { kindLabels } from '../../lib/inventory.ts';
import { useNumberChanged } from './number-cache.ts';
import { parseTags } from './NumberDrawer.tsx';

function AddNumberForm({ tenantId, onClose, onAdded }: { tenantId: string; onClose: () => void; onAdded: (n: NumberDto) => void }) {
  const ranges = useQuery(rangesQuery(tenantId));
  const sites = useQuery(sitesQuery(tenantId));
  const changed = useNumberChanged(tenantId);
  const [number, setNumber] = useState('');
  const [kind, setKind] = useState<NumberKind>('direct_routing');
  const [carrier, setCarrier] = useState('');
  const [siteId, setSiteId] = useState('');
  const [rangeId, setRangeId] = useState('');
  const [tags, setTags] = useState('');
  const [missing, setMissing] = useState(false);
  const add = useMutation({
    mutationFn: () =>
      api.post<NumberDto>(`${tenantApi(tenantId)}/numbers`, { number: number.trim(), kind, carrier: carrier.trim(), siteId: siteId || null, rangeId: rangeId || null, tags: parseTags(tags) }),
    onSuccess: async (n) => {
      await changed(n, { refetchLists: true });
      onAdded(n);
    },
  });
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, add.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setMissing(!number.trim());
    if (number.trim()) add.mutate();
  };
  const err = add.error;
  return (
    <form ref={formRef} onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField
        label="Number"
        name="number"
        required
        inputMode="tel"
        autoComplete="off"
        placeholder="+1 415 555 0100"
        hint="E.164; an extension can follow as “x123”."
        value={number}
        onChange={(e) => setNumber(e.target.value)}
        error={missing ? 'Enter the number.' : fieldError(err, 'number', { number_exists: 'number' })}
        data-autofocus
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <ChoiceField label="Kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value as NumberKind)} choices={numberKinds.map((k) => ({ value: k, label: kindLabels[k] }))} />
        <TextField label="Carrier" name="carrier" maxLength={100} autoComplete="off" value={carrier} onChange={(e) => setCarrier(e.target.value)} />
        <ChoiceField label="Range" name="rangeId" value={rangeId} onChange={(e) => setRangeId(e.target.value)} error={fieldError(err, 'rangeId')} empty="No range" choices={ranges.data?.map((r) => ({ value: r.id, label: r.name })) ?? []} />
        <ChoiceField label="Site" name="siteId" value={siteId} onChange={(e) => setSiteId(e.target.value)} error={fieldError(err, 'siteId')} empty="No site" choices={sites.data?.map((s) => ({ value: s.id, label: s.name })) ?? []} />
      </div>
      <TextField label="Tags" name="tags" autoComplete="off" hint="Separate tags with commas." value={tags} onChange={(e) => setTags(e.target.value)} />
      <ErrorAlert error={add.error} fieldsShown />
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" busy={add.isPending}>
          Add number
        </Button>
      </div>
    </form>
  );
}

export function AddNumberDialog({ open, tenantId, onClose, onAdded }: { open: boolean; tenantId: string; onClose: () => void; onAdded: (n: NumberDto) => void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Add a number" description="One number, as available. For many, create a range or import a CSV.">
      <AddNumberForm tenantId={tenantId} onClose={onClose} onAdded={onAdded} />
    </Dialog>
  );
}
