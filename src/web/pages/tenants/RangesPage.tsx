import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useId, useRef, useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { facetsQuery, inventoryKeys, numberKinds, rangesQuery, sitesQuery, tenantApi } from '../../api/inventory.ts';
import type { NumberKind, RangeDto } from '../../api/types.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { UtilisationBar } from '../../components/Charts.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { ChoiceField, TextField } from '../../components/Field.tsx';
import { Section } from '../../components/Section.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { fieldError } from '../../lib/errors.ts';
import { useFocusFirstInvalid } from '../../lib/focus.ts';
import { formatCount, kindLabel, kindLabels, statusLabel } from '../../lib/inventory.ts';
import { useTenant } from './tenant-context.ts';

function CreateRangeForm({ tenantId, onDone, onCancel }: { tenantId: string; onDone: (range: RangeDto) => void; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const sites = useQuery(sitesQuery(tenantId));
  const facets = useQuery(facetsQuery(tenantId));
  const carriersId = useId();
  const [name, setName] = useState('');
  const [start, setStart] = useState('');
  const [by, setBy] = useState<'count' | 'end' | 'pattern'>('count');
  const [pattern, setPattern] = useState('');
  const [end, setEnd] = useState('');
  const [count, setCount] = useState('100');
  const [kind, setKind] = useState<NumberKind>('direct_routing');
  const [carrier, setCarrier] = useState('');
  const [siteId, setSiteId] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: () =>
      api.post<RangeDto>(`${tenantApi(tenantId)}/ranges`, {
        name: name.trim(),
        ...(by === 'pattern' ? { pattern: pattern.trim() } : { start: start.trim(), ...(by === 'end' ? { end: end.trim() } : { count: Number(count) }) }),
        kind,
        ...(carrier.trim() ? { carrier: carrier.trim() } : {}),
        siteId: siteId || null,
      }),
    onSuccess: async (range) => {
      await queryClient.invalidateQueries({ queryKey: inventoryKeys.inventory(tenantId) });
      onDone(range);
    },
  });
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, create.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!name.trim()) problems.name = 'Give the range a name.';
    if (by !== 'pattern' && !start.trim()) problems.start = 'Enter the first number, e.g. +1 415 555 0100.';
    if (by === 'pattern' && !pattern.trim()) problems.pattern = 'Write + and the fixed digits, then an x for each free digit, e.g. +1 555 123 xxxx.';
    if (by === 'end' && !end.trim()) problems.end = 'Enter the last number.';
    if (by === 'count' && !(/^\d+$/.test(count) && Number(count) >= 1 && Number(count) <= 100_000)) problems.count = 'A whole number from 1 to 100,000.';
    setLocal(problems);
    if (Object.keys(problems).length === 0) create.mutate();
  };
  const err = create.error;
  return (
    <form ref={formRef} onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField label="Name" name="name" required maxLength={120} autoComplete="off" placeholder="e.g. Seattle main block" value={name} onChange={(e) => setName(e.target.value)} error={local.name ?? fieldError(err, 'name')} data-autofocus />
      {by === 'pattern' ? null : (
      <TextField
        label="First number"
        name="start"
        required
        autoComplete="off"
        inputMode="tel"
        placeholder="+1 415 555 0100"
        hint="E.164 (+country code and number); spaces and dashes are fine."
        value={start}
        onChange={(e) => setStart(e.target.value)}
        error={local.start ?? fieldError(err, 'start')}
      />
      )}
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-zinc-800">Size</legend>
        <div className="flex gap-4 text-sm">
          <label className="flex items-center gap-1.5">
            <input type="radio" name="by" value="count" checked={by === 'count'} onChange={() => setBy('count')} className="accent-blue-700" />
            How many numbers
          </label>
          <label className="flex items-center gap-1.5">
            <input type="radio" name="by" value="end" checked={by === 'end'} onChange={() => setBy('end')} className="accent-blue-700" />
            Last number
          </label>
          <label className="flex items-center gap-1.5">
            <input type="radio" name="by" value="pattern" checked={by === 'pattern'} onChange={() => setBy('pattern')} className="accent-blue-700" />
            From a pattern
          </label>
        </div>
        {by === 'pattern' ? (
          <TextField
            label="Pattern"
            name="pattern"
            autoComplete="off"
            placeholder="+1 555 123 xxxx"
            hint="The fixed digits, then an x for each free digit (at most 8). Numbers are added to the inventory as they are handed out."
            value={pattern}
            onChange={(e) => setPattern(e.target.value)}
            error={local.pattern ?? fieldError(err, 'pattern')}
          />
        ) : by === 'count' ? (
          <TextField label="Count" name="count" type="number" inputMode="numeric" min={1} max={100_000} value={count} onChange={(e) => setCount(e.target.value)} error={local.count ?? fieldError(err, 'count')} />
        ) : (
          <TextField label="Last number" name="end" autoComplete="off" inputMode="tel" placeholder="+1 415 555 0199" value={end} onChange={(e) => setEnd(e.target.value)} error={local.end ?? fieldError(err, 'end')} />
        )}
      </fieldset>
      <div className="grid gap-4 sm:grid-cols-2">
        <ChoiceField label="Kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value as NumberKind)} error={fieldError(err, 'kind')} choices={numberKinds.map((k) => ({ value: k, label: kindLabels[k] }))} />
        <TextField label="Carrier" name="carrier" list={carriersId} autoComplete="off" maxLength={100} value={carrier} onChange={(e) => setCarrier(e.target.value)} error={fieldError(err, 'carrier')} />
        <datalist id={carriersId}>
          {facets.data?.carriers.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <ChoiceField label="Site" name="siteId" value={siteId} onChange={(e) => setSiteId(e.target.value)} error={fieldError(err, 'siteId')} className="sm:col-span-2" empty="No site" choices={sites.data?.map((s) => ({ value: s.id, label: s.name })) ?? []} />
      </div>
      <ErrorAlert error={create.error} fieldsShown />
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={create.isPending}>
          Create range
        </Button>
      </div>
    </form>
  );
}

export function RangesPage() {
  const { tenant, canWrite } = useTenant();
  const ranges = useQuery(rangesQuery(tenant.id));
  const sites = useQuery(sitesQuery(tenant.id));
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<RangeDto | null>(null);
  const siteName = (id: string | null) => (id ? (sites.data?.find((s) => s.id === id)?.name ?? '') : '');

  return (
    <Section
      title="Ranges"
      description="Blocks of consecutive numbers. Creating a range adds all its numbers as available; a range given as a pattern (+1 555 123 xxxx) adds each number when it is handed out."
      actions={
        canWrite ? (
          <Button variant="primary" onClick={() => setCreating(true)}>
            Add range
          </Button>
        ) : null
      }
    >
      {created ? (
        <Notice className="mb-4">
          {created.pattern
            ? `Range “${created.name}” created for the pattern ${created.pattern}: ${formatCount(created.size)} numbers, each added to the inventory when it is handed out.`
            : `Range “${created.name}” created with ${formatCount(created.size)} numbers (${created.startE164} – ${created.endE164}).`}
        </Notice>
      ) : null}
      <ErrorAlert error={ranges.error} />
      {ranges.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {ranges.data?.length === 0 ? <p className="text-sm text-zinc-600">No ranges yet.</p> : null}
      {ranges.data && ranges.data.length > 0 ? (
        <Table caption="Ranges">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Numbers</Th>
              <Th>Kind</Th>
              <Th>Carrier</Th>
              <Th>Site</Th>
              <Th>By status</Th>
              <Th>Utilisation</Th>
            </tr>
          </thead>
          <tbody className="bg-white">
            {ranges.data.map((r) => (
              <tr key={r.id} data-testid="range-row">
                <Td>
                  <Link to="/tenants/$tenantId/numbers" params={{ tenantId: tenant.id }} search={{ rangeId: r.id }} className="rounded font-medium text-blue-700 hover:underline" aria-label={`Numbers in ${r.name}`}>
                    {r.name}
                  </Link>
                </Td>
                <Td className="whitespace-nowrap">
                  <span className="font-mono text-xs">
                    {r.startE164} – {r.endE164}
                  </span>
                  {r.pattern ? <span className="block font-mono text-xs text-zinc-700">Pattern {r.pattern}</span> : null}
                  <span className="block text-xs text-zinc-500" data-testid="range-capacity">
                    {formatCount(r.size)} numbers · {formatCount(r.used)} used ({r.percentUsed} %)
                  </span>
                </Td>
                <Td>{kindLabel(r.kind)}</Td>
                <Td>{r.carrier || <span className="text-zinc-400">—</span>}</Td>
                <Td>{siteName(r.siteId) || <span className="text-zinc-400">—</span>}</Td>
                <Td className="text-xs whitespace-nowrap">
                  {Object.entries(r.counts)
                    .filter(([, n]) => n > 0)
                    .map(([s, n]) => `${statusLabel(s)} ${formatCount(n)}`)
                    .join(' · ') || '—'}
                </Td>
                <Td>
                  <UtilisationBar counts={r.counts} size={r.size} utilisation={r.utilisation} label={r.name} />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
      <Dialog open={creating} onClose={() => setCreating(false)} title="Add a range" description="All numbers from the first to the last become available in the inventory; with a pattern, each number joins the inventory when it is handed out.">
        <CreateRangeForm
          tenantId={tenant.id}
          onCancel={() => setCreating(false)}
          onDone={(range) => {
            setCreated(range);
            setCreating(false);
          }}
        />
      </Dialog>
    </Section>
  );
}
