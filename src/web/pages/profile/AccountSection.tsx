import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import { reloadSession } from '../../api/session.ts';
import type { MeDto, OperatorDto } from '../../api/types.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { TextField } from '../../components/Field.tsx';
import { Section } from '../../components/Section.tsx';
import { formatDateTime, roleLabel } from '../../lib/format.ts';

export function AccountSection({ me }: { me: MeDto }) {
  const queryClient = useQueryClient();
  const [displayName, setDisplayName] = useState(me.displayName);
  const save = useMutation({
    mutationFn: () => api.patch<OperatorDto>('/api/me', { displayName }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: keys.me });
      await reloadSession(queryClient);
    },
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <Section title="Account">
      <dl className="mb-5 grid gap-x-6 gap-y-3 text-sm sm:grid-cols-3">
        <div>
          <dt className="text-zinc-600">Email</dt>
          <dd className="font-medium text-zinc-900">{me.email}</dd>
        </div>
        <div>
          <dt className="text-zinc-600">Role</dt>
          <dd>
            <Badge tone={me.role === 'admin' ? 'blue' : 'neutral'}>{roleLabel(me.role)}</Badge>
          </dd>
        </div>
        <div>
          <dt className="text-zinc-600">Tenants</dt>
          <dd className="font-medium text-zinc-900">{me.allTenants ? 'All tenants' : `${me.tenantIds.length} selected`}</dd>
        </div>
        <div>
          <dt className="text-zinc-600">Last sign-in</dt>
          <dd className="text-zinc-900">{formatDateTime(me.lastLoginAt)}</dd>
        </div>
        <div>
          <dt className="text-zinc-600">Account created</dt>
          <dd className="text-zinc-900">{formatDateTime(me.createdAt)}</dd>
        </div>
      </dl>
      <form onSubmit={onSubmit} className="flex max-w-md flex-col gap-3" noValidate>
        <TextField
          label="Display name"
          name="displayName"
          required
          maxLength={120}
          value={displayName}
          onChange={(e) => {
            setDisplayName(e.target.value);
            save.reset();
          }}
          error={save.error instanceof ApiError ? save.error.fieldMessage('displayName') : undefined}
        />
        <ErrorAlert error={save.error} />
        {save.isSuccess ? <Notice>Display name saved.</Notice> : null}
        <div>
          <Button type="submit" variant="primary" busy={save.isPending} disabled={!displayName.trim() || displayName.trim() === me.displayName}>
            Save name
          </Button>
        </div>
      </form>
    </Section>
  );
}
