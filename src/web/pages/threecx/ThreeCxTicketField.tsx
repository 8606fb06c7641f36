import { useCallback, useState } from 'react';
import { ticketBody, type TicketLogChoicesDto } from '../../api/connectwise.ts';
import { fieldError } from '../../lib/errors.ts';
import { TicketPicker } from '../connectwise/TicketPicker.tsx';
import { useTenant } from '../tenants/tenant-context.ts';

/** A 3CX form's ticket and its ConnectWise choices, and the body fields they send. */
export function useThreeCxTicket() {
  const [ticketId, setTicketId] = useState('');
  const [choices, setChoices] = useState<TicketLogChoicesDto | null>(null);
  const reset = useCallback(() => {
    setTicketId('');
    setChoices(null);
  }, []);
  return { ticketId, body: ticketBody(ticketId, choices), field: { value: ticketId, onChange: setTicketId, choices, onChoicesChange: setChoices }, reset };
}

/**
 * The ticket a 3CX change is done for (F1): the ConnectWise ticket picker with the choices for its
 * note, status and time entry, or a plain number without ConnectWise.
 */
export function ThreeCxTicketField({
  value,
  onChange,
  error,
  choices,
  onChoicesChange,
  serverError,
}: {
  value: string;
  onChange: (ticketId: string) => void;
  error?: string | undefined;
  choices?: TicketLogChoicesDto | null | undefined;
  onChoicesChange?: ((choices: TicketLogChoicesDto | null) => void) | undefined;
  /** The failed request's error, for the choices' own field errors. */
  serverError?: unknown;
}) {
  const { tenant } = useTenant();
  return (
    <TicketPicker
      tenant={tenant}
      value={value}
      onChange={onChange}
      error={error}
      label="Ticket (optional)"
      hint="Recorded with the 3CX change in the audit log."
      choices={choices}
      onChoicesChange={onChoicesChange}
      choiceError={(field) => fieldError(serverError, field)}
    />
  );
}
