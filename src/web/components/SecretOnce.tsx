import { CopyButton } from './CopyButton.tsx';

/** A password or token the server returns once: shown with a copy button and a warning. */
export function SecretOnce({ label, value, testId, note }: { label: string; value: string; testId?: string; note?: string }) {
  return (
    <div className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3">
      <p className="text-sm font-medium text-amber-950">{label}</p>
      <div className="flex flex-wrap items-center gap-2">
        <code data-testid={testId} className="rounded border border-amber-200 bg-white px-2 py-1 font-mono text-sm break-all text-zinc-900 select-all">
          {value}
        </code>
        <CopyButton value={value} />
      </div>
      <p className="text-xs text-amber-900">{note ?? 'This is shown only now. Copy it before you close this.'}</p>
    </div>
  );
}
