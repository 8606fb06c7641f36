import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { ticketBody, type TicketLogChoicesDto } from '../../api/connectwise.ts';
import { inventoryKeys } from '../../api/inventory.ts';
import { teamsApi, teamsKeys, type VoiceChangeDto, type VoiceChangeInput } from '../../api/teams.ts';
import type { NumberDto } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { fieldError } from '../../lib/errors.ts';
import { TICKET } from '../../lib/inventory.ts';
import { useRole } from '../../lib/role.ts';
import { TicketPicker } from '../connectwise/TicketPicker.tsx';
import { useTenant } from '../tenants/tenant-context.ts';
import { RevertDialog } from '../voice/ChangeHistory.tsx';
import { ChangeTracker } from '../voice/ChangeTracker.tsx';

type Action = 'remove' | 'reset';

const actionText: Record<Action, { button: string; title: (n: NumberDto, upn: string) => string; explain: (n: NumberDto, upn: string) => string; confirm: string }> = {
  remove: {
    button: 'Remove from the user…',
    title: (n, upn) => `Remove ${n.e164} from ${upn}?`,
    explain: (n, upn) => `Teams takes ${n.e164} off ${upn}; the number then cools down in the inventory before anyone else can have it. The change is audited and can be reverted.`,
    confirm: 'Remove in Teams',
  },
  reset: {
    button: 'Reset the user’s policies…',
    title: (_n, upn) => `Reset ${upn}’s policies?`,
    explain: (n, upn) =>
      `Every policy assigned directly to ${upn} is removed, so they get the tenant’s global (default) policies. ${n.e164} stays theirs. The change is audited and can be reverted.`,
    confirm: 'Reset in Teams',
  },
};

function ActionDialog({ number, upn, userId, action, onClose, onStarted }: { number: NumberDto; upn: string; userId: string; action: Action | null; onClose: () => void; onStarted: (change: VoiceChangeDto) => void }) {
  const { tenant } = useTenant();
  const [ticket, setTicket] = useState('');
  const [choices, setChoices] = useState<TicketLogChoicesDto | null>(null);
  const [ticketError, setTicketError] = useState<string | undefined>();
  const send = useMutation({
    mutationFn: (body: VoiceChangeInput) => teamsApi.requestChange(tenant.id, userId, body),
    onSuccess: (started) => {
      onStarted(started);
      close();
    },
  });
  const close = () => {
    send.reset();
    setTicket('');
    setChoices(null);
    setTicketError(undefined);
    onClose();
  };
  if (!action) return null;
  const text = actionText[action];
  const confirm = () => {
    if (ticket.trim() && !TICKET.test(ticket.trim())) return setTicketError('A ticket number is digits only, e.g. 48213.');
    setTicketError(undefined);
    // The number this drawer shows goes with the order: if Teams has moved the user to another one meanwhile, nothing changes.
    const body: VoiceChangeInput = { ...(action === 'remove' ? { number: null } : { resetPolicies: true }), expectedNumber: number.e164, ...(ticket.trim() ? ticketBody(ticket, choices) : {}) };
    send.mutate(body);
  };
  return (
    <Dialog open onClose={close} title={text.title(number, upn)}>
      <div className="space-y-4 text-sm text-zinc-700">
        <p>{text.explain(number, upn)}</p>
        <TicketPicker tenant={tenant} value={ticket} onChange={setTicket} error={ticketError ?? fieldError(send.error, 'ticketId')} choices={choices} onChoicesChange={setChoices} choiceError={(field) => fieldError(send.error, field)} />
        <ErrorAlert error={send.error} />
        <div className="flex justify-end gap-2">
          <Button onClick={close} data-autofocus>
            Cancel
          </Button>
          <Button variant="primary" busy={send.isPending} onClick={confirm}>
            {text.confirm}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

/**
 * Who holds the number, with a link to them, and (issue #17 item 5) the two changes an engineer
 * makes from the number itself: take it off its Teams user, or reset that user's policies. Both are
 * ordinary voice changes: followed until Teams confirms, audited, logged on the ticket, revertible.
 */
export function NumberHolder({ number }: { number: NumberDto }) {
  const { tenant, canWrite } = useTenant();
  const { canOperate } = useRole();
  const queryClient = useQueryClient();
  const [action, setAction] = useState<Action | null>(null);
  const [changeId, setChangeId] = useState<string | null>(null);
  const [settled, setSettled] = useState<VoiceChangeDto | null>(null);
  const [reverting, setReverting] = useState<VoiceChangeDto | null>(null);
  // The holder this drawer acts on; kept after a removal, so the outcome and its revert stay in view.
  const [held, setHeld] = useState(number.assignee);
  const current = number.assignee ?? null;
  if (current && (current.id !== held?.id || current.type !== held.type)) setHeld(current);
  const assignee = current ?? (changeId ? held : null);
  if (!assignee) return null;
  const onTeams = assignee.type === 'teams_user';
  const who = assignee.upn ?? assignee.id;
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: inventoryKeys.inventory(tenant.id) });
    await queryClient.invalidateQueries({ queryKey: teamsKeys.all(tenant.id) });
  };
  const actionsShown = onTeams && tenant.features.teams && canWrite && canOperate && number.status === 'assigned';
  return (
    <section aria-labelledby="number-holder-heading" className="rounded-md border border-zinc-200 p-3" data-testid="number-holder">
      <h3 id="number-holder-heading" className="text-sm font-semibold text-zinc-900">
        {current ? 'Held by' : 'Was held by'}
      </h3>
      <p className="mt-1 text-sm text-zinc-800">
        {assignee.name ? `${assignee.name} · ` : ''}
        {onTeams ? 'Teams user' : '3CX extension'} {who}
      </p>
      <p className="mt-1 flex flex-wrap gap-x-3 text-sm">
        {onTeams ? (
          <Link to="/tenants/$tenantId/voice" params={{ tenantId: tenant.id }} search={{ user: assignee.id }} className="font-medium text-blue-700 underline">
            Open {who}’s voice panel
          </Link>
        ) : (
          <Link to="/tenants/$tenantId/threecx" params={{ tenantId: tenant.id }} search={{ extension: assignee.id }} className="font-medium text-blue-700 underline">
            Open extension {assignee.id} in 3CX
          </Link>
        )}
        {number.linkedExtension ? (
          <Link to="/tenants/$tenantId/threecx" params={{ tenantId: tenant.id }} search={{ extension: number.linkedExtension.id }} className="font-medium text-blue-700 underline">
            Open extension {number.linkedExtension.id} in 3CX
          </Link>
        ) : null}
        {onTeams ? (
          <Link to="/tenants/$tenantId/voice-changes" params={{ tenantId: tenant.id }} search={{ user: assignee.id }} className="text-blue-700 underline">
            {who}’s voice changes
          </Link>
        ) : null}
      </p>
      {actionsShown ? (
        <div role="group" aria-label="Change the holder in Teams" className="mt-3 flex flex-wrap gap-2">
          {(['remove', 'reset'] as const).map((a) => (
            <Button key={a} size="sm" variant={a === 'remove' ? 'danger' : 'secondary'} onClick={() => setAction(a)}>
              {actionText[a].button}
            </Button>
          ))}
        </div>
      ) : null}
      {changeId ? (
        <div className="mt-3 space-y-2">
          <ChangeTracker
            tenantId={tenant.id}
            changeId={changeId}
            focus
            canWrite={canWrite}
            onSettled={(change) => {
              setSettled(change);
              void refresh();
            }}
          />
          {settled?.status === 'succeeded' && settled.id === changeId && canOperate ? (
            <Button size="sm" onClick={() => setReverting(settled)}>
              Revert this change…
            </Button>
          ) : null}
        </div>
      ) : null}
      <ActionDialog
        number={number}
        upn={who}
        userId={assignee.id}
        action={action}
        onClose={() => setAction(null)}
        onStarted={(started) => {
          setSettled(null);
          setChangeId(started.id);
        }}
      />
      <RevertDialog
        tenantId={tenant.id}
        change={reverting}
        onClose={() => setReverting(null)}
        onRequested={(started) => {
          setSettled(null);
          setChangeId(started.id);
        }}
      />
    </section>
  );
}
