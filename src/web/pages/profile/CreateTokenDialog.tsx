import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import type { ApiTokenDto } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';
import { SecretOnce } from '../../components/SecretOnce.tsx';

type Created = { token: string; apiToken: ApiTokenDto };

/** End of the chosen day, local time: a token "expiring on the 5th" works all of the 5th. */
function endOfDay(date: string): string {
  return new Date(`${date}T23:59:59`).toISOString();
}

function CreateTokenForm({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [access, setAccess] = useState<'read' | 'read-write'>('read');
  const [expires, setExpires] = useState('');
  const create = useMutation({
    mutationFn: () => api.post<Created>('/api/me/tokens', { name, access, ...(expires ? { expiresAt: endOfDay(expires) } : {}) }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.tokens }),
  });

  if (create.data) {
    return (
      <div className="space-y-4">
        <SecretOnce label={`Token “${create.data.apiToken.name}”`} value={create.data.token} testId="new-api-token" note="This token is shown only now. Store it in your script's secret store before you close this." />
        <div className="flex justify-end">
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        </div>
      </div>
    );
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const fieldError = (field: string) => (create.error instanceof ApiError ? create.error.fieldMessage(field) : undefined);
  const today = new Date().toISOString().slice(0, 10);
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField label="Name" name="name" required maxLength={80} hint="What uses it, e.g. “Nightly number export”." value={name} onChange={(e) => setName(e.target.value)} error={fieldError('name')} data-autofocus />
      <SelectField label="Access" name="access" value={access} onChange={(e) => setAccess(e.target.value as 'read' | 'read-write')} error={fieldError('access')}>
        <option value="read">Read only</option>
        <option value="read-write">Read and write</option>
      </SelectField>
      <TextField label="Expires on (optional)" name="expiresAt" type="date" min={today} hint="Leave empty for a token that does not expire." value={expires} onChange={(e) => setExpires(e.target.value)} error={fieldError('expiresAt')} />
      <ErrorAlert error={create.error} />
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" busy={create.isPending} disabled={!name.trim()}>
          Create token
        </Button>
      </div>
    </form>
  );
}

export function CreateTokenDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Create an API token">
      <CreateTokenForm onClose={onClose} />
    </Dialog>
  );
}
