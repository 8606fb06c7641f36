import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { voiceChangeQuery, type VoiceChangeDto } from '../../api/teams.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { changeDoneLabels, changeSummary } from '../../lib/teams.ts';
import { TicketLogState } from '../connectwise/TicketLogState.tsx';

function Summary({ change }: { change: VoiceChangeDto }) {
  const lines = changeSummary(change);
  return lines.length ? (
    <ul className="mt-1 list-inside list-disc text-sm">
      {lines.map((l) => (
        <li key={l}>{l}</li>
      ))}
    </ul>
  ) : null;
}

/**
 * Follows one voice change until Teams has the last word (D7): polls it every 1.5 s while it is
 * pending and only then says whether it worked. `onSettled` runs once, when it stops pending.
 */
export function ChangeTracker({ tenantId, changeId, onSettled, focus = false, canWrite = false }: { tenantId: string; changeId: string; onSettled: (change: VoiceChangeDto) => void; focus?: boolean; canWrite?: boolean }) {
  const change = useQuery(voiceChangeQuery(tenantId, changeId));
  const data = change.data;
  const settledFor = useRef<string | null>(null);
  const onSettledRef = useRef(onSettled);
  onSettledRef.current = onSettled;
  useEffect(() => {
    if (data && data.status !== 'pending' && settledFor.current !== data.id) {
      settledFor.current = data.id;
      onSettledRef.current(data);
    }
  }, [data]);

  // Where keyboard focus goes once a change is sent (the form closes while Teams works); one
  // element for the whole life of the change, so focus stays when pending turns into the outcome.
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focus) box.current?.focus();
  }, [focus, changeId]);

  return (
    <div ref={box} tabIndex={-1} data-testid="change-tracker" aria-live={data?.status === 'failed' ? 'assertive' : 'polite'} className="rounded-md focus:outline-2 focus:outline-offset-2 focus:outline-blue-600">
      <Outcome data={data} error={change.error} />
      {data?.status === 'succeeded' ? <TicketLogState tenantId={tenantId} change={data} canWrite={canWrite} /> : null}
    </div>
  );
}

function Outcome({ data, error }: { data: VoiceChangeDto | undefined; error: Error | null }) {
  if (!data) return error ? <ErrorAlert error={error} /> : <p className="text-sm text-zinc-600">Checking the change…</p>;
  if (data.status === 'pending') {
    return (
      <div data-testid="change-status" data-status="pending" className="rounded-md border border-blue-200 bg-blue-50 px-4 py-3 text-blue-950">
        <p className="flex items-center gap-2 font-medium">
          <span aria-hidden="true" className="size-3.5 animate-spin rounded-full border-2 border-blue-700 border-t-transparent" />
          Waiting for Teams to confirm…
        </p>
        <Summary change={data} />
        <p className="mt-1 text-xs text-blue-900">Teams can take from a few seconds to a few minutes. This page checks every few seconds; you can leave it, the change carries on.</p>
        {error ? <p className="mt-1 text-xs text-red-800">Could not check just now ({error.message}); trying again.</p> : null}
      </div>
    );
  }
  if (data.status === 'succeeded') {
    return (
      <div data-testid="change-status" data-status="succeeded" className="rounded-md border border-green-200 bg-green-50 px-4 py-3 text-green-900">
        <p className="font-medium">✓ Teams confirmed: {changeDoneLabels[data.kind]}.</p>
        <Summary change={data} />
      </div>
    );
  }
  const numberClaimed = data.requested.number && data.requested.number.e164 !== data.before.number?.e164 && data.errorCode !== 'policies_failed';
  return (
    <div data-testid="change-status" data-status="failed" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-red-900">
      <p className="font-medium">✗ The change did not go through.</p>
      <p className="mt-1 text-sm">{data.errorMessage ?? 'Teams refused the change.'}</p>
      <Summary change={data} />
      {numberClaimed ? <p className="mt-1 text-sm">{data.requested.number!.e164} is back in the inventory as it was before; the user keeps their previous set-up.</p> : null}
    </div>
  );
}
