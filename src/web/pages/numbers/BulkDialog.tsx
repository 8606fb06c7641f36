import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client.ts';
import { inventoryKeys, numberKinds, sitesQuery, tenantApi } from '../../api/inventory.ts';
import type { BulkReportDto, NumberKind } from '../../api/types.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { ChoiceField, TextAreaField, TextField } from '../../components/Field.tsx';
import { fieldError } from '../../lib/errors.ts';
import { actionLabels, formatCount, kindLabel, kindLabels, plural, statusLabel, TICKET } from '../../lib/inventory.ts';

/** What the bulk action acts on: chosen rows, or every number matching the list's filter (across pages). */
export type BulkSelection = { ids: string[] } | { filter: Record<string, unknown>; count: number };

const bulkStatusActions = ['cancel_reservation', 'release', 'block', 'unblock', 'retire', 'restore'] as const;
type Refusal = BulkReportDto['refused'][number];

const splitTags = (text: string) => [...new Set(text.split(/[,;]/).map((t) => t.trim()).filter(Boolean))];

function selectionWords(selection: BulkSelection): string {
  return 'ids' in selection ? `${plural(selection.ids.length, 'chosen number')}` : `all ${plural(selection.count, 'number')} matching this filter`;
}

/**
 * Inventory bulk work: change status, kind, carrier, site, tags or notes of many numbers, or
 * delete them. The preview shows what changes before anything does; apply is all or nothing.
 */
export function BulkDialog({ open, tenantId, selection, operation, onClose, onDone }: { open: boolean; tenantId: string; selection: BulkSelection; operation: 'update' | 'delete'; onClose: () => void; onDone: (report: BulkReportDto) => void }) {
  return (
    <Dialog open={open} onClose={onClose} wide title={operation === 'delete' ? 'Delete numbers' : 'Change numbers'} description={`Acts on ${selectionWords(selection)}. Preview first: nothing changes until you apply, and then all of it or nothing.`}>
      <BulkForm tenantId={tenantId} selection={selection} operation={operation} onClose={onClose} onDone={onDone} />
    </Dialog>
  );
}

function BulkForm({ tenantId, selection, operation, onClose, onDone }: { tenantId: string; selection: BulkSelection; operation: 'update' | 'delete'; onClose: () => void; onDone: (report: BulkReportDto) => void }) {
  const queryClient = useQueryClient();
  const sites = useQuery(sitesQuery(tenantId));
  const [status, setStatus] = useState('');
  const [kind, setKind] = useState('');
  const [carrier, setCarrier] = useState('');
  const [changeCarrier, setChangeCarrier] = useState(false);
  const [site, setSite] = useState('');
  const [addTags, setAddTags] = useState('');
  const [removeTags, setRemoveTags] = useState('');
  const [notes, setNotes] = useState('');
  const [changeNotes, setChangeNotes] = useState(false);
  const [ticketId, setTicketId] = useState('');
  const [preview, setPreview] = useState<BulkReportDto | null>(null);
  const [local, setLocal] = useState<string | null>(null);

  const body = (mode: 'preview' | 'apply') => {
    const change: Record<string, unknown> = {};
    if (status) change.status = status;
    if (kind) change.kind = kind;
    if (changeCarrier) change.carrier = carrier.trim();
    if (site) change.siteId = site === 'none' ? null : site;
    if (splitTags(addTags).length) change.addTags = splitTags(addTags);
    if (splitTags(removeTags).length) change.removeTags = splitTags(removeTags);
    if (changeNotes) change.notes = notes;
    return {
      mode,
      selection: 'ids' in selection ? { ids: selection.ids } : { filter: selection.filter },
      operation: operation === 'delete' ? { type: 'delete' } : { type: 'update', change },
      ticketId: ticketId.trim() || null,
    };
  };

  const run = useMutation({
    mutationFn: (mode: 'preview' | 'apply') => api.post<BulkReportDto>(`${tenantApi(tenantId)}/numbers/bulk`, body(mode)),
    onSuccess: async (report) => {
      if (report.mode === 'preview') {
        setPreview(report);
        return;
      }
      await queryClient.invalidateQueries({ queryKey: inventoryKeys.inventory(tenantId) });
      onDone(report);
    },
  });
  // The form changed after a preview: that preview no longer describes what apply would do.
  const edited = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setPreview(null);
    run.reset();
  };

  const onPreview = (event: FormEvent) => {
    event.preventDefault();
    if (ticketId.trim() && !TICKET.test(ticketId.trim())) return setLocal('A ticket number is digits only, e.g. 123456.');
    setLocal(null);
    run.mutate('preview');
  };

  const err = run.error;
  const refusedByApply = err instanceof ApiError && err.code === 'bulk_refused' ? ((err.details as { refused?: Refusal[] } | undefined)?.refused ?? []) : [];
  const refusals = preview?.refused.length ? preview.refused : refusedByApply;
  const refusedCount = preview?.refusedCount ?? (err instanceof ApiError ? ((err.details as { refusedCount?: number } | undefined)?.refusedCount ?? 0) : 0);
  const canApply = preview !== null && preview.refusedCount === 0 && preview.changing > 0;
  const siteName = (id: string | null) => (id ? (sites.data?.find((s) => s.id === id)?.name ?? 'another site') : 'no site');

  return (
    <form onSubmit={onPreview} className="space-y-4" noValidate>
      {operation === 'update' ? (
        <div className="grid gap-4 sm:grid-cols-2">
          <ChoiceField label="Status" name="status" value={status} onChange={(e) => edited(setStatus)(e.target.value)} empty="Leave as is" choices={bulkStatusActions.map((a) => ({ value: a, label: actionLabels[a] }))} data-autofocus />
          <ChoiceField label="Kind" name="kind" value={kind} onChange={(e) => edited(setKind)(e.target.value)} empty="Leave as is" choices={numberKinds.map((k) => ({ value: k, label: kindLabels[k as NumberKind] }))} />
          <div className="space-y-1">
            <label className="flex items-center gap-2 text-sm text-zinc-800">
              <input type="checkbox" name="changeCarrier" checked={changeCarrier} onChange={(e) => edited(setChangeCarrier)(e.target.checked)} /> Set the carrier
            </label>
            <TextField label="Carrier" name="carrier" maxLength={100} disabled={!changeCarrier} value={carrier} onChange={(e) => edited(setCarrier)(e.target.value)} error={fieldError(err, 'operation.change.carrier')} />
          </div>
          <ChoiceField
            label="Site"
            name="siteId"
            value={site}
            onChange={(e) => edited(setSite)(e.target.value)}
            empty="Leave as is"
            choices={[{ value: 'none', label: 'No site' }, ...(sites.data ?? []).map((s) => ({ value: s.id, label: s.name }))]}
            error={fieldError(err, 'operation.change.siteId')}
          />
          <TextField label="Add tags" name="addTags" hint="Separate tags with commas." value={addTags} onChange={(e) => edited(setAddTags)(e.target.value)} error={fieldError(err, 'operation.change.addTags')} />
          <TextField label="Remove tags" name="removeTags" hint="Separate tags with commas." value={removeTags} onChange={(e) => edited(setRemoveTags)(e.target.value)} />
          <div className="space-y-1 sm:col-span-2">
            <label className="flex items-center gap-2 text-sm text-zinc-800">
              <input type="checkbox" name="changeNotes" checked={changeNotes} onChange={(e) => edited(setChangeNotes)(e.target.checked)} /> Replace the notes
            </label>
            <TextAreaField label="Notes" name="notes" rows={2} maxLength={2000} disabled={!changeNotes} value={notes} onChange={(e) => edited(setNotes)(e.target.value)} />
          </div>
        </div>
      ) : (
        <p className="text-sm text-zinc-700">Deleted numbers leave the inventory; their history stays in the audit log. A number that is assigned is never deleted: release it first.</p>
      )}
      <TextField label="ConnectWise ticket (optional)" name="ticketId" inputMode="numeric" maxLength={12} placeholder="123456" value={ticketId} onChange={(e) => edited(setTicketId)(e.target.value)} error={local ?? fieldError(err, 'ticketId')} className="max-w-xs" />

      {err && !refusedByApply.length ? <ErrorAlert error={err} /> : null}
      {preview ? (
        <section aria-label="Preview" className="space-y-2 rounded-md border border-zinc-200 bg-zinc-50 p-3" data-testid="bulk-preview">
          <p className="text-sm text-zinc-800">
            <strong>{formatCount(preview.changing)}</strong> {operation === 'delete' ? 'to delete' : 'to change'} of {formatCount(preview.selected)} selected
            {preview.unchanged ? `; ${formatCount(preview.unchanged)} already as asked` : ''}
            {preview.refusedCount ? (
              <>
                ; <strong className="text-red-800">{formatCount(preview.refusedCount)} refuse</strong>
              </>
            ) : null}
            .
          </p>
          {preview.sample.length ? (
            <table className="w-full text-left text-xs">
              <caption className="sr-only">Sample of the change, before and after</caption>
              <thead>
                <tr className="text-zinc-600">
                  <th scope="col" className="py-1 pr-2">Number</th>
                  <th scope="col" className="py-1 pr-2">Before</th>
                  <th scope="col" className="py-1">After</th>
                </tr>
              </thead>
              <tbody>
                {preview.sample.map((s) => (
                  <tr key={s.numberId} className="border-t border-zinc-200 align-top">
                    <td className="py-1 pr-2 font-mono">{s.e164}</td>
                    <td className="py-1 pr-2">{describe(s.before, siteName)}</td>
                    <td className="py-1">{s.after ? describe(s.after, siteName) : <span className="font-medium text-red-800">Deleted</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      ) : null}
      {refusals.length ? (
        <div role="alert" className="space-y-1 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900" data-testid="bulk-refusals">
          <p className="font-medium">
            Nothing will change while {plural(refusedCount, 'number')} {refusedCount === 1 ? 'refuses' : 'refuse'}. Take {refusedCount === 1 ? 'it' : 'them'} out of the selection or fix {refusedCount === 1 ? 'it' : 'them'} first:
          </p>
          <ul className="max-h-40 list-disc overflow-auto pl-5">
            {refusals.map((r) => (
              <li key={r.numberId}>{r.reason}</li>
            ))}
          </ul>
          {refusedCount > refusals.length ? <p>…and {formatCount(refusedCount - refusals.length)} more.</p> : null}
        </div>
      ) : null}
      {preview && preview.changing === 0 && preview.refusedCount === 0 ? <Notice tone="info">Every selected number is already as asked: nothing to apply.</Notice> : null}

      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" busy={run.isPending && run.variables === 'preview'}>
          Preview
        </Button>
        <Button variant={operation === 'delete' ? 'danger' : 'primary'} disabled={!canApply} busy={run.isPending && run.variables === 'apply'} onClick={() => run.mutate('apply')}>
          {operation === 'delete' ? `Delete ${preview ? plural(preview.changing, 'number') : ''}` : `Apply to ${preview ? plural(preview.changing, 'number') : ''}`}
        </Button>
      </div>
    </form>
  );
}

function describe(f: BulkReportDto['sample'][number]['before'], siteName: (id: string | null) => string): string {
  return [statusLabel(f.status), kindLabel(f.kind), f.carrier || 'no carrier', siteName(f.siteId), f.tags.length ? `tags: ${f.tags.join(', ')}` : 'no tags', f.notes ? `notes: ${f.notes}` : ''].filter(Boolean).join(' · ');
}
