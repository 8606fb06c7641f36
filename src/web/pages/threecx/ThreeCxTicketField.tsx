import { TicketPicker } from '../connectwise/TicketPicker.tsx';
import { useTenant } from '../tenants/tenant-context.ts';

/** The ticket a 3CX change is done for (F1): the ConnectWise ticket picker, or a plain number without ConnectWise. */
export function ThreeCxTicketField({ value, onChange, error }: { value: string; onChange: (ticketId: string) => void; error?: string | undefined }) {
  const { tenant } = useTenant();
  return <TicketPicker tenant={tenant} value={value} onChange={onChange} error={error} label="Ticket (optional)" hint="Recorded with the 3CX change in the audit log." />;
}
