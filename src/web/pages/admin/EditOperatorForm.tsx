import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import type { OperatorDto, Role } from '../../api/types.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';
import { ConnectWiseMemberField } from './ConnectWiseMemberField.tsx';
import { RoleOptions } from './RoleOptions.tsx';
import { parseTenantIds, ScopeFields } from './ScopeFields.tsx';

type Changes = Partial<{ displayName: string; role: Role; status: 'active' | 'disabled'; allTenants: boolean; tenantIds: string[]; connectwiseMember: string | null }>;

/** Name, role, status and scope of one operator; sends only what changed. */
export function EditOperatorForm({ operator, isSelf }: { operator: OperatorDto; isSelf: boolean }) {
  const queryClient = useQueryClient();
  const [displayName, setDisplayName] = useState(operator.displayName);
  const [role, setRole] = useState<Role>(operator.role);
  const [status, setStatus] = useState<'active' | 'disabled'>(operator.status === 'disabled' ? 'disabled' : 'active');
  const [allTenants, setAllTenants] = useState(operator.allTenants);
  const [tenantIdsText, setTenantIdsText] = useState(operator.tenantIds.join(', '));
  const [scopeError, setScopeError] = useState<string | undefined>();
  const [member, setMember] = useState(operator.connectwiseMember ?? '');
  const save = useMutation({
    mutationFn: (changes: Changes) => api.patch<OperatorDto>(`/api/operators/${operator.id}`, changes),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.operators }),
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const { ids, invalid } = parseTenantIds(tenantIdsText);
    if (!allTenants && invalid.length > 0) return setScopeError(`Not a tenant id: ${invalid.join(', ')}`);
    setScopeError(undefined);
    const changes: Changes = {};
    if (displayName.trim() !== operator.displayName) changes.displayName = displayName.trim();
    if (role !== operator.role) changes.role = role;
    if (operator.status !== 'pending' && status !== operator.status) changes.status = status;
    if (allTenants !== operator.allTenants) changes.allTenants = allTenants;
    if (!allTenants && ids.join(',') !== operator.tenantIds.join(',')) changes.tenantIds = ids;
    if (member !== (operator.connectwiseMember ?? '')) changes.connectwiseMember = member || null;
    if (Object.keys(changes).length === 0) return;
    save.mutate(changes);
  };
  const err = save.error instanceof ApiError ? save.error : undefined;
  const pending = operator.status === 'pending';

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField label="Display name" name="displayName" required maxLength={120} value={displayName} onChange={(e) => setDisplayName(e.target.value)} error={err?.fieldMessage('displayName')} />
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField label="Role" name="role" value={role} onChange={(e) => setRole(e.target.value as Role)} error={err?.fieldMessage('role')} hint={role !== operator.role ? 'Changing the role signs them out everywhere.' : undefined}>
          <RoleOptions />
        </SelectField>
        {pending ? (
          <div className="space-y-1 text-sm">
            <p className="font-medium text-zinc-800">Status</p>
            <p className="text-zinc-600">Waiting for approval (see below).</p>
          </div>
        ) : (
          <SelectField
            label="Status"
            name="status"
            value={status}
            onChange={(e) => setStatus(e.target.value as 'active' | 'disabled')}
            disabled={isSelf}
            hint={isSelf ? 'You cannot disable yourself.' : status === 'disabled' && operator.status !== 'disabled' ? 'Disabling signs them out everywhere.' : undefined}
            error={err?.fieldMessage('status')}
          >
            <option value="active">Active</option>
            <option value="disabled">Disabled</option>
          </SelectField>
        )}
      </div>
      <ScopeFields allTenants={allTenants} tenantIdsText={tenantIdsText} onAllTenants={setAllTenants} onTenantIdsText={setTenantIdsText} error={scopeError ?? err?.fields.find((f) => f.field.startsWith('tenantIds'))?.message} />
      <ConnectWiseMemberField value={member} onChange={setMember} error={err?.fieldMessage('connectwiseMember')} />
      <ErrorAlert error={save.error} />
      {save.isSuccess ? <Notice>Changes saved.</Notice> : null}
      <div className="flex justify-end">
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save changes
        </Button>
      </div>
    </form>
  );
}
