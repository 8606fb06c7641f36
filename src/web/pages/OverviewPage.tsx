import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { connectWiseApi } from '../api/connectwise.ts';
import { overviewQuery, type OverviewItemDto } from '../api/overview.ts';
import { sessionQuery } from '../api/session.ts';
import { ErrorAlert, Notice } from '../components/Alert.tsx';
import { Badge, type Tone } from '../components/Badge.tsx';
import { Button } from '../components/Button.tsx';
import { PageHeader, Section } from '../components/Section.tsx';
import { formatDateTime } from '../lib/format.ts';

const severityTone: Record<OverviewItemDto['severity'], Tone> = { error: 'red', warning: 'amber', info: 'blue' };
const severityLabel: Record<OverviewItemDto['severity'], string> = { error: 'Failed', warning: 'Attention', info: 'In progress' };

function ItemLink({ item }: { item: OverviewItemDto }) {
  const params = { tenantId: item.tenantId };
  const text = 'Open';
  switch (item.link.page) {
    case 'voice':
      return <Link to="/tenants/$tenantId/voice" params={params} search={item.link.user ? { user: item.link.user } : {}} className="text-sm font-medium text-blue-700 hover:underline">{text}</Link>;
    case 'bulk':
      return <Link to="/tenants/$tenantId/bulk" params={params} search={item.link.job ? { job: item.link.job } : {}} className="text-sm font-medium text-blue-700 hover:underline">{text}</Link>;
    case 'ranges':
      return <Link to="/tenants/$tenantId/ranges" params={params} className="text-sm font-medium text-blue-700 hover:underline">{text}</Link>;
    case 'connections':
      return <Link to="/tenants/$tenantId/connections" params={params} className="text-sm font-medium text-blue-700 hover:underline">{text}</Link>;
    case 'threecx':
      return <Link to="/tenants/$tenantId/threecx" params={params} className="text-sm font-medium text-blue-700 hover:underline">{text}</Link>;
    case 'reconcile':
      return <Link to="/tenants/$tenantId/reconcile" params={params} className="text-sm font-medium text-blue-700 hover:underline">{text}</Link>;
    case 'scheduled':
      return <Link to="/tenants/$tenantId/scheduled" params={params} className="text-sm font-medium text-blue-700 hover:underline">{text}</Link>;
    case 'lifecycle':
      return <Link to="/tenants/$tenantId/lifecycle" params={params} className="text-sm font-medium text-blue-700 hover:underline">{text}</Link>;
  }
}

function RetryTicketLog({ item }: { item: OverviewItemDto }) {
  const queryClient = useQueryClient();
  const retry = useMutation({
    mutationFn: () => connectWiseApi.retryTicketLog(item.tenantId, item.changeId!),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: overviewQuery.queryKey }),
  });
  return (
    <>
      <Button size="sm" onClick={() => retry.mutate()} busy={retry.isPending}>
        Try logging again
      </Button>
      <ErrorAlert error={retry.error} />
    </>
  );
}

function WorkItem({ item }: { item: OverviewItemDto }) {
  return (
    <li className="flex flex-wrap items-start justify-between gap-3 py-3" data-testid="overview-item" data-kind={item.kind}>
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-center gap-2">
          <Badge tone={severityTone[item.severity]}>{item.kind === 'scheduled_upcoming' ? 'Scheduled' : severityLabel[item.severity]}</Badge>
          <span className="text-sm font-medium text-zinc-900">{item.title}</span>
        </div>
        <p className="mt-1 text-sm text-zinc-600">{item.detail}</p>
        {item.progress ? (
          <progress className="mt-2 h-2 w-48" max={item.progress.total} value={item.progress.done} aria-label={`${item.progress.done} of ${item.progress.total} done`} />
        ) : null}
        <p className="mt-1 text-xs text-zinc-500">
          {item.tenantName} · {formatDateTime(item.at)}
        </p>
      </div>
      <div className="flex items-center gap-3">
        {item.kind === 'ticket_log_failed' && item.changeId ? <RetryTicketLog item={item} /> : null}
        <ItemLink item={item} />
      </div>
    </li>
  );
}

/** The first page after sign-in: what needs attention across the operator's tenants, live. */
export function OverviewPage() {
  const { data: session } = useQuery(sessionQuery);
  const overview = useQuery(overviewQuery);
  const operator = session?.operator;
  if (!operator) return null;
  const items = overview.data?.items ?? [];
  return (
    <div>
      <PageHeader title={`Welcome, ${operator.displayName}`} description="What needs attention across your tenants: changes waiting, failed or scheduled, joiners and leavers, bulk jobs, ticket logging, drift, ranges running out and connections." />
      {!operator.mfaEnrolled ? (
        <Notice tone="warning" className="mb-6">
          Your account is protected by a password only. <Link to="/profile" hash="mfa" className="font-medium underline">Set up an authenticator app</Link> in your profile.
        </Notice>
      ) : null}
      <Section
        title="Work list"
        description={overview.data ? `${overview.data.tenants} ${overview.data.tenants === 1 ? 'tenant' : 'tenants'} · updated ${formatDateTime(overview.data.generatedAt)}` : undefined}
      >
        <ErrorAlert error={overview.error} />
        {overview.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
        {overview.data && items.length === 0 ? (
          <p className="text-sm text-zinc-600">
            {overview.data.tenants === 0 ? 'You have no tenants in your scope yet. An admin can add you to a tenant.' : 'Nothing needs attention: no pending or failed changes, no failed ticket logging, no bulk jobs running, no ranges running out and no failing connections.'}
          </p>
        ) : null}
        {items.length ? <ul className="divide-y divide-zinc-200">{items.map((item, i) => <WorkItem key={`${item.kind}-${item.changeId ?? item.link.job ?? item.link.user ?? ''}-${item.tenantId}-${i}`} item={item} />)}</ul> : null}
      </Section>
    </div>
  );
}
