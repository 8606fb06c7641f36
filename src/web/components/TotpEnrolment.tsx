import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client.ts';
import type { RecoveryCodesDto, TotpEnrolmentDto } from '../api/types.ts';
import { ErrorAlert } from './Alert.tsx';
import { Button } from './Button.tsx';
import { CopyButton } from './CopyButton.tsx';
import { TextField } from './Field.tsx';
import { RecoveryCodes } from './RecoveryCodes.tsx';

/** Groups a base32 key in fours so it can be typed without losing one's place. */
function groupKey(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/**
 * Authenticator enrolment: starts at once (a fresh secret), shows the QR code and the
 * manual key, confirms a code, then shows the recovery codes once.
 */
export function TotpEnrolment({ email, onDone, onCancel }: { email: string; onDone: () => void; onCancel?: () => void }) {
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const start = useMutation({ mutationFn: () => api.post<TotpEnrolmentDto>('/api/me/mfa/totp') });
  const confirm = useMutation({
    mutationFn: (value: string) => api.post<RecoveryCodesDto>('/api/me/mfa/totp/confirm', { code: value }),
    onSuccess: (result) => setCodes(result.recoveryCodes),
  });

  // Start once per mount (the ref keeps React's development double effects from starting twice).
  const started = useRef(false);
  const { mutate: begin } = start;
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    begin();
  }, [begin]);

  if (codes) return <RecoveryCodes codes={codes} email={email} onDone={onDone} />;

  if (start.isPending || start.isIdle) return <p className="text-sm text-zinc-600">Preparing your authenticator key…</p>;
  if (start.isError || !start.data) {
    return (
      <div className="space-y-3">
        <ErrorAlert error={start.error} />
        <Button onClick={() => start.mutate()}>Try again</Button>
      </div>
    );
  }

  const { secret, qrSvg } = start.data;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    confirm.mutate(code.replace(/\s/g, ''));
  };
  const codeError = confirm.error instanceof ApiError ? confirm.error.fieldMessage('code') : undefined;

  return (
    <div className="space-y-5">
      <ol className="space-y-5">
        <li className="space-y-2">
          <p className="text-sm font-medium text-zinc-900">1. Scan this QR code with your authenticator app</p>
          <p className="text-sm text-zinc-600">Microsoft Authenticator, Google Authenticator, 1Password and other TOTP apps work.</p>
          <img
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrSvg)}`}
            alt="QR code for your authenticator app. If you cannot scan it, enter the key shown below."
            width={192}
            height={192}
            className="rounded-md border border-zinc-200 bg-white p-2"
          />
          <div className="space-y-1">
            <p className="text-sm text-zinc-700">Cannot scan it? Enter this key in the app instead (time-based, 6 digits):</p>
            <div className="flex flex-wrap items-center gap-2">
              <code data-testid="totp-secret" aria-label="Authenticator key" className="rounded-md border border-zinc-200 bg-zinc-50 px-2 py-1 font-mono text-sm tracking-wider text-zinc-900 select-all">
                {groupKey(secret)}
              </code>
              <CopyButton value={secret} label="Copy key" />
            </div>
          </div>
        </li>
        <li>
          <form onSubmit={onSubmit} className="space-y-3" noValidate>
            <p className="text-sm font-medium text-zinc-900">2. Enter the 6-digit code the app shows</p>
            <TextField
              label="Code from the app"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]*"
              maxLength={10}
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
              error={codeError}
              className="max-w-48"
            />
            <ErrorAlert error={confirm.error} />
            <div className="flex gap-2">
              <Button type="submit" variant="primary" busy={confirm.isPending} disabled={code.replace(/\s/g, '').length < 6}>
                Confirm
              </Button>
              {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
            </div>
          </form>
        </li>
      </ol>
    </div>
  );
}
