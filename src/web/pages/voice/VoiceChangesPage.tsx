import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useEffect, useState, type FormEvent } from 'react';
import { operatorsQuery } from '../../api/queries.ts';
import { sessionQuery } from '../../api/session.ts';
import { tenantChangesQuery, teamsKeys, type VoiceChangeDto, type VoiceChangeFilters } from '../../api/teams.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';
import { Section } from '../../components/Section.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useRole } from '../../lib/role.ts';
import { changeKindLabels, changeStatus, changeSummary } from '../../lib/teams.ts';
import { TicketRef } from '../connectwise/TicketLogState.tsx';
import { useTenant } from '../tenants/tenant-context.ts';
import { NumberLinks, RevertDialog } from './ChangeHistory.tsx';
import type { VoiceChangesSearch } from './voice-changes-search.ts';

const emptyDraft: Required<VoiceChangesSearch> = { user: '', operator: '', ticket: '', status: '', from: '', to: '' };

const dateOnly = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The address keeps plain dates (what the date fields show); the server is asked for the whole
 * days in the browser's time zone. Anything else goes as typed, so a bad date in a shared link is
 * answered by the server's own message for that field.
 */
function serverFilters(search: VoiceChangesSearch): VoiceChangeFilters {
  const out: VoiceChangeFilters = { ...search };
  if (search.from && dateOnly.test(search.from)) out.from = new Date(`${search.from}T00:00:00`).toISOString();
  if (search.to && dateOnly.test(search.to)) out.to = new Date(`${search.to}T23:59:59.999`).toISOString();
  return out;
}

function OperatorFilter({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const { isAdmin } = useRole();
  const { data: session } = useQuery(sessionQuery);
  const operators = useQuery({ ...operatorsQuery, enabled: isAdmin });
  const me = session?.operator?.id;
  return (
    <SelectField label="Operator" name="operator" hint="Who asked for the change." value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">Anyone</option>
      {isAdmin
        ? (operators.data ?? []).map((o) => (
            <option key={o.id} value={o.id}>
              {o.displayName ? `${o.displayName} (${o.email})` : o.email}
            </option>
          ))
        : me
          ? <option value={me}>Me</option>
          : null}
      {/* An operator id from a shared link that is not in the list stays selectable. */}
      {value && value !== me && !(operators.data ?? []).some((o) => o.id === value) ? <option value={value}>{value}</option> : null}
    </SelectField>
  );
}

function ChangeRow({ tenantId, change, canWrite, onRevert }: { tenantId: string; change: VoiceChangeDto; canWrite: boolean; onRevert: (c: VoiceChangeDto) => void }) {
  const status = changeStatus[change.status];
  const lines = changeSummary(change);
  return (
    <tr data-testid="tenant-voice-change" data-status={change.status}>
      <Td className="whitespace-nowrap">
        <time dateTime={change.createdAt}>{formatDateTime(change.createdAt)}</time>
      </Td>
      <Td className="break-words">
        <Link to="/tenants/$tenantId/voice" params={{ tenantId }} search={{ user: change.userId }} className="font-medium text-blue-700 hover:underline">
          {change.userUpn}
        </Link>
      </Td>
      <Td>
        <span className="font-medium text-zinc-900">{changeKindLabels[change.kind]}</span>
        {lines.length ? (
          <ul className="mt-1 text-xs text-zinc-700">
            {lines.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        ) : null}
        <NumberLinks tenantId={tenantId} change={change} />
      </Td>
      <Td>
        <Badge tone={status.tone}>{status.label}</Badge>
        {change.errorMessage ? <span className="mt-1 block text-xs text-red-800">{change.errorMessage}</span> : null}
      </Td>
      <Td className="text-xs">{change.operator ?? 'system'}</Td>
      <Td className="text-xs whitespace-nowrap">{change.ticketId ? <TicketRef tenantId={tenantId} ticketId={change.ticketId} /> : '—'}</Td>
      <Td>
        {canWrite && change.revertible ? (
          <Button size="sm" onClick={() => onRevert(change)} aria-label={`Revert “${changeKindLabels[change.kind]}” of ${change.userUpn} at ${formatDateTime(change.createdAt)}`}>
            Revert…
          </Button>
        ) : change.status === 'succeeded' && !change.revertible ? (
          <span className="text-xs text-zinc-500">Changed again since</span>
        ) : null}
      </Td>
    </tr>
  );
}

/** Issue #17 item 4: every voice change of the tenant, filtered by the address, with Revert on each that can be. */
export function VoiceChangesPage() {
  const { tenant, canWrite } = useTenant();
  const { canOperate } = useRole();
  const search = useSearch({ strict: false }) as VoiceChangesSearch;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Required<VoiceChangesSearch>>({ ...emptyDraft, ...search });
  // Back and forward (or a link) change the address: the form follows it.
  const searchKey = JSON.stringify(search);
  useEffect(() => setDraft({ ...emptyDraft, ...search }), [searchKey]); // the address, not the object identity, decides
  const changes = useInfiniteQuery(tenantChangesQuery(tenant.id, serverFilters(search)));
  const [reverting, setReverting] = useState<VoiceChangeDto | null>(null);
  const [requested, setRequested] = useState<VoiceChangeDto | null>(null);
  const rows = changes.data?.pages.flatMap((p) => p.changes) ?? [];
  const set = (key: keyof VoiceChangesSearch) => (value: string) => setDraft({ ...draft, [key]: value });
  const apply = (next: VoiceChangesSearch) => {
    const clean = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== '' && v !== undefined)) as VoiceChangesSearch;
    void navigate({ to: '/tenants/$tenantId/voice-changes', params: { tenantId: tenant.id }, search: clean });
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    apply({ ...draft, user: draft.user.trim(), ticket: draft.ticket.trim() });
  };
  if (!tenant.features.teams) return <Notice tone="info">Microsoft Teams is switched off for this tenant. An admin can switch it on in the tenant’s settings.</Notice>;
  return (
    <Section title="Voice changes" description="Every number and policy change made in Teams for this tenant, newest first. Revert puts back what the user had before.">
      <form onSubmit={onSubmit} role="search" aria-label="Filter the voice changes" className="mb-5 rounded-lg border border-zinc-200 bg-white p-4 shadow-xs">
        <div className="grid gap-x-4 gap-y-3 sm:grid-cols-2 lg:grid-cols-3">
          <TextField label="User" name="user" placeholder="UPN or part of it" hint="The Teams user changed." autoComplete="off" value={draft.user} onChange={(e) => set('user')(e.target.value)} />
          <OperatorFilter value={draft.operator} onChange={set('operator')} />
          <TextField label="Ticket" name="ticket" inputMode="numeric" placeholder="e.g. 48213" hint="ConnectWise ticket number." autoComplete="off" value={draft.ticket} onChange={(e) => set('ticket')(e.target.value)} />
          <SelectField label="Status" name="status" value={draft.status} onChange={(e) => set('status')(e.target.value)}>
            <option value="">Any</option>
            <option value="pending">{changeStatus.pending.label}</option>
            <option value="succeeded">{changeStatus.succeeded.label}</option>
            <option value="failed">{changeStatus.failed.label}</option>
          </SelectField>
          <TextField label="From" name="from" type="date" hint="Changes on or after this day." value={draft.from} onChange={(e) => set('from')(e.target.value)} />
          <TextField label="To" name="to" type="date" hint="Changes on or before this day." value={draft.to} onChange={(e) => set('to')(e.target.value)} />
        </div>
        <div className="mt-4 flex flex-wrap gap-2">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          <Button onClick={() => apply({})}>Clear</Button>
        </div>
      </form>
      {requested ? (
        <Notice className="mb-4">
          Revert of {requested.userUpn} sent to Teams; its row below shows when Teams confirms it.
        </Notice>
      ) : null}
      <ErrorAlert error={changes.error} />
      {changes.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {changes.isSuccess && rows.length === 0 ? <p className="text-sm text-zinc-600">No voice changes match these filters.</p> : null}
      {rows.length > 0 ? (
        <Table caption="Voice changes">
          <thead>
            <tr>
              <Th>Time</Th>
              <Th>User</Th>
              <Th>Change</Th>
              <Th>Status</Th>
              <Th>Operator</Th>
              <Th>Ticket</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody className="bg-white">
            {rows.map((c) => (
              <ChangeRow key={c.id} tenantId={tenant.id} change={c} canWrite={canWrite && canOperate} onRevert={setReverting} />
            ))}
          </tbody>
        </Table>
      ) : null}
      {changes.hasNextPage ? (
        <div className="mt-4 flex justify-center">
          <Button onClick={() => void changes.fetchNextPage()} busy={changes.isFetchingNextPage}>
            Load more
          </Button>
        </div>
      ) : rows.length > 0 ? (
        <p className="mt-4 text-center text-xs text-zinc-500">End of the list for these filters.</p>
      ) : null}
      <RevertDialog
        tenantId={tenant.id}
        change={reverting}
        onClose={() => setReverting(null)}
        onRequested={(started) => {
          setRequested(started);
          void queryClient.invalidateQueries({ queryKey: teamsKeys.changes(tenant.id) });
        }}
      />
    </Section>
  );
}
