import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { connectWiseConnectionQuery, ticketSearchQuery, type TicketDto, type TicketLogChoicesDto } from '../../api/connectwise.ts';
import { TicketLogChoices } from './TicketLogChoices.tsx';
import type { TenantDto } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { inputClass, TextField } from '../../components/Field.tsx';
import { useDebouncedValue } from '../../lib/debounce.ts';
import { TICKET } from '../../lib/inventory.ts';

type Props = {
  tenant: TenantDto;
  /** The chosen ticket number ('' for none). */
  value: string;
  onChange: (ticketId: string) => void;
  error?: string | undefined;
  /** Label of the plain ticket-number field used when ConnectWise is off or not set up. */
  label?: string;
  hint?: string;
  disabled?: boolean;
  /** The ConnectWise choices for the chosen ticket (minutes, status, role, type, member); null until the ticket's defaults load. */
  choices?: TicketLogChoicesDto | null | undefined;
  onChoicesChange?: ((choices: TicketLogChoicesDto | null) => void) | undefined;
  /** The server's error for a field of the choices (ticketLog.statusId, …). */
  choiceError?: ((field: string) => string | undefined) | undefined;
};

/**
 * The work context of a change (F1): searches the open tickets of the tenant's ConnectWise
 * company as you type (a number finds that ticket, words search the summary) and shows each as
 * #id, summary and status. Without ConnectWise for the tenant it is a plain ticket-number field.
 * Everything shown comes from ConnectWise and is rendered as text, never as markup.
 */
export function TicketPicker({ tenant, value, onChange, error, label = 'Ticket number (optional)', hint = 'Recorded with the change in the audit log.', disabled, choices, onChoicesChange, choiceError }: Props) {
  const connection = useQuery({ ...connectWiseConnectionQuery(tenant.id), enabled: tenant.features.connectwise });
  const usable = tenant.features.connectwise && connection.data?.configured === true;
  if (!usable) {
    return <TextField label={label} name="ticketId" inputMode="numeric" autoComplete="off" maxLength={12} hint={hint} value={value} onChange={(e) => onChange(e.target.value.trim())} error={error} disabled={disabled} className="max-w-56" />;
  }
  return <TicketSearch tenant={tenant} value={value} onChange={onChange} error={error} disabled={disabled} choices={choices} onChoicesChange={onChoicesChange} choiceError={choiceError} />;
}

function TicketLine({ ticket }: { ticket: TicketDto }) {
  return (
    // The spaces between the parts keep the button's accessible name readable: "#7001 New Voice Services …".
    <span className="min-w-0 flex-1">
      <span className="flex flex-wrap items-center gap-2">
        <span className="font-mono font-medium text-zinc-900">#{ticket.id}</span>{' '}
        {ticket.status ? <Badge tone="blue">{ticket.status.name}</Badge> : null}{' '}
        {ticket.board ? <span className="text-xs text-zinc-600">{ticket.board.name}</span> : null}
      </span>{' '}
      <span className="block text-sm break-words text-zinc-800">{ticket.summary}</span>
    </span>
  );
}

function TicketSearch({ tenant, value, onChange, error, disabled, choices, onChoicesChange, choiceError }: Omit<Props, 'label' | 'hint'>) {
  const [text, setText] = useState('');
  const [chosen, setChosen] = useState<TicketDto | null>(null);
  const term = useDebouncedValue(text.trim(), 250);
  const tickets = useQuery(ticketSearchQuery(tenant.id, term, !value && !disabled));
  const searchId = useId();
  const listId = useId();
  const errorId = useId();
  const company = tenant.connectwiseCompanyId;
  const typedNumber = text.trim().replace(/^#/, '');

  if (value) {
    const shown = chosen && String(chosen.id) === value ? chosen : null;
    return (
      <div className="space-y-1">
        <p className="text-sm font-medium text-zinc-800">ConnectWise ticket</p>
        <div className="flex items-start gap-3 rounded-md border border-blue-300 bg-blue-50 px-3 py-2" data-testid="chosen-ticket">
          {shown ? <TicketLine ticket={shown} /> : <span className="flex-1 font-mono text-sm font-medium">#{value}</span>}
          <Button
            size="sm"
            disabled={disabled}
            onClick={() => {
              setChosen(null);
              onChoicesChange?.(null);
              onChange('');
            }}
          >
            Change ticket
          </Button>
        </div>
        {onChoicesChange ? (
          <>
            <p className="text-xs text-zinc-600">After the change, this ticket gets a note, the status and the time entry chosen here.</p>
            <TicketLogChoices tenantId={tenant.id} ticketId={value} value={choices ?? null} onChange={onChoicesChange} fieldError={choiceError} disabled={disabled} />
          </>
        ) : (
          <p className="text-xs text-zinc-600">After the change, this ticket gets a note, the tenant's status and a time entry.</p>
        )}
        {error ? <p className="text-sm text-red-700">{error}</p> : null}
      </div>
    );
  }

  const list = tickets.data ?? [];
  return (
    <div className="space-y-2 rounded-md border border-zinc-200 bg-zinc-50/60 p-3">
      <div className="space-y-1">
        <label htmlFor={searchId} className="block text-sm font-medium text-zinc-800">
          Find a ConnectWise ticket (optional)
        </label>
        <input
          id={searchId}
          type="search"
          autoComplete="off"
          placeholder="Ticket number or words of its summary"
          className={inputClass}
          value={text}
          disabled={disabled}
          onChange={(e) => setText(e.target.value)}
          aria-describedby={error ? errorId : undefined}
          aria-invalid={error ? true : undefined}
        />
        <p className="text-xs text-zinc-600">Open tickets of {company ? <span className="font-medium">{company}</span> : 'any company (no company is mapped to this tenant)'} on the tenant's boards.</p>
      </div>
      {tickets.error ? (
        <div className="space-y-2">
          <ErrorAlert error={tickets.error} />
          {TICKET.test(typedNumber) ? (
            <Button size="sm" onClick={() => onChange(typedNumber)}>
              Use ticket #{typedNumber} anyway
            </Button>
          ) : (
            <p className="text-xs text-zinc-600">Type the ticket number to use it without searching.</p>
          )}
        </div>
      ) : null}
      <div className="space-y-1">
        <p id={listId} className="text-xs font-medium text-zinc-600" aria-live="polite">
          {tickets.isPending ? 'Looking in ConnectWise…' : tickets.error ? '' : list.length === 0 ? 'No open ticket matches.' : `${list.length} open ${list.length === 1 ? 'ticket' : 'tickets'}`}
        </p>
        <ul className={`max-h-56 space-y-1 overflow-y-auto ${tickets.isFetching ? 'opacity-70' : ''}`} data-testid="ticket-picker" aria-describedby={listId}>
          {list.map((ticket) => (
            <li key={ticket.id}>
              <button
                type="button"
                onClick={() => {
                  setChosen(ticket);
                  onChange(String(ticket.id));
                }}
                className="flex w-full items-start gap-2.5 rounded-md border border-zinc-200 bg-white px-3 py-2 text-left text-sm hover:border-blue-400 focus:outline-2 focus:outline-blue-600"
              >
                <TicketLine ticket={ticket} />
              </button>
            </li>
          ))}
        </ul>
      </div>
      {error ? (
        <p id={errorId} className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
