import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link } from '@tanstack/react-router';
import { api } from '../../api/client.ts';
import { emergencyKeys, emergencyLocationsQuery, setNumberLocation } from '../../api/emergency.ts';
import { facetsQuery, numberHistoryQuery, numberKinds, numberQuery, rangesQuery, sitesQuery, tenantApi } from '../../api/inventory.ts';
import type { NumberDto, NumberHistoryEventDto, NumberKind, NumberStatus } from '../../api/types.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { CopyButton } from '../../components/CopyButton.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { ChoiceField, TextAreaField, TextField } from '../../components/Field.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { fieldError } from '../../lib/errors.ts';
import { useFocusFirstInvalid } from '../../lib/focus.ts';
import { formatDate, formatDateTime } from '../../lib/format.ts';
import { actionLabels, actionsByStatus, historyLabel, kindLabel, kindLabels, statusLabel, type LifecycleAction } from '../../lib/inventory.ts';
import { LifecycleDialog } from './LifecycleDialog.tsx';
import { NumberHolder } from './NumberHolder.tsx';
import { useNumberChanged, useSyncNumberIntoLists } from './number-cache.ts';

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd className="mt-0.5 text-sm break-words text-zinc-900">{children}</dd>
    </div>
  );
}

const none = <span className="text-zinc-400">—</span>;

export const parseTags = (text: string) => [...new Set(text.split(/[,;|]/).map((t) => t.trim()).filter(Boolean))];

function EditAttributes({ tenantId, number, onDone }: { tenantId: string; number: NumberDto; onDone: () => void }) {
  const changed = useNumberChanged(tenantId);
  const sites = useQuery(sitesQuery(tenantId));
  const ranges = useQuery(rangesQuery(tenantId));
  const facets = useQuery(facetsQuery(tenantId));
  const carriersId = useId();
  const [kind, setKind] = useState<NumberKind>(number.kind);
  const [carrier, setCarrier] = useState(number.carrier);
  const [siteId, setSiteId] = useState(number.siteId ?? '');
  const [rangeId, setRangeId] = useState(number.rangeId ?? '');
  const [tags, setTags] = useState(number.tags.join(', '));
  const [notes, setNotes] = useState(number.notes);
  const [displayName, setDisplayName] = useState(number.displayName);
  const [usageLocation, setUsageLocation] = useState(number.usageLocation);
  const save = useMutation({
    mutationFn: () =>
      api.patch<NumberDto>(`${tenantApi(tenantId)}/numbers/${number.id}`, {
        kind,
        carrier: carrier.trim(),
        siteId: siteId || null,
        rangeId: rangeId || null,
        tags: parseTags(tags),
        notes,
        displayName: displayName.trim(),
        usageLocation: usageLocation.trim(),
      }),
    onSuccess: async (saved) => {
      await changed(saved);
      onDone();
    },
  });
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, save.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const err = save.error;
  return (
    <form ref={formRef} onSubmit={onSubmit} className="space-y-4" noValidate aria-label="Edit number details">
      <div className="grid gap-4 sm:grid-cols-2">
        <ChoiceField label="Kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value as NumberKind)} error={fieldError(err, 'kind')} data-autofocus choices={numberKinds.map((k) => ({ value: k, label: kindLabels[k] }))} />
        <TextField label="Carrier" name="carrier" list={carriersId} maxLength={100} autoComplete="off" value={carrier} onChange={(e) => setCarrier(e.target.value)} error={fieldError(err, 'carrier')} />
        <datalist id={carriersId}>
          {facets.data?.carriers.map((c) => (
            <option key={c} value={c} />
          ))}
        </datalist>
        <ChoiceField label="Site" name="siteId" value={siteId} onChange={(e) => setSiteId(e.target.value)} error={fieldError(err, 'siteId')} empty="No site" choices={sites.data?.map((s) => ({ value: s.id, label: s.name })) ?? []} />
        <ChoiceField label="Range" name="rangeId" value={rangeId} onChange={(e) => setRangeId(e.target.value)} error={fieldError(err, 'rangeId')} empty="No range" choices={ranges.data?.map((r) => ({ value: r.id, label: r.name })) ?? []} />
        <TextField label="Display name" name="displayName" maxLength={200} autoComplete="off" hint="The number's own name, e.g. Reception." value={displayName} onChange={(e) => setDisplayName(e.target.value)} error={fieldError(err, 'displayName')} />
        <TextField label="Usage location" name="usageLocation" maxLength={2} autoComplete="off" hint="Two letters, e.g. GB." value={usageLocation} onChange={(e) => setUsageLocation(e.target.value.toUpperCase())} error={fieldError(err, 'usageLocation')} />
      </div>
      <TextField label="Tags" name="tags" autoComplete="off" hint="Separate tags with commas." value={tags} onChange={(e) => setTags(e.target.value)} error={fieldError(err, 'tags')} />
      <TextAreaField label="Notes" name="notes" rows={3} maxLength={2000} value={notes} onChange={(e) => setNotes(e.target.value)} error={fieldError(err, 'notes')} />
      <ErrorAlert error={save.error} fieldsShown />
      <div className="flex justify-end gap-2">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save details
        </Button>
      </div>
    </form>
  );
}

const statusOf = (snapshot: unknown): NumberStatus | undefined => {
  const status = (snapshot as { status?: unknown } | null)?.status;
  return typeof status === 'string' ? (status as NumberStatus) : undefined;
};

function eventDetail(event: NumberHistoryEventDto): string | null {
  const after = (event.after ?? {}) as Record<string, unknown>;
  const before = (event.before ?? {}) as Record<string, unknown>;
  if (event.action === 'number.claim' || event.action === 'number.reclaim') return typeof after.reservationReason === 'string' ? after.reservationReason : null;
  if (event.action === 'number.assignment_rolled_back') return typeof before.heldFor === 'string' ? `Was held for ${before.heldFor}` : null;
  if (event.action === 'number.reserve') {
    const parts = [typeof after.reservationReason === 'string' ? after.reservationReason : null, typeof after.reservedUntil === 'string' ? `until ${formatDate(after.reservedUntil)}` : null];
    return parts.filter(Boolean).join(', ') || null;
  }
  if (event.action === 'number.assign') {
    const a = after.assignee as { upn?: string | null; id?: string; name?: string | null } | null | undefined;
    return a ? `to ${[a.name, a.upn ?? a.id].filter(Boolean).join(' · ')}` : null;
  }
  if (event.action === 'number.release') {
    const a = before.assignee as { upn?: string | null; id?: string; name?: string | null } | null | undefined;
    const from = a ? `from ${a.upn ?? a.id}` : null;
    const cooling = typeof after.coolingUntil === 'string' ? `cooling until ${formatDate(after.coolingUntil)}` : null;
    return [from, cooling].filter(Boolean).join(', ') || null;
  }
  if (event.action === 'number.created') {
    const source = typeof after.source === 'string' ? after.source : null;
    const file = typeof after.file === 'string' ? after.file : null;
    return source === 'import' ? `Imported${file ? ` from ${file}` : ''}` : source === 'range' ? 'With its range' : source === 'manual' ? 'Added by hand' : source;
  }
  if (event.action === 'number.updated') {
    const changedKeys = ['kind', 'carrier', 'tags', 'notes', 'siteId', 'rangeId', 'displayName', 'usageLocation'].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    const names: Record<string, string> = { kind: 'kind', carrier: 'carrier', tags: 'tags', notes: 'notes', siteId: 'site', rangeId: 'range', displayName: 'display name', usageLocation: 'usage location' };
    return changedKeys.length ? `Changed ${changedKeys.map((k) => names[k]).join(', ')}` : null;
  }
  return null;
}

function History({ tenantId, numberId }: { tenantId: string; numberId: string }) {
  const history = useQuery(numberHistoryQuery(tenantId, numberId));
  const events = history.data ? [...history.data].reverse() : [];
  return (
    <section aria-labelledby="number-history-heading">
      <h3 id="number-history-heading" className="mb-3 text-sm font-semibold text-zinc-900">
        History
      </h3>
      <ErrorAlert error={history.error} />
      {history.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {history.data?.length === 0 ? <p className="text-sm text-zinc-600">No recorded changes.</p> : null}
      {events.length > 0 ? (
        <ol className="relative space-y-4 border-l border-zinc-200 pl-5" data-testid="number-history">
          {events.map((event) => {
            const from = statusOf(event.before);
            const to = statusOf(event.after);
            const detail = eventDetail(event);
            return (
              <li key={event.id} className="relative" data-testid="history-event">
                <span aria-hidden="true" className={`absolute top-1.5 -left-[1.6rem] size-2.5 rounded-full ring-2 ring-white ${event.result === 'success' ? 'bg-blue-600' : 'bg-red-600'}`} />
                <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">
                  <span className="font-medium text-zinc-900">{historyLabel(event.action)}</span>
                  {from && to && from !== to ? (
                    <span className="inline-flex items-center gap-1 text-xs">
                      <StatusBadge status={from} />
                      <span aria-hidden="true">→</span>
                      <span className="sr-only"> to </span>
                      <StatusBadge status={to} />
                    </span>
                  ) : !from && to ? (
                    <span className="inline-flex items-center gap-1 text-xs">
                      <span className="sr-only">as</span>
                      <StatusBadge status={to} />
                    </span>
                  ) : null}
                  {event.result === 'failure' ? <Badge tone="red">Failed</Badge> : null}
                </p>
                {detail ? <p className="mt-0.5 text-sm text-zinc-700">{detail}</p> : null}
                {event.error ? <p className="mt-0.5 text-sm text-red-800">{event.error}</p> : null}
                <p className="mt-0.5 text-xs text-zinc-500">
                  <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt)}</time> · {event.actor}
                  {event.ticketId ? ` · Ticket #${event.ticketId}` : ''}
                </p>
              </li>
            );
          })}
        </ol>
      ) : null}
    </section>
  );
}

/** The number's Teams emergency location, and (for operators) the choice of another. */
function EmergencyLocation({ tenantId, number, canWrite }: { tenantId: string; number: NumberDto; canWrite: boolean }) {
  const changed = useNumberChanged(tenantId);
  const queryClient = useQueryClient();
  const locations = useQuery(emergencyLocationsQuery(tenantId));
  const [choice, setChoice] = useState(number.emergencyLocationId ?? '');
  const [result, setResult] = useState<string | null>(null);
  useEffect(() => setChoice(number.emergencyLocationId ?? ''), [number.emergencyLocationId]);
  const save = useMutation({
    mutationFn: () => setNumberLocation(tenantId, number.id, choice || null),
    onSuccess: async (saved) => {
      await changed(saved.number);
      await queryClient.invalidateQueries({ queryKey: emergencyKeys.report(tenantId) });
      setResult(saved.appliedInTeams ? 'Emergency location saved in Teams.' : 'Emergency location saved; it goes to Teams with the number’s next assignment.');
    },
  });
  const list = locations.data?.locations ?? [];
  const current = list.find((l) => l.locationId === number.emergencyLocationId);
  return (
    <div className="sm:col-span-2">
      <Item label="Emergency location">{number.emergencyLocationId ? (current?.label ?? `Not in the tenant’s list (${number.emergencyLocationId})`) : none}</Item>
      {canWrite && list.length ? (
        <form
          className="mt-2 flex flex-wrap items-end gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            setResult(null);
            save.mutate();
          }}
        >
          <ChoiceField label="Set emergency location" value={choice} onChange={(e) => setChoice(e.target.value)} empty="None" choices={list.map((l) => ({ value: l.locationId, label: l.label }))} />
          <Button type="submit" size="sm" disabled={save.isPending || choice === (number.emergencyLocationId ?? '')}>
            Save location
          </Button>
        </form>
      ) : null}
      {locations.isSuccess ? (
        <p className="mt-1 text-xs text-zinc-600">
          {canWrite && !list.length ? 'This tenant has no emergency locations in UCR yet: refresh or import them on the ' : 'Locations, defaults and the report are on the '}
          <Link to="/tenants/$tenantId/emergency" params={{ tenantId }} className="font-medium text-blue-700 underline">
            tenant’s Emergency page
          </Link>
          .
        </p>
      ) : null}
      {result ? <Notice>{result}</Notice> : null}
      {save.error ? <ErrorAlert error={save.error} /> : null}
    </div>
  );
}

function Details({ tenantId, number, canWrite, coolingDays, rangeName, siteName }: { tenantId: string; number: NumberDto; canWrite: boolean; coolingDays: number; rangeName: string; siteName: string }) {
  const [action, setAction] = useState<LifecycleAction | null>(null);
  const [editing, setEditing] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const actions = actionsByStatus[number.status] ?? [];
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-3">
        <StatusBadge status={number.status} />
        <span className="text-sm text-zinc-600">since {formatDateTime(number.statusChangedAt)}</span>
        <CopyButton value={number.e164} label="Copy number" />
      </div>
      {done ? <Notice>{done}</Notice> : null}
      {canWrite ? (
        <div role="group" aria-label="Change status" className="flex flex-wrap gap-2">
          {actions.map((a) => (
            <Button key={a} size="sm" variant={a === 'reserve' || a === 'assign' ? 'primary' : 'secondary'} onClick={() => {
                setDone(null);
                setAction(a);
              }}>
              {actionLabels[a]}
              {a === 'reserve' || a === 'assign' ? '…' : ''}
            </Button>
          ))}
        </div>
      ) : null}

      <NumberHolder number={number} />

      {editing ? (
        <EditAttributes tenantId={tenantId} number={number} onDone={() => setEditing(false)} />
      ) : (
        <section aria-labelledby="number-details-heading">
          <div className="mb-3 flex items-center justify-between">
            <h3 id="number-details-heading" className="text-sm font-semibold text-zinc-900">
              Details
            </h3>
            {canWrite ? (
              <Button size="sm" onClick={() => setEditing(true)}>
                Edit details
              </Button>
            ) : null}
          </div>
          <dl className="grid gap-4 sm:grid-cols-2">
            <Item label="E.164">
              <span className="font-mono">{number.e164}</span>
              {number.extension ? <span className="text-zinc-500"> ext. {number.extension}</span> : null}
            </Item>
            <Item label="National format">{number.national}</Item>
            <Item label="Kind">{kindLabel(number.kind)}</Item>
            <Item label="Display name">{number.displayName || none}</Item>
            <Item label="Country">{number.country || none}</Item>
            <Item label="Usage location">{number.usageLocation || none}</Item>
            <Item label="Used by">{number.linkedExtension ? 'Teams + 3CX' : number.assignee ? (number.assignee.type === 'teams_user' ? 'Teams' : '3CX') : none}</Item>
            <Item label="Carrier">{number.carrier || none}</Item>
            <Item label="Range">{rangeName || none}</Item>
            <Item label="Site">{siteName || none}</Item>
            <Item label="Assignee">
              {number.assignee ? (
                <>
                  {number.assignee.name ? <span className="block">{number.assignee.name}</span> : null}
                  <span className="block text-xs text-zinc-600">
                    {number.assignee.type === 'teams_user' ? 'Teams user' : '3CX extension'}: {number.assignee.upn ?? number.assignee.id}
                  </span>
                  {number.linkedExtension ? (
                    <span className="block text-xs text-zinc-600">
                      and 3CX extension {number.linkedExtension.id}
                      {number.linkedExtension.name ? ` (${number.linkedExtension.name})` : ''}: the same person, one DID on both
                    </span>
                  ) : null}
                </>
              ) : (
                none
              )}
            </Item>
            <Item label="Reservation">
              {number.reservation ? (
                <>
                  <span className="block">{number.reservation.reason}</span>
                  <span className="block text-xs text-zinc-600">
                    Until {formatDate(number.reservation.until)}
                    {number.reservation.ticketId ? ` · Ticket #${number.reservation.ticketId}` : ''}
                  </span>
                </>
              ) : (
                none
              )}
            </Item>
            {number.coolingUntil ? <Item label="Cooling until">{formatDateTime(number.coolingUntil)}</Item> : null}
            <EmergencyLocation tenantId={tenantId} number={number} canWrite={canWrite} />
            <Item label="Tags">
              {number.tags.length
                ? number.tags.map((t) => (
                    <span key={t} className="mr-1 inline-block rounded bg-zinc-100 px-1.5 py-0.5 text-xs ring-1 ring-zinc-200 ring-inset">
                      {t}
                    </span>
                  ))
                : none}
            </Item>
            <div className="sm:col-span-2">
              <Item label="Notes">{number.notes ? <span className="whitespace-pre-wrap">{number.notes}</span> : none}</Item>
            </div>
            <Item label="Added">{formatDateTime(number.createdAt)}</Item>
            <Item label="Last changed">{formatDateTime(number.updatedAt)}</Item>
          </dl>
        </section>
      )}

      <History tenantId={tenantId} numberId={number.id} />

      <LifecycleDialog
        tenantId={tenantId}
        number={number}
        action={action}
        coolingDays={coolingDays}
        onClose={() => setAction(null)}
        onChanged={(saved, a) => setDone(`${actionLabels[a]}: done. ${saved.e164} is now ${statusLabel(saved.status).toLowerCase()}.`)}
      />
    </div>
  );
}

/** One number in a side panel: its details, what can be done from its status, and its timeline. */
export function NumberDrawer({
  tenantId,
  numberId,
  initial,
  canWrite,
  coolingDays,
  rangeName,
  siteName,
  onClose,
}: {
  tenantId: string;
  numberId: string | undefined;
  initial: NumberDto | undefined;
  canWrite: boolean;
  coolingDays: number;
  rangeName: (id: string | null) => string;
  siteName: (id: string | null) => string;
  onClose: () => void;
}) {
  const number = useQuery({ ...numberQuery(tenantId, numberId ?? ''), enabled: Boolean(numberId), placeholderData: initial });
  const n = number.data;
  // A refetch that found the number changed (by someone else) updates its table row too.
  const sync = useSyncNumberIntoLists(tenantId);
  const fresh = number.isPlaceholderData ? undefined : number.data;
  useEffect(() => {
    if (fresh) sync(fresh);
  }, [fresh]); // sync is a new closure each render; only the data matters
  return (
    <Dialog
      open={Boolean(numberId)}
      onClose={onClose}
      side
      title={n ? <span className="font-mono">{n.e164}</span> : 'Number'}
      description={n ? `${n.national} · ${statusLabel(n.status)}` : undefined}
    >
      <ErrorAlert error={number.error} />
      {number.isPending && !n ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {n ? <Details tenantId={tenantId} number={n} canWrite={canWrite} coolingDays={coolingDays} rangeName={rangeName(n.rangeId)} siteName={siteName(n.siteId)} /> : null}
    </Dialog>
  );
}
