import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { resourceAccountApi } from '../../api/resource-accounts.ts';
import { voiceChangeQuery, type VoiceChangeDto } from '../../api/teams.ts';
import type { NumberDto } from '../../api/types.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { TextField } from '../../components/Field.tsx';
import { NumberPicker } from '../voice/NumberPicker.tsx';

/** The resource account a number goes on (or comes off): what the Voice apps table shows of it. */
export type ResourceAccountRef = { objectId: string; displayName: string; phoneNumber: string | null };

function ChangeOutcome({ tenantId, changeId }: { tenantId: string; changeId: string }) {
  const change = useQuery(voiceChangeQuery(tenantId, changeId));
  if (!change.data || change.data.status === 'pending') return <p className="text-sm text-zinc-700" aria-live="polite">Waiting for Teams to confirm…</p>;
  if (change.data.status === 'failed') return <ErrorAlert error={new Error(change.data.errorMessage ?? 'Teams refused the change.')} />;
  return (
    <Notice>
      {change.data.kind === 'remove_number' ? `${change.data.before.number?.e164 ?? 'The number'} removed in Teams.` : `${change.data.requested.number?.e164} assigned in Teams.`} Revert it from the voice change history like any voice change.
    </Notice>
  );
}

/**
 * "Assign number" (or "Remove number" when the account has one) for one resource account, as a
 * voice change followed until Teams confirms. `onDone` gets the change once Teams has answered.
 */
export function AssignResourceAccountNumberDialog({ tenantId, account, onDone }: { tenantId: string; account: ResourceAccountRef; onDone?: (change: VoiceChangeDto) => void }) {
  const removing = account.phoneNumber !== null;
  const [open, setOpen] = useState(false);
  const [number, setNumber] = useState<NumberDto | null>(null);
  const [ticketId, setTicketId] = useState('');
  const save = useMutation({
    mutationFn: () => (removing ? resourceAccountApi.removeNumber(tenantId, account.objectId, ticketId.trim() || null) : resourceAccountApi.assignNumber(tenantId, account.objectId, number!.id, ticketId.trim() || null)),
  });
  const followed = useQuery({ ...voiceChangeQuery(tenantId, save.data?.id ?? ''), enabled: Boolean(save.data) });
  const answered = followed.data && followed.data.status !== 'pending' ? followed.data : null;
  const close = () => {
    setOpen(false);
    if (answered) onDone?.(answered);
    save.reset();
    setNumber(null);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const label = removing ? 'Remove number' : 'Assign number';

  return (
    <>
      <Button size="sm" onClick={() => setOpen(true)} aria-label={`${label}: ${account.displayName}`}>
        {label}
      </Button>
      <Dialog open={open} onClose={close} title={`${label} — ${account.displayName}`} description={removing ? `Takes ${account.phoneNumber} off the resource account; the number rests in cooling.` : 'A service number from the inventory, assigned in Teams as a voice change.'} wide={!removing}>
        {save.data ? (
          <div className="space-y-4">
            <ChangeOutcome tenantId={tenantId} changeId={save.data.id} />
            <div className="flex justify-end">
              <Button onClick={close}>Close</Button>
            </div>
          </div>
        ) : (
          <form onSubmit={submit} className="space-y-4" noValidate>
            {removing ? null : <NumberPicker tenantId={tenantId} value={number} onChange={setNumber} />}
            <TextField label="Ticket (optional)" value={ticketId} onChange={(e) => setTicketId(e.target.value)} inputMode="numeric" className="max-w-48" />
            <ErrorAlert error={save.error} />
            <div className="flex justify-end gap-2">
              <Button onClick={close}>Cancel</Button>
              <Button variant={removing ? 'danger' : 'primary'} type="submit" busy={save.isPending} disabled={!removing && !number}>
                {label}
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </>
  );
}
