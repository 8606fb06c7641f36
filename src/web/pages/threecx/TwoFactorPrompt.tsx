import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { threeCxApi, threeCxKeys } from '../../api/threecx.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { TextField } from '../../components/Field.tsx';

/** Asks the operator for the 3CX admin's current 2FA code and opens a session with it. */
export function TwoFactorPrompt({ tenantId, message, onOpened }: { tenantId: string; message?: string | undefined; onOpened?: () => void }) {
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const open = useMutation({
    mutationFn: () => threeCxApi.testConnection(tenantId, code.trim()),
    onSuccess: async (result) => {
      if (!result.ok) return;
      setCode('');
      await queryClient.invalidateQueries({ queryKey: threeCxKeys.all(tenantId) });
      onOpened?.();
    },
  });
  const failed = open.data && !open.data.ok ? open.data.steps.find((s) => !s.ok)?.message : undefined;
  return (
    <form
      className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-4"
      aria-label="3CX two-factor code"
      onSubmit={(e) => {
        e.preventDefault();
        if (code.trim()) open.mutate();
      }}
    >
      <p className="text-sm text-amber-900">{message ?? 'The 3CX admin has two-factor sign-in. Enter the current code from the admin’s authenticator to open a session.'}</p>
      <div className="flex flex-wrap items-end gap-2">
        <TextField label="2FA code" name="securityCode" inputMode="numeric" autoComplete="one-time-code" className="w-40" value={code} onChange={(e) => setCode(e.target.value)} error={failed} data-autofocus />
        <Button type="submit" variant="primary" busy={open.isPending} disabled={!code.trim()}>
          Open session
        </Button>
      </div>
      <ErrorAlert error={open.error} />
      {open.data?.ok ? <Notice>Session open: 3CX accepted the code.</Notice> : null}
    </form>
  );
}

/** An error from a 3CX call; when 3CX wants the admin's 2FA code, the prompt for it. */
export function ThreeCxError({ tenantId, error }: { tenantId: string; error: unknown }) {
  if (error instanceof ApiError && error.code === 'threecx_two_factor_required') return <TwoFactorPrompt tenantId={tenantId} message={error.message} />;
  return <ErrorAlert error={error} />;
}
