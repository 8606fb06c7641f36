import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ticketLogOptionsQuery, type TicketLogChoicesDto, type TicketLogOptionsDto } from '../../api/connectwise.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';

const PRESETS = [15, 30, 45, 60, 90, 120];
const AUTO = '';
const OTHER = 'other';
const LEAVE = 'leave';

/** The form's first choices for a ticket: the operator's remembered ones, else the tenant's defaults. */
export function initialChoices(options: TicketLogOptionsDto): TicketLogChoicesDto {
  const d = options.defaults;
  return {
    ...(d.minutes && d.minutes !== options.tenantMinutes ? { minutes: d.minutes } : {}),
    statusId: d.statusId,
    workRoleId: d.workRoleId,
    workTypeId: d.workTypeId,
    ...(d.member ? { member: d.member } : {}),
  };
}

/**
 * What goes onto the ticket with the change (issue #17 item 1): minutes (presets or any number),
 * the status to set (only the ticket's board's open statuses, or leave it), work role and type,
 * and the member the time is logged as. Everything offered comes from ConnectWise for this ticket.
 */
export function TicketLogChoices({ tenantId, ticketId, value, onChange, fieldError, disabled }: { tenantId: string; ticketId: string; value: TicketLogChoicesDto | null; onChange: (choices: TicketLogChoicesDto | null) => void; fieldError?: (field: string) => string | undefined; disabled?: boolean | undefined }) {
  const options = useQuery(ticketLogOptionsQuery(tenantId, ticketId));
  const [otherMinutes, setOtherMinutes] = useState(false);
  const data = options.data;
  // A newly chosen ticket starts from the remembered choices or the defaults.
  useEffect(() => {
    if (data && String(data.ticket.id) === ticketId && value === null) onChange(initialChoices(data));
  }, [data, ticketId, value, onChange]);

  if (options.error) return <ErrorAlert error={options.error} />;
  if (!data || !value) return <p className="text-xs text-zinc-600">Loading the ticket's statuses, work roles and members from ConnectWise…</p>;
  const set = (patch: Partial<TicketLogChoicesDto>) => onChange({ ...value, ...patch });
  const minutesValue = otherMinutes || (value.minutes !== undefined && !PRESETS.includes(value.minutes)) ? OTHER : value.minutes === undefined ? AUTO : String(value.minutes);
  const idOf = (raw: string) => (raw ? Number(raw) : null);
  return (
    <fieldset className="grid gap-3 rounded-md border border-zinc-200 p-3 sm:grid-cols-2" data-testid="ticket-log-choices" disabled={disabled}>
      <legend className="px-1 text-sm font-medium text-zinc-800">Logged on ticket #{ticketId}</legend>
      <div className="space-y-2">
        <SelectField
          label="Minutes to log"
          name="ticketMinutes"
          value={minutesValue}
          error={fieldError?.('ticketLog.minutes')}
          onChange={(e) => {
            const raw = e.target.value;
            setOtherMinutes(raw === OTHER);
            if (raw === OTHER) return;
            const { minutes: _drop, ...rest } = value;
            onChange(raw === AUTO ? rest : { ...rest, minutes: Number(raw) });
          }}
        >
          <option value={AUTO}>{data.tenantMinutes ? `Tenant default (${data.tenantMinutes} min)` : 'The time the change takes'}</option>
          {PRESETS.map((m) => (
            <option key={m} value={String(m)}>
              {m} min
            </option>
          ))}
          <option value={OTHER}>Other…</option>
        </SelectField>
        {minutesValue === OTHER ? (
          <TextField
            label="Minutes"
            name="ticketMinutesOther"
            type="number"
            min={1}
            max={1440}
            inputMode="numeric"
            value={value.minutes ?? ''}
            onChange={(e) => {
              const n = Number(e.target.value);
              const { minutes: _drop, ...rest } = value;
              onChange(Number.isInteger(n) && n > 0 ? { ...rest, minutes: n } : rest);
            }}
          />
        ) : null}
      </div>
      <SelectField
        label="Ticket status after the change"
        name="ticketStatus"
        hint={data.ticket.board ? `Open statuses of ${data.ticket.board.name}; now ${data.ticket.status?.name ?? 'unknown'}.` : undefined}
        value={value.statusId ? String(value.statusId) : LEAVE}
        error={fieldError?.('ticketLog.statusId')}
        onChange={(e) => set({ statusId: e.target.value === LEAVE ? null : Number(e.target.value) })}
      >
        <option value={LEAVE}>Leave as is</option>
        {data.statuses.map((s) => (
          <option key={s.id} value={String(s.id)}>
            {s.name}
          </option>
        ))}
      </SelectField>
      <SelectField label="Work role" name="ticketWorkRole" value={value.workRoleId ? String(value.workRoleId) : ''} error={fieldError?.('ticketLog.workRoleId')} onChange={(e) => set({ workRoleId: idOf(e.target.value) })}>
        <option value="">The member's own default</option>
        {data.workRoles.map((r) => (
          <option key={r.id} value={String(r.id)}>
            {r.name}
          </option>
        ))}
      </SelectField>
      <SelectField label="Work type" name="ticketWorkType" value={value.workTypeId ? String(value.workTypeId) : ''} error={fieldError?.('ticketLog.workTypeId')} onChange={(e) => set({ workTypeId: idOf(e.target.value) })}>
        <option value="">The member's own default</option>
        {data.workTypes.map((w) => (
          <option key={w.id} value={String(w.id)}>
            {w.name}
          </option>
        ))}
      </SelectField>
      <SelectField
        label="Log time as"
        name="ticketMember"
        className="sm:col-span-2"
        value={value.member ?? ''}
        error={fieldError?.('ticketLog.member')}
        onChange={(e) => {
          const { member: _drop, ...rest } = value;
          onChange(e.target.value ? { ...rest, member: e.target.value } : rest);
        }}
      >
        <option value="">Your mapped member (no time is logged without one)</option>
        {data.members.map((m) => (
          <option key={m.identifier} value={m.identifier}>
            {m.name} ({m.identifier})
          </option>
        ))}
      </SelectField>
    </fieldset>
  );
}
