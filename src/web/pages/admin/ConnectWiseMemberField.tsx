import { useQuery } from '@tanstack/react-query';
import { membersQuery } from '../../api/connectwise.ts';
import { SelectField, TextField } from '../../components/Field.tsx';

/**
 * The ConnectWise member an operator's time is logged as (F4). Chosen from the active members
 * the connected Manage sites list; typed only when no tenant has ConnectWise set up to ask.
 */
export function ConnectWiseMemberField({ value, onChange, error }: { value: string; onChange: (identifier: string) => void; error?: string | undefined }) {
  const members = useQuery(membersQuery);
  const list = members.data?.members ?? [];
  if (members.isPending) return <p className="text-sm text-zinc-600">Reading ConnectWise members…</p>;
  if (!members.data || members.data.sites === 0 || (list.length === 0 && members.data.problems.length > 0)) {
    const why = members.error ? 'ConnectWise could not be asked' : members.data?.problems.length ? `ConnectWise could not be asked (${members.data.problems[0]})` : 'No tenant has ConnectWise set up yet';
    return (
      <TextField
        label="ConnectWise member"
        name="connectwiseMember"
        autoComplete="off"
        spellCheck={false}
        maxLength={60}
        hint={`The member identifier their time is logged as, e.g. jdoe. ${why}, so it is not checked.`}
        value={value}
        onChange={(e) => onChange(e.target.value.trim())}
        error={error}
      />
    );
  }
  const known = !value || list.some((m) => m.identifier.toLowerCase() === value.toLowerCase());
  return (
    <SelectField label="ConnectWise member" name="connectwiseMember" hint="Time on tickets is logged as this member. Only active members are listed." value={value} onChange={(e) => onChange(e.target.value)} error={error ?? (known ? undefined : `${value} is not an active member in ConnectWise.`)}>
      <option value="">(not mapped: no time is logged)</option>
      {!known ? <option value={value}>{value} (not found)</option> : null}
      {list.map((m) => (
        <option key={m.identifier} value={m.identifier}>
          {m.name ? `${m.name} (${m.identifier})` : m.identifier}
        </option>
      ))}
    </SelectField>
  );
}
