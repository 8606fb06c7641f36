import { Button } from './Button.tsx';
import { CopyButton } from './CopyButton.tsx';

/** The ten single-use recovery codes, shown once, with copy and download. */
export function RecoveryCodes({ codes, email, onDone, doneLabel = 'I saved them, continue' }: { codes: string[]; email: string; onDone: () => void; doneLabel?: string }) {
  const text = [`UCR Manager recovery codes for ${email}`, `Created ${new Date().toISOString()}`, 'Each code works once.', '', ...codes, ''].join('\n');
  const href = `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;
  return (
    <div className="space-y-4">
      <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
        <p className="font-medium">Save these recovery codes now. They are shown only once.</p>
        <p className="mt-1">If you lose your authenticator, each code lets you sign in one time. Keep them somewhere safe, such as a password manager.</p>
      </div>
      <ol aria-label="Recovery codes" data-testid="recovery-codes" className="grid grid-cols-2 gap-2 rounded-md border border-zinc-200 bg-zinc-50 p-4 font-mono text-sm sm:grid-cols-2">
        {codes.map((code) => (
          <li key={code} className="rounded bg-white px-2 py-1 text-center tracking-wider ring-1 ring-zinc-200">
            {code}
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap items-center gap-3">
        <CopyButton value={codes.join('\n')} label="Copy codes" />
        <a
          href={href}
          download="ucr-manager-recovery-codes.txt"
          className="inline-flex items-center rounded-md border border-zinc-300 bg-white px-2.5 py-1 text-xs font-medium text-zinc-800 shadow-xs hover:bg-zinc-50"
        >
          Download .txt
        </a>
      </div>
      <div className="flex justify-end">
        <Button variant="primary" onClick={onDone}>
          {doneLabel}
        </Button>
      </div>
    </div>
  );
}
