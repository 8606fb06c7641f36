import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useId, useState, type FormEvent } from 'react';
import { completeMfa, gateOf, safeRedirect, signOut } from '../../api/session.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { AuthLayout } from '../../components/AuthLayout.tsx';
import { Button } from '../../components/Button.tsx';
import { TextField } from '../../components/Field.tsx';

/** Second step of sign-in: a code from the authenticator app, or one recovery code. */
export function MfaChallengePage() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const search: { redirect?: string } = useSearch({ strict: false });
  const [useRecovery, setUseRecovery] = useState(false);
  const [value, setValue] = useState('');
  const hintId = useId();

  const verify = useMutation({
    mutationFn: () => completeMfa(queryClient, useRecovery ? { recoveryCode: value.trim() } : { code: value.replace(/\s/g, '') }),
    onSuccess: async (session) => {
      const gate = gateOf(session);
      if (gate) await navigate({ to: gate });
      else await navigate({ href: safeRedirect(search.redirect) });
    },
  });
  const cancel = useMutation({
    mutationFn: () => signOut(queryClient),
    onSettled: () => navigate({ to: '/sign-in' }),
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    verify.mutate();
  };
  const toggle = () => {
    setUseRecovery((v) => !v);
    setValue('');
    verify.reset();
  };

  return (
    <AuthLayout
      title="Two-step verification"
      description={useRecovery ? 'Enter one of the recovery codes you saved when you set up your authenticator. Each code works once.' : 'Enter the 6-digit code from your authenticator app.'}
    >
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {useRecovery ? (
          <TextField key="recovery" label="Recovery code" name="recoveryCode" autoComplete="off" autoCapitalize="characters" spellCheck={false} required autoFocus value={value} onChange={(e) => setValue(e.target.value)} placeholder="XXXXX-XXXXX" />
        ) : (
          <TextField key="totp" label="Authentication code" name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]*" maxLength={10} required autoFocus value={value} onChange={(e) => setValue(e.target.value)} />
        )}
        <ErrorAlert error={verify.error} />
        <Button type="submit" variant="primary" className="w-full" busy={verify.isPending} disabled={!value.trim()}>
          Verify
        </Button>
      </form>
      <div className="mt-5 flex flex-col items-start gap-2 border-t border-zinc-200 pt-4 text-sm">
        <button type="button" onClick={toggle} aria-describedby={hintId} className="rounded font-medium text-blue-700 underline-offset-2 hover:underline">
          {useRecovery ? 'Use a code from the authenticator app instead' : 'Use a recovery code instead'}
        </button>
        <span id={hintId} className="sr-only">
          Switches the kind of code this form asks for.
        </span>
        <button type="button" onClick={() => cancel.mutate()} className="rounded text-zinc-600 underline-offset-2 hover:underline">
          Cancel and sign in as someone else
        </button>
      </div>
    </AuthLayout>
  );
}
