import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useContext, useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client.ts';
import { inventoryKeys, tenantApi } from '../../api/inventory.ts';
import type { Assignee, NumberDto } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';
import { fieldError } from '../../lib/errors.ts';
import { useFocusFirstInvalid } from '../../lib/focus.ts';
import { actionLabels, dateInputValue, endOfLocalDay, TICKET, type LifecycleAction } from '../../lib/inventory.ts';
import { TicketPicker } from '../connectwise/TicketPicker.tsx';
import { ticketBody, type TicketLogChoicesDto } from '../../api/connectwise.ts';
import { TenantContext } from '../tenants/tenant-context.ts';
import { useNumberChanged } from './number-cache.ts';

const explanations: Record<LifecycleAction, (coolingDays: number) => string> = {
  reserve: () => 'Hold the number for someone, until a date. It is not offered to anyone else meanwhile.',
  assign: () => 'Record who uses the number: a Teams user or a 3CX extension.',
  cancel_reservation: () => 'The number becomes available again.',
  release: (days) => (days > 0 ? `The number rests in cooling for ${days} day${days === 1 ? '' : 's'}, then becomes available.` : 'The number becomes available at once (this tenant has no cooling period).'),
  block: () => 'Keep the number out of use (e.g. a carrier problem or a number to avoid).',
  unblock: () => 'The number becomes available again.',
  retire: () => 'The number is no longer held (ported out or returned to the carrier). It stays in the history.',
  restore: () => 'Bring a retired number back as available.',
};

function LifecycleForm({
  tenantId,
  number,
  action,
  coolingDays,
  onDone,
  onChanged,
}: {
  tenantId: string;
  number: NumberDto;
  action: LifecycleAction;
  coolingDays: number;
  onDone: () => void;
  onChanged: (saved: NumberDto) => void;
}) {
  const changed = useNumberChanged(tenantId);
  // Inside a tenant's pages the ticket can be searched in the tenant's ConnectWise.
  const tenant = useContext(TenantContext)?.tenant;
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState(dateInputValue(30));
  const [ticketId, setTicketId] = useState('');
  const [ticketChoices, setTicketChoices] = useState<TicketLogChoicesDto | null>(null);
  const [assignee, setAssignee] = useState<Assignee>({ type: number.kind === 'threecx_did' ? 'threecx_extension' : 'teams_user', id: '', upn: '', name: '' });
  const [local, setLocal] = useState<Record<string, string>>({});

  const run = useMutation({
    mutationFn: (body: Record<string, unknown>) => api.post<NumberDto>(`${tenantApi(tenantId)}/numbers/${number.id}/lifecycle`, body),
    onSuccess: async (saved) => {
      await changed(saved);
      onChanged(saved);
      onDone();
    },
    // Someone else moved the number meanwhile: show the server's reason, and the number as it is now.
    onError: (error) => {
      if (error instanceof ApiError && error.status === 409) void queryClient.invalidateQueries({ queryKey: inventoryKeys.number(tenantId, number.id) });
    },
  });

  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, run.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    const ticket = ticketId.trim() || null;
    if (ticket && !TICKET.test(ticket)) problems.ticketId = 'A ticket number is digits only, e.g. 123456.';
    let body: Record<string, unknown> = { action, ticketId: ticket, ...(ticket ? ticketBody(ticket, ticketChoices) : {}) };
    if (action === 'reserve') {
      const end = endOfLocalDay(until);
      if (!reason.trim()) problems.reason = 'Say who or what the number is held for.';
      if (!end) problems.until = 'Choose the last day of the reservation.';
      else if (new Date(end) <= new Date()) problems.until = 'The reservation must end in the future.';
      body = { ...body, reason: reason.trim(), until: end };
    } else if (action === 'assign') {
      if (!assignee.id.trim()) problems['assignee.id'] = assignee.type === 'teams_user' ? 'Enter the user’s object id or UPN.' : 'Enter the extension number.';
      body = {
        ...body,
        assignee: { type: assignee.type, id: assignee.id.trim(), upn: assignee.upn?.trim() || null, name: assignee.name?.trim() || null },
      };
    } else if (reason.trim()) {
      body = { ...body, reason: reason.trim() };
    }
    setLocal(problems);
    if (Object.keys(problems).length === 0) run.mutate(body);
  };

  const err = run.error;
  const teams = assignee.type === 'teams_user';
  return (
    <form ref={formRef} onSubmit={onSubmit} className="space-y-4" noValidate>
      <p className="text-sm text-zinc-700">{explanations[action](coolingDays)}</p>
      {action === 'reserve' ? (
        <>
          <TextField label="Reason" name="reason" required maxLength={500} placeholder="e.g. New starter Jane Doe, 3 March" value={reason} onChange={(e) => setReason(e.target.value)} error={local.reason ?? fieldError(err, 'reason')} data-autofocus />
          <TextField label="Reserved until" name="until" type="date" required min={dateInputValue(0)} hint="The reservation ends after this day; the number then becomes available again." value={until} onChange={(e) => setUntil(e.target.value)} error={local.until ?? fieldError(err, 'until')} />
        </>
      ) : null}
      {action === 'assign' ? (
        <>
          <SelectField label="Assign to" name="assigneeType" value={assignee.type} onChange={(e) => setAssignee({ ...assignee, type: e.target.value as Assignee['type'] })} data-autofocus>
            <option value="teams_user">Teams user</option>
            <option value="threecx_extension">3CX extension</option>
          </SelectField>
          <TextField
            label={teams ? 'User id or UPN' : 'Extension'}
            name="assigneeId"
            required
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
            placeholder={teams ? 'jane.doe@contoso.com' : '101'}
            value={assignee.id}
            onChange={(e) => setAssignee({ ...assignee, id: e.target.value })}
            error={local['assignee.id'] ?? fieldError(err, 'assignee.id')}
          />
          {teams ? (
            <TextField label="UPN" name="assigneeUpn" maxLength={200} autoComplete="off" spellCheck={false} placeholder="jane.doe@contoso.com" value={assignee.upn ?? ''} onChange={(e) => setAssignee({ ...assignee, upn: e.target.value })} error={fieldError(err, 'assignee.upn')} />
          ) : null}
          <TextField label="Display name" name="assigneeName" maxLength={200} autoComplete="off" placeholder="Jane Doe" value={assignee.name ?? ''} onChange={(e) => setAssignee({ ...assignee, name: e.target.value })} error={fieldError(err, 'assignee.name')} />
        </>
      ) : null}
      {action !== 'reserve' && action !== 'assign' ? (
        <TextField label="Reason (optional)" name="reason" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} error={fieldError(err, 'reason')} data-autofocus />
      ) : null}
      {tenant ? (
        <TicketPicker tenant={tenant} label="ConnectWise ticket (optional)" hint="Recorded with this change in the history and audit log." value={ticketId} onChange={setTicketId} error={local.ticketId ?? fieldError(err, 'ticketId')} choices={ticketChoices} onChoicesChange={setTicketChoices} choiceError={(field) => fieldError(err, field)} />
      ) : (
        <TextField
          label="ConnectWise ticket (optional)"
          name="ticketId"
          inputMode="numeric"
          maxLength={12}
          autoComplete="off"
          placeholder="123456"
          hint="Recorded with this change in the history and audit log."
          value={ticketId}
          onChange={(e) => setTicketId(e.target.value)}
          error={local.ticketId ?? fieldError(err, 'ticketId')}
        />
      )}
      <ErrorAlert error={run.error} fieldsShown />
      <div className="flex justify-end gap-2">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant={action === 'block' || action === 'retire' ? 'danger' : 'primary'} busy={run.isPending}>
          {actionLabels[action]}
        </Button>
      </div>
    </form>
  );
}

export function LifecycleDialog({
  tenantId,
  number,
  action,
  coolingDays,
  onClose,
  onChanged,
}: {
  tenantId: string;
  number: NumberDto;
  action: LifecycleAction | null;
  coolingDays: number;
  onClose: () => void;
  onChanged: (saved: NumberDto, action: LifecycleAction) => void;
}) {
  return (
    <Dialog open={action !== null} onClose={onClose} title={action ? `${actionLabels[action]} ${number.e164}` : ''}>
      {action ? <LifecycleForm tenantId={tenantId} number={number} action={action} coolingDays={coolingDays} onDone={onClose} onChanged={(saved) => onChanged(saved, action)} /> : null}
    </Dialog>
  );
}
