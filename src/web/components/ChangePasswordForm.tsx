import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client.ts';
import { ErrorAlert } from './Alert.tsx';
import { Button } from './Button.tsx';
import { TextField } from './Field.tsx';

const MIN_LENGTH = 12;

/** Current password plus the new one twice; the server enforces the full policy. */
export function ChangePasswordForm({ onChanged, submitLabel = 'Change password' }: { onChanged: () => void | Promise<void>; submitLabel?: string }) {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [repeat, setRepeat] = useState('');
  const [localError, setLocalError] = useState<{ field: 'newPassword' | 'repeat'; message: string } | null>(null);
  const change = useMutation({
    mutationFn: () => api.post('/api/me/password', { currentPassword, newPassword }),
    onSuccess: async () => {
      setCurrent('');
      setNew('');
      setRepeat('');
      await onChanged();
    },
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (newPassword.length < MIN_LENGTH) return setLocalError({ field: 'newPassword', message: `Use at least ${MIN_LENGTH} characters.` });
    if (newPassword !== repeat) return setLocalError({ field: 'repeat', message: 'The two new passwords are not the same.' });
    setLocalError(null);
    change.mutate();
  };

  const serverError = change.error instanceof ApiError ? change.error : undefined;
  return (
    <form onSubmit={onSubmit} className="max-w-md space-y-4" noValidate>
      <TextField
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        required
        value={currentPassword}
        onChange={(e) => setCurrent(e.target.value)}
        error={serverError?.fieldMessage('currentPassword')}
      />
      <TextField
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        required
        minLength={MIN_LENGTH}
        hint={`At least ${MIN_LENGTH} characters. A passphrase of a few unrelated words works well.`}
        value={newPassword}
        onChange={(e) => setNew(e.target.value)}
        error={localError?.field === 'newPassword' ? localError.message : serverError?.fieldMessage('newPassword')}
      />
      <TextField
        label="Repeat new password"
        name="repeatPassword"
        type="password"
        autoComplete="new-password"
        required
        value={repeat}
        onChange={(e) => setRepeat(e.target.value)}
        error={localError?.field === 'repeat' ? localError.message : undefined}
      />
      {localError ? <p role="alert" className="sr-only">{localError.message}</p> : null}
      <ErrorAlert error={change.error} />
      <Button type="submit" variant="primary" busy={change.isPending}>
        {submitLabel}
      </Button>
    </form>
  );
}
