import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { bulkApi, bulkJobQuery, bulkKeys, isActive, type BulkJobDto, type BulkJobWithRowsDto, type BulkRowDto, type BulkRowState } from '../../api/bulk.ts';
import { inventoryKeys } from '../../api/inventory.ts';
import { teamsKeys } from '../../api/teams.ts';
import type { UploadProgress } from '../../api/upload.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge, type Tone } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { CsvColumnsHelp } from '../../components/CsvColumnsHelp.tsx';
import { FileDropZone } from '../../components/FileDropZone.tsx';
import { Section } from '../../components/Section.tsx';
import { formatCount, plural, TICKET } from '../../lib/inventory.ts';
import { TicketPicker } from '../connectwise/TicketPicker.tsx';
import { useTenant } from '../tenants/tenant-context.ts';
import { ScheduleControl } from './ScheduleControl.tsx';
import type { ColumnIdOf } from '../../../core/table-columns.ts';
import { ColumnArrangementMenu } from '../../components/ColumnArrangementMenu.tsx';
import { inOrder, useColumnArrangement, type ColumnArrangement, type TableColumn } from '../../lib/column-arrangement.ts';

const stateLabels: Record<BulkRowState, string> = {
  pending: 'Waiting',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
};
const stateTones: Record<BulkRowState, Tone> = { pending: 'neutral', running: 'blue', succeeded: 'green', failed: 'red', skipped: 'amber', cancelled: 'neutral' };
const statusLabels: Record<BulkJobDto['status'], string> = { draft: 'Dry run', queued: 'Queued', running: 'Running', completed: 'Completed', cancelled: 'Cancelled' };

const columnHelp: [string, string][] = [
  ['UserPrincipalName', 'Required. The Teams user, e.g. ann@contoso.com.'],
  ['PhoneNumber', 'E.164 such as +14255551234, or next:<range name> for the next free number of a range (next site:<site name> for a site’s). Empty keeps the user’s number.'],
  ['PhoneNumberType', 'DirectRouting, CallingPlan or OperatorConnect (optional; checked against the inventory).'],
  ['VoiceRoutingPolicy, DialPlan', 'Policy names from the tenant’s catalog. Other Teams policy types (e.g. TeamsCallingPolicy) can be columns too.'],
  ['Profile', 'A saved profile: its number source and policies apply; the row’s own columns win.'],
];

type Filter = 'all' | 'ok' | 'error' | 'failed';

function formatEta(seconds: number | null): string {
  if (seconds === null) return 'estimating…';
  if (seconds < 60) return `about ${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `about ${minutes} min` : `about ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function UploadBar({ progress }: { progress: UploadProgress }) {
  const uploaded = progress.total > 0 && progress.loaded >= progress.total;
  const percent = progress.total > 0 ? Math.round((progress.loaded / progress.total) * 100) : 0;
  return (
    <div className="space-y-1" data-testid="upload-progress">
      <div className="flex justify-between text-sm text-zinc-700">
        <span>{uploaded ? 'Checking every row against the inventory and Teams…' : 'Uploading…'}</span>
        <span className="tabular-nums">{percent}%</span>
      </div>
      <progress className="h-2 w-full overflow-hidden rounded-full accent-blue-700" max={100} value={percent} aria-label="Upload progress" />
    </div>
  );
}

/** Rows that will run (dry run passed) and how far the job is through them. */
function JobProgress({ job }: { job: BulkJobDto }) {
  const { counts } = job;
  const runnable = job.total - counts.skipped;
  const done = counts.succeeded + counts.failed + counts.cancelled;
  const percent = runnable > 0 ? Math.round((done / runnable) * 100) : 100;
  const active = isActive(job);
  return (
    <div className="space-y-2" data-testid="bulk-progress">
      <div className="flex flex-wrap justify-between gap-2 text-sm text-zinc-700">
        <span>
          {statusLabels[job.status]}
          {job.cancelRequested && active ? ' (stopping: rows in flight finish)' : ''} · {formatCount(done)} of {plural(runnable, 'row')} done
        </span>
        {job.status === 'running' ? <span data-testid="bulk-eta">Time left: {formatEta(job.etaSeconds)}</span> : null}
      </div>
      <div
        role="progressbar"
        aria-label="Bulk job progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}%: ${formatCount(done)} of ${formatCount(runnable)} rows done`}
        className="h-2.5 w-full overflow-hidden rounded-full bg-zinc-200"
      >
        <div className={`h-full rounded-full transition-[width] ${counts.failed > 0 ? 'bg-amber-500' : 'bg-blue-700'}`} style={{ width: `${percent}%` }} />
      </div>
      <dl className="flex flex-wrap gap-x-5 gap-y-1 text-sm" data-testid="bulk-counts">
        {(['pending', 'running', 'succeeded', 'failed', 'cancelled', 'skipped'] as const).map((state) => (
          <div key={state} className="flex gap-1">
            <dt className="text-zinc-600">{stateLabels[state]}:</dt>
            <dd className="font-medium text-zinc-900 tabular-nums" data-testid={`count-${state}`}>
              {formatCount(counts[state])}
            </dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

const ROW_HEIGHT = 56;

const policyNames: Record<string, string> = { OnlineVoiceRoutingPolicy: 'Voice routing', TenantDialPlan: 'Dial plan' };

function policiesOf(row: BulkRowDto): string {
  const parts = Object.entries(row.input.policies).map(([type, name]) => `${policyNames[type] ?? type}: ${name ?? '(Global)'}`);
  if (row.input.profile) parts.unshift(`Profile: ${row.input.profile}`);
  return parts.join(' · ');
}

const cell = 'border-t border-zinc-100 px-3 py-1.5 align-top';

/** The line number comes first always; the operator arranges the rest. The result shows once the job has started. */
const rowColumns: TableColumn<BulkRowDto, ColumnIdOf<'teams-bulk-rows'>>[] = [
  { id: 'user', label: 'User', cellClass: `min-w-56 ${cell} [overflow-wrap:anywhere] text-zinc-900`, render: (row) => row.input.upn || <span className="text-zinc-400">(empty)</span> },
  {
    id: 'number',
    label: 'Number',
    cellClass: `${cell} font-mono text-xs whitespace-nowrap text-zinc-800`,
    render: (row) => (
      <>
        {row.numberE164 ?? row.input.phoneNumber ?? <span className="font-sans text-zinc-400">(unchanged)</span>}
        {row.numberE164 && row.input.phoneNumber && row.numberE164 !== row.input.phoneNumber ? <span className="block font-sans text-zinc-500">{row.input.phoneNumber}</span> : null}
      </>
    ),
  },
  { id: 'policies', label: 'Policies', cellClass: `min-w-40 ${cell} text-xs text-zinc-700`, render: (row) => policiesOf(row) || <span className="text-zinc-400">(none)</span> },
  {
    id: 'verdict',
    label: 'Dry run',
    cellClass: `min-w-48 ${cell}`,
    render: (row) => (
      <>
        {row.verdict === 'ok' ? <Badge tone="green">OK</Badge> : <Badge tone="red">Error</Badge>}
        {row.verdictMessage ? <span className="mt-0.5 block text-xs text-red-800">{row.verdictMessage}</span> : null}
      </>
    ),
  },
  {
    id: 'result',
    label: 'Result',
    cellClass: `min-w-48 ${cell}`,
    render: (row) => (
      <span data-testid="bulk-row-result">
        <Badge tone={stateTones[row.state]}>{stateLabels[row.state]}</Badge>
        {row.attempts > 1 ? <span className="ml-1 text-xs text-zinc-500">attempt {row.attempts}</span> : null}
        {row.resultMessage ? <span className={`mt-0.5 block text-xs ${row.state === 'failed' ? 'text-red-800' : 'text-zinc-600'}`}>{row.resultMessage}</span> : null}
      </span>
    ),
  },
];
const defaultRowColumns = rowColumns.map((c) => c.id);

/** Every row with its dry-run verdict and its run state; only the visible rows are in the DOM. */
function RowsTable({ rows, showState, arrangement }: { rows: BulkRowDto[]; showState: boolean; arrangement: ColumnArrangement<ColumnIdOf<'teams-bulk-rows'>> }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const items = virtualizer.getVirtualItems();
  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = items.length ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;
  const shownColumns = inOrder(rowColumns, arrangement.visible).filter((c) => showState || c.id !== 'result');
  const colSpan = shownColumns.length + 1;
  return (
    <div ref={scrollRef} role="region" aria-label="Rows of the file" tabIndex={0} className="relative max-h-[32rem] overflow-auto rounded-md border border-zinc-200 bg-white" data-testid="bulk-rows-scroll">
      <table className="w-full text-sm" aria-rowcount={rows.length + 1}>
        <caption className="sr-only">Rows of the file with their dry-run verdict{showState ? ' and result' : ''}</caption>
        <thead className="sticky top-0 z-[1] bg-zinc-50 shadow-[0_1px_0_var(--color-zinc-200)]">
          <tr aria-rowindex={1}>
            {['Line', ...shownColumns.map((c) => c.label)].map((h) => (
              <th key={h} scope="col" className="px-3 py-2 text-left text-xs font-semibold tracking-wide whitespace-nowrap text-zinc-600 uppercase">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {paddingTop > 0 ? (
            <tr aria-hidden="true">
              <td colSpan={colSpan} style={{ height: paddingTop, padding: 0 }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const row = rows[item.index]!;
            return (
              <tr key={row.id} ref={virtualizer.measureElement} data-index={item.index} aria-rowindex={item.index + 2} data-testid="bulk-row" data-state={row.state} data-verdict={row.verdict}>
                <td className={`${cell} text-zinc-600 tabular-nums`}>{row.rowNumber}</td>
                {shownColumns.map((c) => (
                  <td key={c.id} className={c.cellClass}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            );
          })}
          {paddingBottom > 0 ? (
            <tr aria-hidden="true">
              <td colSpan={colSpan} style={{ height: paddingBottom, padding: 0 }} />
            </tr>
          ) : null}
          {rows.length === 0 ? (
            <tr>
              <td colSpan={colSpan} className="px-3 py-8 text-center text-sm text-zinc-600">
                No row matches this filter.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}

function Job({ tenantId, jobId, canWrite, onReset }: { tenantId: string; jobId: string; canWrite: boolean; onReset: () => void }) {
  const { tenant } = useTenant();
  const queryClient = useQueryClient();
  const query = useQuery(bulkJobQuery(tenantId, jobId));
  const job = query.data;
  const [filter, setFilter] = useState<Filter>('all');
  const rowArrangement = useColumnArrangement('teams-bulk-rows', rowColumns, defaultRowColumns);
  const wasActive = useRef(false);

  // After an upload (or opening a job), focus moves to the job's heading so a screen reader reads it next.
  const loaded = Boolean(query.data);
  useEffect(() => {
    const heading = loaded ? document.getElementById('bulk-job-heading') : null;
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
  }, [loaded, jobId]);

  // The job changes numbers and users: the inventory and Teams pages read again once it ends.
  const active = isActive(job);
  useEffect(() => {
    if (wasActive.current && !active) {
      void queryClient.invalidateQueries({ queryKey: inventoryKeys.inventory(tenantId) });
      void queryClient.invalidateQueries({ queryKey: teamsKeys.all(tenantId) });
    }
    wasActive.current = active;
  }, [active, queryClient, tenantId]);

  const act = useMutation({
    mutationFn: (action: 'run' | 'cancel' | 'retry') => bulkApi[action](tenantId, jobId),
    onSuccess: (view) => {
      queryClient.setQueryData<BulkJobWithRowsDto>(bulkKeys.job(tenantId, jobId), (old) => (old ? { ...old, ...view } : old));
      void queryClient.invalidateQueries({ queryKey: bulkKeys.job(tenantId, jobId) });
    },
  });

  const rows = useMemo(() => job?.rows ?? [], [job?.rows]);
  const shown = useMemo(
    () => rows.filter((r) => filter === 'all' || (filter === 'failed' ? r.state === 'failed' || r.state === 'cancelled' : r.verdict === filter)),
    [rows, filter],
  );

  if (!job) {
    return (
      <Section id="bulk-job-loading" title="Bulk job">
        {query.isPending ? <p className="text-sm text-zinc-600">Loading the job…</p> : null}
        <ErrorAlert error={query.error} />
      </Section>
    );
  }

  const okCount = rows.filter((r) => r.verdict === 'ok').length;
  const errorCount = rows.length - okCount;
  const retryable = job.counts.failed + job.counts.cancelled;
  const started = job.status !== 'draft' || job.startedAt !== null;
  const filters: [Filter, string, number][] = [
    ['all', 'All', rows.length],
    ['ok', 'OK', okCount],
    ['error', 'Errors', errorCount],
    ...(started ? [['failed', 'Failed or cancelled', retryable] as [Filter, string, number]] : []),
  ];

  return (
    <Section
      id="bulk-job"
      title={job.status === 'draft' && !started ? 'Dry run' : 'Bulk job'}
      description={
        <>
          {job.fileName || 'Uploaded file'} · {plural(job.total, 'row')}
          {job.ticketId ? ` · ticket #${job.ticketId}` : ''}
        </>
      }
      actions={
        <div className="flex flex-wrap gap-2">
          <a
            href={bulkApi.resultsUrl(tenantId, jobId)}
            download
            className="inline-flex items-center rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium text-zinc-800 shadow-xs hover:bg-zinc-50"
          >
            Download results
          </a>
          {canWrite ? <Button onClick={onReset}>Upload another file</Button> : null}
        </div>
      }
    >
      <div className="space-y-5">
        <dl className="grid grid-cols-3 gap-3 sm:max-w-lg">
          {(
            [
              ['Rows', rows.length, 'rows'],
              ['Ready to run', okCount, 'ok'],
              ['Errors (skipped)', errorCount, 'errors'],
            ] as const
          ).map(([label, value, id]) => (
            <div key={id} className={`rounded-md border px-3 py-2 ${id === 'errors' && value > 0 ? 'border-red-200 bg-red-50' : 'border-zinc-200 bg-zinc-50'}`}>
              <dt className="text-xs text-zinc-600">{label}</dt>
              <dd className="text-lg font-semibold text-zinc-900 tabular-nums" data-testid={`bulk-${id}`}>
                {formatCount(value)}
              </dd>
            </div>
          ))}
        </dl>

        {!started && errorCount > 0 ? (
          <div role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {plural(errorCount, 'row')} did not pass the dry run and will be skipped. Fix them in the file and upload it again, or run the {plural(okCount, 'row')} that passed.
          </div>
        ) : null}

        {started ? <JobProgress job={job} /> : null}
        {job.throttledUntil && isActive(job) ? (
          <div data-testid="bulk-throttled">
            <Notice tone="info">
              Throttled by Teams, resuming at {new Date(job.throttledUntil).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}. Teams asked this tenant to wait; the job carries on by itself.
            </Notice>
          </div>
        ) : null}
        {job.status === 'cancelled' ? <Notice tone="info">The job was cancelled: rows not started were not run. Retry them to carry on.</Notice> : null}
        {job.status === 'completed' && job.counts.failed === 0 ? <Notice>Finished: {plural(job.counts.succeeded, 'row')} succeeded.</Notice> : null}
        {!isActive(job) && job.counts.failed > 0 ? (
          <Notice tone="warning">
            {plural(job.counts.failed, 'row')} failed in Teams; the message on each says why. Fix the cause, then retry them. Succeeded rows are not run again.
          </Notice>
        ) : null}

        <ErrorAlert error={act.error ?? query.error} />

        <div className="flex flex-wrap items-center gap-2">
          {canWrite && job.status === 'draft' && job.counts.pending > 0 ? (
            <Button variant="primary" busy={act.isPending} onClick={() => act.mutate('run')}>
              Run {plural(job.counts.pending, 'row')}
            </Button>
          ) : null}
          {canWrite && job.status === 'draft' && job.counts.pending === 0 && !started ? <p className="text-sm text-zinc-600">No row passed the dry run: nothing to run.</p> : null}
          {canWrite && isActive(job) && !job.cancelRequested ? (
            <Button variant="danger" busy={act.isPending} onClick={() => act.mutate('cancel')}>
              Cancel job
            </Button>
          ) : null}
          {canWrite && (job.status === 'completed' || job.status === 'cancelled') && retryable > 0 ? (
            <Button variant="primary" busy={act.isPending} onClick={() => act.mutate('retry')}>
              Retry failed rows ({formatCount(retryable)})
            </Button>
          ) : null}
          {!canWrite ? <p className="text-sm text-zinc-600">Your role can follow this job but not run, cancel or retry it.</p> : null}
        </div>
        {canWrite && job.status === 'draft' && job.counts.pending > 0 && !started ? <ScheduleControl tenantId={tenantId} timeZone={tenant.timeZone} kind="bulk_run" name="bulkWhen" input={() => ({ jobId })} /> : null}

        <div className="space-y-2">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <div role="group" aria-label="Show rows" className="inline-flex flex-wrap gap-1 rounded-md border border-zinc-200 bg-zinc-50 p-1">
              {filters.map(([id, label, n]) => (
                <button
                  key={id}
                  type="button"
                  aria-pressed={filter === id}
                  onClick={() => setFilter(id)}
                  className="rounded px-2.5 py-1 text-sm font-medium text-zinc-700 hover:bg-white aria-pressed:bg-white aria-pressed:text-blue-800 aria-pressed:shadow-xs"
                >
                  {label} <span className="tabular-nums">({formatCount(n)})</span>
                </button>
              ))}
            </div>
            <ColumnArrangementMenu arrangement={rowArrangement} fixed="Line" label="the rows of the file" />
          </div>
          <RowsTable rows={shown} showState={started} arrangement={rowArrangement} />
        </div>
      </div>
    </Section>
  );
}

export function BulkPage() {
  const { tenant, canWrite } = useTenant();
  const { job: jobId } = useSearch({ from: '/app/tenants/$tenantId/bulk' });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [ticket, setTicket] = useState('');
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [error, setError] = useState<unknown>(null);
  const ticketError = ticket && !TICKET.test(ticket) ? 'A ticket number is digits only.' : undefined;

  const send = async (chosen: File) => {
    if (ticketError) return;
    setError(null);
    setFile(chosen);
    setProgress({ loaded: 0, total: chosen.size });
    try {
      const job = await bulkApi.upload(tenant.id, chosen, ticket, setProgress);
      queryClient.setQueryData(bulkKeys.job(tenant.id, job.id), job);
      await navigate({ to: '/tenants/$tenantId/bulk', params: { tenantId: tenant.id }, search: { job: job.id } });
    } catch (e) {
      setError(e);
    } finally {
      setProgress(null);
    }
  };

  const reset = () => {
    setFile(null);
    setError(null);
    void navigate({ to: '/tenants/$tenantId/bulk', params: { tenantId: tenant.id }, search: {} });
  };

  if (jobId) return <Job key={jobId} tenantId={tenant.id} jobId={jobId} canWrite={canWrite} onReset={reset} />;

  return (
    <div className="space-y-6">
      <Section
        title="Bulk assignment"
        description="Upload a CSV of users with numbers and policies. Every row is checked first (dry run); nothing changes in Teams until you run it."
        actions={
          <a
            href={bulkApi.templateUrl(tenant.id)}
            download
            className="inline-flex items-center rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium text-zinc-800 shadow-xs hover:bg-zinc-50"
          >
            Download template
          </a>
        }
      >
        {!canWrite ? (
          <Notice tone="info">{tenant.status === 'archived' ? 'This tenant is archived: nothing can be assigned in it.' : 'Your role can follow bulk jobs (open one from its link) but not start them.'}</Notice>
        ) : (
          <div className="space-y-4">
            <div className="max-w-2xl">
              <TicketPicker tenant={tenant} value={ticket} onChange={setTicket} error={ticketError} hint="Recorded with every change of this job." />
            </div>
            <FileDropZone hint="Comma- or semicolon-separated, with a header row. Up to 5,000 users." file={file} disabled={progress !== null || Boolean(ticketError)} onFile={(chosen) => void send(chosen)} />
            {progress ? <UploadBar progress={progress} /> : null}
            <ErrorAlert error={error} />
          </div>
        )}
      </Section>

      <CsvColumnsHelp description="Header names are case-insensitive." columns={columnHelp} />
    </div>
  );
}
