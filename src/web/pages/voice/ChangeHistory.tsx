import { useMutation } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState, type ReactNode } from 'react';
import { ApiError } from '../../api/client.ts';
import { teamsApi, type VoiceChangeDto } from '../../api/teams.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { TextField } from '../../components/Field.tsx';
import { Button } from '../../components/Button.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { TICKET } from '../../lib/inventory.ts';
import { changeKindLabels, changeStatus, changeSummary } from '../../lib/teams.ts';
import { TicketLogState, TicketRef } from '../connectwise/TicketLogState.tsx';

/** Numbers a change touched, each linking to its own history in the inventory. */
export function NumberLinks({ tenantId, change }: { tenantId: string; change: VoiceChangeDto }) {
  const numbers = [change.before.number, change.requested.number].filter((n, i, all): n is NonNullable<typeof n> => Boolean(n?.numberId) && all.findIndex((m) => m?.numberId === n?.numberId) === i);
  if (!numbers.length) return null;
  return (
    <span className="mt-1 flex flex-wrap gap-x-3 text-xs">
      {numbers.map((n) => (
        <Link key={n.numberId} to="/tenants/$tenantId/numbers" params={{ tenantId }} search={{ number: n.numberId! }} className="text-blue-700 underline" aria-label={`History of ${n.e164} in the inventory`}>
          {n.e164} in the inventory
        </Link>
      ))}
    </span>
  );
}

/** Asks before reverting one change; a conflict (the old number taken, a newer change) is shown as such and changes nothing. */
export function RevertDialog({ tenantId, change, onClose, onRequested }: { tenantId: string; change: VoiceChangeDto | null; onClose: () => void; onRequested: (change: VoiceChangeDto) => void }) {
  const [ticket, setTicket] = useState('');
  const [ticketError, setTicketError] = useState<string | undefined>();
  const revert = useMutation({
    mutationFn: (c: VoiceChangeDto) => teamsApi.revert(tenantId, c.id, ticket.trim() || null),
    onSuccess: (started) => {
      onRequested(started);
      close();
    },
  });
  const close = () => {
    revert.reset();
    setTicket('');
    setTicketError(undefined);
    onClose();
  };
  const lines = change ? changeSummary({ before: change.requested, requested: change.before }) : [];
  const conflict = revert.error instanceof ApiError && revert.error.status === 409 ? revert.error : null;
  return (
    <ConfirmDialog
      open={change !== null}
      title="Revert this change?"
      confirmLabel="Revert in Teams"
      busy={revert.isPending}
      error={conflict ? null : revert.error}
      onCancel={close}
      onConfirm={() => {
        if (ticket.trim() && !TICKET.test(ticket.trim())) return setTicketError('A ticket number is digits only, e.g. 48213.');
        setTicketError(undefined);
        if (change) revert.mutate(change);
      }}
    >
      <div className="space-y-3">
        <p>{change?.userUpn} gets back what they had before this change:</p>
        {lines.length ? (
          <ul className="list-inside list-disc">
            {lines.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        ) : null}
        <p className="text-zinc-600">If the old number has been given to someone else meanwhile, nothing is changed and you are told why.</p>
        {conflict ? (
          <div role="alert" data-testid="revert-conflict" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900">
            <p className="font-semibold">Not reverted: nothing was changed.</p>
            <p className="mt-1">{conflict.message}</p>
          </div>
        ) : null}
        <TextField label="Ticket number (optional)" name="revertTicket" inputMode="numeric" autoComplete="off" value={ticket} onChange={(e) => setTicket(e.target.value)} error={ticketError} className="max-w-56" />
      </div>
    </ConfirmDialog>
  );
}

/** The user's voice changes, newest first, with Revert on each one Teams completed (D6). */
export function ChangeHistory({
  tenantId,
  changes,
  error,
  loading,
  canWrite,
  busy,
  auditLink,
  onRequested,
}: {
  tenantId: string;
  changes: VoiceChangeDto[] | undefined;
  error: unknown;
  loading: boolean;
  canWrite: boolean;
  busy: boolean;
  auditLink: ReactNode;
  onRequested: (change: VoiceChangeDto) => void;
}) {
  const [reverting, setReverting] = useState<VoiceChangeDto | null>(null);
  return (
    <section aria-labelledby="voice-history-heading" className="rounded-lg border border-zinc-200 bg-white shadow-xs">
      <div className="flex flex-wrap items-start justify-between gap-3 border-b border-zinc-200 px-5 py-4">
        <div>
          <h2 id="voice-history-heading" className="text-base font-semibold text-zinc-900">
            Changes
          </h2>
          <p className="mt-0.5 text-sm text-zinc-600">Voice changes made here for this user, newest first.</p>
        </div>
        {auditLink}
      </div>
      <div className="px-5 py-4">
        <ErrorAlert error={error} />
        {loading ? <p className="text-sm text-zinc-600">Loading…</p> : null}
        {changes?.length === 0 ? <p className="text-sm text-zinc-600">No changes yet.</p> : null}
        {changes && changes.length > 0 ? (
          <ol className="divide-y divide-zinc-100" data-testid="voice-history">
            {changes.map((c) => {
              const status = changeStatus[c.status];
              const lines = changeSummary(c);
              return (
                <li key={c.id} className="flex flex-wrap items-start justify-between gap-3 py-3" data-testid="voice-change" data-status={c.status}>
                  <div className="min-w-0 flex-1">
                    <p className="flex flex-wrap items-center gap-2 text-sm">
                      <span className="font-medium text-zinc-900">{changeKindLabels[c.kind]}</span>
                      <Badge tone={status.tone}>{status.label}</Badge>
                    </p>
                    {lines.length ? (
                      <ul className="mt-1 text-sm text-zinc-700">
                        {lines.map((l) => (
                          <li key={l}>{l}</li>
                        ))}
                      </ul>
                    ) : null}
                    {c.errorMessage ? <p className="mt-1 text-sm text-red-800">{c.errorMessage}</p> : null}
                    <p className="mt-1 text-xs text-zinc-500">
                      <time dateTime={c.createdAt}>{formatDateTime(c.createdAt)}</time>
                      {c.completedAt && c.status !== 'pending' ? ` · done ${formatDateTime(c.completedAt)}` : ''}
                      {c.ticketId ? (
                        <>
                          {' · '}
                          <TicketRef tenantId={tenantId} ticketId={c.ticketId} />
                        </>
                      ) : null}
                    </p>
                    <NumberLinks tenantId={tenantId} change={c} />
                    <TicketLogState tenantId={tenantId} change={c} canWrite={canWrite} />
                  </div>
                  {canWrite && c.status === 'succeeded' ? (
                    <Button size="sm" onClick={() => setReverting(c)} disabled={busy} aria-label={`Revert “${changeKindLabels[c.kind]}” of ${formatDateTime(c.createdAt)}`}>
                      Revert…
                    </Button>
                  ) : null}
                </li>
              );
            })}
          </ol>
        ) : null}
      </div>
      <RevertDialog tenantId={tenantId} change={reverting} onClose={() => setReverting(null)} onRequested={onRequested} />
    </section>
  );
}
