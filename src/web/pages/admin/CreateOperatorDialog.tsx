import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import type { OperatorDto, Role } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';
import { SecretOnce } from '../../components/SecretOnce.tsx';
import { RoleOptions } from './RoleOptions.tsx';
import { parseTenantIds, ScopeFields } from './ScopeFields.tsx';

type Created = { operator: OperatorDto; temporaryPassword: string };

function CreateOperatorForm({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  // Nothing is granted until the admin chooses: no tenants, until ticked or "All tenants" is checked.
  const [allTenants, setAllTenants] = useState(false);
  const [tenantIdsText, setTenantIdsText] = useState('');
  const [scopeError, setScopeError] = useState<string | undefined>();
  const create = useMutation({
    mutationFn: (tenantIds: string[]) => api.post<Created>('/api/operators', { email, displayName, role, allTenants, tenantIds }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.operators }),
  });

  if (create.data) {
    const { operator, temporaryPassword } = create.data;
    return (
      <div className="space-y-4" data-testid="operator-created">
        <p className="text-sm text-zinc-700">
          <strong className="font-medium text-zinc-900">{operator.displayName}</strong> ({operator.email}) can now sign in with this temporary password and must choose their own at first sign-in.
        </p>
        <SecretOnce label="Temporary password" value={temporaryPassword} testId="temporary-password" note="Shown only now. Give it to the person over a channel you trust." />
        <div className="flex justify-end">
          <Button variant="primary" onClick={onClose} data-autofocus>
            Done
          </Button>
        </div>
      </div>
    );
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const { ids, invalid } = parseTenantIds(tenantIdsText);
    if (!allTenants && invalid.length > 0) return setScopeError(`Not a tenant id: ${invalid.join(', ')}`);
    setScopeError(undefined);
    create.mutate(allTenants ? [] : ids);
  };
  const err = create.error instanceof ApiError ? create.error : undefined;
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField label="Email" name="email" type="email" autoComplete="off" required value={email} onChange={(e) => setEmail(e.target.value)} error={err?.fieldMessage('email')} data-autofocus />
      <TextField label="Display name" name="displayName" autoComplete="off" required maxLength={120} value={displayName} onChange={(e) => setDisplayName(e.target.value)} error={err?.fieldMessage('displayName')} />
      <SelectField label="Role" name="role" value={role} onChange={(e) => setRole(e.target.value as Role)} error={err?.fieldMessage('role')}>
        <RoleOptions />
      </SelectField>
      <ScopeFields allTenants={allTenants} tenantIdsText={tenantIdsText} onAllTenants={setAllTenants} onTenantIdsText={setTenantIdsText} error={scopeError ?? err?.fields.find((f) => f.field.startsWith('tenantIds'))?.message} />
      <ErrorAlert error={create.error} />
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" busy={create.isPending} disabled={!email.trim() || !displayName.trim()}>
          Create operator
        </Button>
      </div>
    </form>
  );
}

export function CreateOperatorDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Add an operator" description="They get a temporary password and choose their own at first sign-in.">
      <CreateOperatorForm onClose={onClose} />
    </Dialog>
  );
}
