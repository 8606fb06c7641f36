import { useMutation, useQuery } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { facetsQuery, rangesQuery, sitesQuery, tenantApi } from '../../api/inventory.ts';
import type { NumberDto } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { CopyButton } from '../../components/CopyButton.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';
import { fieldError } from '../../lib/errors.ts';
import { useFocusFirstInvalid } from '../../lib/focus.ts';
import { formatCount, dateInputValue, endOfLocalDay, TICKET } from '../../lib/inventory.ts';
import { formatDate } from '../../lib/format.ts';
import { useNumberChanged } from './number-cache.ts';

type From = 'range' | 'site' | 'tag';

function NextFreeForm({ tenantId, onClose, onOpen }: { tenantId: string; onClose: () => void; onOpen: (numberId: string) => void }) {
  const ranges = useQuery(rangesQuery(tenantId));
  const sites = useQuery(sitesQuery(tenantId));
  const facets = useQuery(facetsQuery(tenantId));
  const changed = useNumberChanged(tenantId);
  const [from, setFrom] = useState<From>('range');
  const [source, setSource] = useState('');
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState(dateInputValue(30));
  const [ticketId, setTicketId] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const allocate = useMutation({
    mutationFn: (body: unknown) => api.post<NumberDto>(`${tenantApi(tenantId)}/numbers/allocate`, body),
    onSuccess: (n) => changed(n, { refetchLists: true }),
  });

  const options =
    from === 'range'
      ? (ranges.data ?? []).map((r) => ({ value: r.id, label: `${r.name} (${formatCount(r.counts.available ?? 0)} available)` }))
      : from === 'site'
        ? (sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))
        : (facets.data?.tags ?? []).map((t) => ({ value: t, label: t }));

  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, allocate.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    const end = endOfLocalDay(until);
    if (!source) problems.source = `Choose a ${from}.`;
    if (!reason.trim()) problems.reason = 'Say who or what the number is for.';
    if (!end) problems.until = 'Choose the last day of the reservation.';
    else if (new Date(end) <= new Date()) problems.until = 'The reservation must end in the future.';
    if (ticketId.trim() && !TICKET.test(ticketId.trim())) problems.ticketId = 'A ticket number is digits only, e.g. 123456.';
    setLocal(problems);
    if (Object.keys(problems).length > 0) return;
    const fromBody = from === 'range' ? { rangeId: source } : from === 'site' ? { siteId: source } : { tag: source };
    allocate.mutate({ from: fromBody, reason: reason.trim(), until: end, ticketId: ticketId.trim() || null });
  };

  if (allocate.data) {
    const n = allocate.data;
    return (
      <div className="space-y-4" data-testid="allocated-number">
        <div role="status" className="rounded-md border border-green-200 bg-green-50 p-4">
          <p className="text-sm text-green-900">Reserved for you:</p>
          <p className="mt-1 font-mono text-2xl font-semibold text-zinc-900">{n.e164}</p>
          <p className="text-sm text-zinc-700">{n.national}</p>
          <p className="mt-2 text-xs text-zinc-600">Until {formatDate(n.reservation?.until)}. Nobody else gets this number meanwhile.</p>
        </div>
        <div className="flex flex-wrap justify-end gap-2">
          <CopyButton value={n.e164} label="Copy number" />
          <Button onClick={onClose}>Done</Button>
          <Button variant="primary" onClick={() => onOpen(n.id)} data-autofocus>
            Open number
          </Button>
        </div>
      </div>
    );
  }

  const err = allocate.error;
  return (
    <form ref={formRef} onSubmit={onSubmit} className="space-y-4" noValidate>
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Take it from"
          name="from"
          value={from}
          onChange={(e) => {
            setFrom(e.target.value as From);
            setSource('');
          }}
          data-autofocus
        >
          <option value="range">A range</option>
          <option value="site">A site</option>
          <option value="tag">A tag</option>
        </SelectField>
        <SelectField label={from === 'range' ? 'Range' : from === 'site' ? 'Site' : 'Tag'} name="source" value={source} onChange={(e) => setSource(e.target.value)} error={local.source ?? fieldError(err, 'from')}>
          <option value="">{options.length ? 'Choose…' : `No ${from}s yet`}</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </SelectField>
      </div>
      <TextField label="Reason" name="reason" required maxLength={500} placeholder="e.g. New starter Jane Doe" value={reason} onChange={(e) => setReason(e.target.value)} error={local.reason ?? fieldError(err, 'reason')} />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="Reserved until" name="until" type="date" required min={dateInputValue(0)} value={until} onChange={(e) => setUntil(e.target.value)} error={local.until ?? fieldError(err, 'until')} />
        <TextField label="ConnectWise ticket (optional)" name="ticketId" inputMode="numeric" maxLength={12} autoComplete="off" value={ticketId} onChange={(e) => setTicketId(e.target.value)} error={local.ticketId ?? fieldError(err, 'ticketId')} />
      </div>
      <ErrorAlert error={allocate.error} fieldsShown />
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" busy={allocate.isPending}>
          Reserve next free number
        </Button>
      </div>
    </form>
  );
}

export function NextFreeDialog({ open, tenantId, onClose, onOpen }: { open: boolean; tenantId: string; onClose: () => void; onOpen: (numberId: string) => void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Next free number" description="Reserves the lowest available number of a range, site or tag. Two people never get the same one.">
      <NextFreeForm tenantId={tenantId} onClose={onClose} onOpen={onOpen} />
    </Dialog>
  );
}
