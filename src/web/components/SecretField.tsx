import { TextField } from './Field.tsx';

type Props = {
  /** The field's name when nothing is stored yet, e.g. "Client secret". */
  label: string;
  name: string;
  /** Whether the server holds a value already (the API says only that, never the value). */
  isSet: boolean;
  /** Said under the field when nothing is stored yet. */
  hint?: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
};

/** A write-only secret: never filled in from the server; left empty, the stored one is kept. */
export function SecretField({ label, name, isSet, hint = 'Stored encrypted and never shown again.', value, onChange, error }: Props) {
  return (
    <TextField
      label={isSet ? `Replace the ${label.charAt(0).toLowerCase()}${label.slice(1)}` : label}
      name={name}
      type="password"
      autoComplete="new-password"
      hint={isSet ? `A ${label.charAt(0).toLowerCase()}${label.slice(1)} is saved. Leave this empty to keep it; it is never shown again.` : hint}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
    />
  );
}
