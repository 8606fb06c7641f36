import { useInfiniteQuery, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearch } from '@tanstack/react-router';
import { useId, useState, type FormEvent } from 'react';
import { tenantsQuery } from '../api/inventory.ts';
import { auditExportUrl, auditQuery, emptyAuditFilters, operatorsQuery, type AuditFilters } from '../api/queries.ts';
import type { AuditEventDto } from '../api/types.ts';
import { ErrorAlert } from '../components/Alert.tsx';
import { Badge } from '../components/Badge.tsx';
import { Button } from '../components/Button.tsx';
import { SelectField, TextField } from '../components/Field.tsx';
import { PageHeader } from '../components/Section.tsx';
import { Table, Td, Th } from '../components/Table.tsx';
import { formatDateTime } from '../lib/format.ts';
import { auditActionFamilies } from '../../core/audit-actions.ts';
import type { AuditSearch } from './audit-search.ts';
import type { ColumnIdOf } from '../../core/table-columns.ts';
import { ColumnArrangementMenu } from '../components/ColumnArrangementMenu.tsx';
import { inOrder, useColumnArrangement, type TableColumn } from '../lib/column-arrangement.ts';
import { sessionQuery } from '../api/session.ts';
import { changesByIdQuery, teamsKeys, type VoiceChangeDto } from '../api/teams.ts';
import { Notice } from '../components/Alert.tsx';
import { useRole } from '../lib/role.ts';
import { RevertDialog } from './voice/ChangeHistory.tsx';

/** The filter's choices: each family as a prefix ("voice." matches all voice events), then its actions. */
const knownActions = Object.entries(auditActionFamilies).flatMap(([family, actions]) => [`${family}.`, ...actions]);

const empty = emptyAuditFilters;

/** A voice change's completion event names its change (after.changeId): the log can offer Revert on it. */
const voiceCompletion = /^voice\.(assign_number|remove_number|policies|revert)$/;
function changeIdOf(event: AuditEventDto): string | null {
  if (!event.tenantId || event.result !== 'success' || !voiceCompletion.test(event.action)) return null;
  const id = (event.after as { changeId?: unknown } | null)?.changeId;
  return typeof id === 'string' ? id : null;
}

/**
 * The voice changes behind the listed events, asked of each tenant at once; the server answers
 * only for tenants in the operator's scope, and says which ones can still be reverted.
 */
function useRevertibleChanges(events: AuditEventDto[], enabled: boolean): Map<string, VoiceChangeDto> {
  const byTenant = new Map<string, string[]>();
  for (const e of events) {
    const id = changeIdOf(e);
    if (id && e.tenantId) byTenant.set(e.tenantId, [...(byTenant.get(e.tenantId) ?? []), id]);
  }
  const results = useQueries({ queries: [...byTenant].map(([tenantId, ids]) => ({ ...changesByIdQuery(tenantId, ids.slice(0, 200)), enabled })) });
  const found = new Map<string, VoiceChangeDto>();
  for (const r of results) for (const c of r.data ?? []) if (c.revertible) found.set(c.id, c);
  return found;
}

/** The time comes first always; the operator arranges the rest. */
const auditColumns: TableColumn<AuditEventDto, ColumnIdOf<'audit'>>[] = [
  { id: 'actor', label: 'Who', cellClass: 'break-all', render: (event) => event.actor },
  {
    id: 'action',
    label: 'Action',
    render: (event) => (
      <>
        <code className="font-mono text-xs text-zinc-900">{event.action}</code>
        {event.ticketId ? <span className="block text-xs text-zinc-500">Ticket #{event.ticketId}</span> : null}
      </>
    ),
  },
  {
    id: 'target',
    label: 'Target',
    cellClass: 'text-xs',
    render: (event) => (
      <>
        {event.targetType ? <span className="block text-zinc-500">{event.targetType}</span> : null}
        {event.targetId ? <span className="font-mono break-all">{event.targetId}</span> : null}
      </>
    ),
  },
  {
    id: 'result',
    label: 'Result',
    render: (event) => (
      <>
        {event.result === 'success' ? <Badge tone="green">Success</Badge> : <Badge tone="red">Failure</Badge>}
        {event.error ? <span className="mt-1 block text-xs text-red-800">{event.error}</span> : null}
      </>
    ),
  },
  { id: 'details', label: 'More', render: (event) => <Details event={event} /> },
];
const defaultAuditColumns = auditColumns.map((c) => c.id);

function Details({ event }: { event: AuditEventDto }) {
  const hasData = event.before != null || event.after != null;
  if (!hasData && !event.requestId && !event.ip) return null;
  return (
    <details className="text-xs">
      <summary className="cursor-pointer rounded text-blue-700">Details</summary>
      <dl className="mt-2 space-y-1">
        {event.requestId ? (
          <div>
            <dt className="inline text-zinc-500">Request id: </dt>
            <dd className="inline font-mono">{event.requestId}</dd>
          </div>
        ) : null}
        {event.ip ? (
          <div>
            <dt className="inline text-zinc-500">Address: </dt>
            <dd className="inline font-mono">{event.ip}</dd>
          </div>
        ) : null}
        {event.before != null ? (
          <div>
            <dt className="text-zinc-500">Before</dt>
            <dd>
              <pre className="max-w-md overflow-x-auto rounded bg-zinc-50 p-2 font-mono">{JSON.stringify(event.before, null, 2)}</pre>
            </dd>
          </div>
        ) : null}
        {event.after != null ? (
          <div>
            <dt className="text-zinc-500">After</dt>
            <dd>
              <pre className="max-w-md overflow-x-auto rounded bg-zinc-50 p-2 font-mono">{JSON.stringify(event.after, null, 2)}</pre>
            </dd>
          </div>
        ) : null}
      </dl>
    </details>
  );
}

/** Revert on a voice event whose change can still be reverted, and a link to that user's changes. */
function VoiceRevert({ event, change, onRevert }: { event: AuditEventDto; change: VoiceChangeDto | undefined; onRevert: (change: VoiceChangeDto) => void }) {
  if (!change) return null;
  return (
    <div className="mt-1 flex flex-col items-start gap-1">
      <Button size="sm" onClick={() => onRevert(change)} aria-label={`Revert ${event.action} of ${change.userUpn}`}>
        Revert…
      </Button>
      <Link to="/tenants/$tenantId/voice-changes" params={{ tenantId: change.tenantId }} search={{ user: change.userId }} className="text-xs text-blue-700 underline">
        In voice changes
      </Link>
    </div>
  );
}

export function AuditPage() {
  // A link can open the log already filtered (e.g. "Audit trail" of a user's voice changes).
  const linked = useSearch({ strict: false }) as AuditSearch;
  const [initial] = useState<AuditFilters>(() => ({ ...empty, ...linked }));
  const [draft, setDraft] = useState<AuditFilters>(initial);
  const [filters, setFilters] = useState<AuditFilters>(initial);
  const audit = useInfiniteQuery(auditQuery(filters));
  const tenants = useQuery(tenantsQuery(true));
  const { data: session } = useQuery(sessionQuery);
  const admin = session?.operator?.role === 'admin';
  // The operator list is an admin's; others filter by tenant, action and time.
  const operators = useQuery({ ...operatorsQuery, enabled: admin });
  const listId = useId();
  const arrangement = useColumnArrangement('audit', auditColumns, defaultAuditColumns);
  const shownColumns = inOrder(auditColumns, arrangement.visible);
  const events = audit.data?.pages.flatMap((p) => p.events) ?? [];
  const { canOperate } = useRole();
  const queryClient = useQueryClient();
  const revertible = useRevertibleChanges(events, canOperate);
  const [reverting, setReverting] = useState<VoiceChangeDto | null>(null);
  const [reverted, setReverted] = useState<VoiceChangeDto | null>(null);
  const set = (key: keyof AuditFilters) => (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };

  return (
    <div>
      <PageHeader title="Audit log" description={admin ? 'Every sign-in, change and security event, newest first.' : 'Every change in your tenants, newest first.'} />
      <form onSubmit={onSubmit} role="search" aria-label="Filter the audit log" className="mb-5 rounded-lg border border-zinc-200 bg-white p-4 shadow-xs">
        <div className="grid gap-x-4 gap-y-3 sm:grid-cols-2 lg:grid-cols-4">
          <TextField label="From" name="from" type="datetime-local" hint="Events at or after this time." value={draft.from} onChange={set('from')} />
          <TextField label="To" name="to" type="datetime-local" hint="Events at or before this time." value={draft.to} onChange={set('to')} />
          <SelectField label="Tenant" name="tenantId" hint="Events about one tenant." value={draft.tenantId} onChange={set('tenantId')}>
            <option value="">Any tenant</option>
            {(tenants.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </SelectField>
          {admin ? (
            <SelectField label="Operator" name="operatorId" hint="Who acted." value={draft.operatorId} onChange={set('operatorId')}>
              <option value="">Anyone</option>
              {(operators.data ?? []).map((o) => (
                <option key={o.id} value={o.id}>
                  {o.displayName ? `${o.displayName} (${o.email})` : o.email}
                </option>
              ))}
            </SelectField>
          ) : null}
          <TextField label="Action" name="action" list={listId} placeholder="e.g. voice. or operator.created" hint="Exact action, or a prefix ending in a dot." value={draft.action} onChange={set('action')} />
          <datalist id={listId}>
            {knownActions.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
          <TextField label="Target" name="targetId" placeholder="Target id" hint="Exact id of the thing changed." value={draft.targetId} onChange={set('targetId')} />
          <TextField label="Ticket" name="ticketId" inputMode="numeric" placeholder="e.g. 4711" hint="ConnectWise ticket number." value={draft.ticketId} onChange={set('ticketId')} />
          <SelectField label="Result" name="result" hint="Success or failure." value={draft.result} onChange={set('result')}>
            <option value="">Any</option>
            <option value="success">Success</option>
            <option value="failure">Failure</option>
          </SelectField>
          <TextField
            label="Search"
            name="search"
            type="search"
            placeholder="Operator, action, target, ticket or error"
            hint="Text anywhere in who, what, target, ticket or error."
            value={draft.search}
            onChange={set('search')}
            className="sm:col-span-2"
          />
        </div>
        <div className="mt-4 flex flex-wrap gap-2">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          <Button
            onClick={() => {
              setDraft(empty);
              setFilters(empty);
            }}
          >
            Clear
          </Button>
          <a
            href={auditExportUrl(filters)}
            download
            className="inline-flex items-center rounded-md border border-zinc-300 bg-white px-3.5 py-2 text-sm font-medium text-zinc-800 shadow-xs hover:bg-zinc-50"
            title="Download the events matching the applied filters as CSV"
          >
            Export CSV
          </a>
          <ColumnArrangementMenu arrangement={arrangement} fixed="Time" label="the audit log" />
        </div>
      </form>

      {filters.targetId ? (
        <p className="mb-4 flex flex-wrap items-center gap-2 text-sm text-zinc-700">
          Only events about <code className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-xs">{filters.targetId}</code>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setFilters({ ...filters, targetId: '' });
              setDraft({ ...draft, targetId: '' });
            }}
          >
            Show all targets
          </Button>
        </p>
      ) : null}
      {reverted ? (
        <Notice className="mb-4">
          Revert of {reverted.userUpn} sent to Teams.{' '}
          <Link to="/tenants/$tenantId/voice-changes" params={{ tenantId: reverted.tenantId }} search={{ user: reverted.userId }} className="font-medium underline">
            Follow it in the tenant’s voice changes
          </Link>
          .
        </Notice>
      ) : null}
      <RevertDialog
        tenantId={reverting?.tenantId ?? ''}
        change={reverting}
        onClose={() => setReverting(null)}
        onRequested={(started) => {
          setReverted(started);
          void queryClient.invalidateQueries({ queryKey: teamsKeys.changes(started.tenantId) });
          void audit.refetch();
        }}
      />
      <ErrorAlert error={audit.error} />
      {audit.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {audit.isSuccess && events.length === 0 ? <p className="text-sm text-zinc-600">No events match these filters.</p> : null}
      {events.length > 0 ? (
        <Table caption="Audit events">
          <thead>
            <tr>
              <Th>Time</Th>
              {shownColumns.map((c) => (
                <Th key={c.id}>{c.label}</Th>
              ))}
            </tr>
          </thead>
          <tbody className="bg-white">
            {events.map((event) => (
              <tr key={event.id} data-testid="audit-row">
                <Td className="whitespace-nowrap">{formatDateTime(event.occurredAt)}</Td>
                {shownColumns.map((c) => (
                  <Td key={c.id} className={c.cellClass}>
                    {c.render(event)}
                    {c.id === 'details' ? <VoiceRevert event={event} change={revertible.get(changeIdOf(event) ?? '')} onRevert={setReverting} /> : null}
                  </Td>
                ))}
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
      {audit.hasNextPage ? (
        <div className="mt-4 flex justify-center">
          <Button onClick={() => void audit.fetchNextPage()} busy={audit.isFetchingNextPage}>
            Load more
          </Button>
        </div>
      ) : events.length > 0 ? (
        <p className="mt-4 text-center text-xs text-zinc-500">End of the log for these filters.</p>
      ) : null}
    </div>
  );
}
