import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { connectWiseApi, connectWiseConnectionQuery } from '../../api/connectwise.ts';
import { teamsKeys, voiceChangeQuery, type VoiceChangeDto } from '../../api/teams.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';

/** Where a ticket opens in Manage (the classic service ticket page of the site). */
export function ticketUrl(site: string, ticketId: string): string {
  return `https://${site}/v4_6_release/services/system_io/Service/fv_sr100_request.rdl?service_recid=${encodeURIComponent(ticketId)}`;
}

/** "Ticket #48213", linked to the ticket in Manage when the tenant's site is known (F6). */
export function TicketRef({ tenantId, ticketId }: { tenantId: string; ticketId: string }) {
  const connection = useQuery({ ...connectWiseConnectionQuery(tenantId), staleTime: 300_000, retry: false });
  const site = connection.data?.configured ? connection.data.site : null;
  if (!site) return <>Ticket #{ticketId}</>;
  return (
    <a href={ticketUrl(site, ticketId)} target="_blank" rel="noopener noreferrer" className="text-blue-700 underline">
      Ticket #{ticketId}
    </a>
  );
}

/**
 * How logging a change on its ticket went (F5): under way, retried while ConnectWise is away,
 * done, or failed with Manage's own words and a way to try again. Follows the change while the
 * logging is still running.
 */
export function TicketLogState({ tenantId, change, canWrite }: { tenantId: string; change: VoiceChangeDto; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const running = change.ticketLog.status === 'queued' || change.ticketLog.status === 'retrying';
  const live = useQuery({ ...voiceChangeQuery(tenantId, change.id), enabled: running });
  const current = (running ? live.data : undefined) ?? change;
  const retry = useMutation({
    mutationFn: () => connectWiseApi.retryTicketLog(tenantId, change.id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: teamsKeys.change(tenantId, change.id) });
      void queryClient.invalidateQueries({ queryKey: teamsKeys.changes(tenantId) });
    },
  });
  const { status, error } = current.ticketLog;
  if (!current.ticketId || status === 'none') return null;
  const ticket = `#${current.ticketId}`;
  return (
    <div className="mt-2 text-sm" data-testid="ticket-log" data-status={status} aria-live="polite">
      {status === 'queued' ? <p className="text-zinc-700">Logging on ticket {ticket}: note, status and time…</p> : null}
      {status === 'retrying' ? (
        <p className="text-amber-900">
          ConnectWise did not answer; logging on ticket {ticket} is retried automatically.{error ? <span className="block text-xs">{error}</span> : null}
        </p>
      ) : null}
      {status === 'logged' ? (
        <p className="text-green-900">
          ✓ Logged on ticket {ticket}.{error ? <span className="block text-xs text-amber-900">{error}</span> : null}
        </p>
      ) : null}
      {status === 'failed' ? (
        <div className="space-y-1 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-900">
          <p className="font-medium">✗ Not logged on ticket {ticket}; the voice change itself is done.</p>
          {error ? <p data-testid="ticket-log-error">{error}</p> : null}
          {canWrite ? (
            <div className="flex flex-wrap items-center gap-2">
              <Button size="sm" onClick={() => retry.mutate()} busy={retry.isPending}>
                Try logging again
              </Button>
              <span className="text-xs">Fix the cause first (e.g. the work role in the tenant's ticket defaults); steps already done are not repeated.</span>
            </div>
          ) : null}
          <ErrorAlert error={retry.error} />
        </div>
      ) : null}
    </div>
  );
}
