import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { api } from '../../api/client.ts';
import { keys } from '../../api/queries.ts';
import type { OperatorDto, Role } from '../../api/types.ts';
import { Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { CheckboxField, SelectField } from '../../components/Field.tsx';
import { SecretOnce } from '../../components/SecretOnce.tsx';
import { isLocked } from '../../lib/format.ts';
import { RoleOptions } from './RoleOptions.tsx';

type ActionId = 'approve' | 'reset-mfa' | 'reset-password' | 'unlock' | 'sign-out-everywhere';

type ActionSpec = { id: ActionId; label: string; title: string; confirmLabel: string; danger: boolean; explain: ReactNode; done: string };

function actionsFor(operator: OperatorDto): ActionSpec[] {
  const who = operator.displayName;
  const list: ActionSpec[] = [];
  if (operator.status === 'pending') {
    list.push({ id: 'approve', label: 'Approve…', title: `Approve ${who}?`, confirmLabel: 'Approve', danger: false, explain: 'They can sign in with the role you choose. Without access to all tenants they see none until you give them tenants with Edit.', done: 'Approved.' });
  }
  if (operator.mfaEnrolled) {
    list.push({
      id: 'reset-mfa',
      label: 'Reset MFA',
      title: `Reset MFA for ${who}?`,
      confirmLabel: 'Reset MFA',
      danger: true,
      explain: 'Their authenticator app and recovery codes stop working and they are signed out everywhere. They can set up a new authenticator at next sign-in.',
      done: 'MFA reset.',
    });
  }
  if (operator.signInMethods.includes('password')) {
    list.push({
      id: 'reset-password',
      label: 'Reset password',
      title: `Reset the password of ${who}?`,
      confirmLabel: 'Reset password',
      danger: true,
      explain: 'Their password is replaced by a temporary one, shown to you once, and they are signed out everywhere.',
      done: 'Password reset.',
    });
  }
  if (isLocked(operator.lockedUntil)) {
    list.push({ id: 'unlock', label: 'Unlock', title: `Unlock ${who}?`, confirmLabel: 'Unlock', danger: false, explain: 'They can try to sign in again at once.', done: 'Unlocked.' });
  }
  list.push({
    id: 'sign-out-everywhere',
    label: 'Sign out everywhere',
    title: `Sign ${who} out everywhere?`,
    confirmLabel: 'Sign out everywhere',
    danger: true,
    explain: 'Every session of this operator ends. Their API tokens keep working.',
    done: 'Signed out everywhere.',
  });
  return list;
}

/** Approve, reset MFA, reset password, unlock, sign out everywhere: each asks first. */
export function OperatorActions({ operator }: { operator: OperatorDto }) {
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState<ActionSpec | null>(null);
  const [approveRole, setApproveRole] = useState<Role>('viewer');
  const [approveAllTenants, setApproveAllTenants] = useState(false);
  const [result, setResult] = useState<{ message: string; temporaryPassword?: string } | null>(null);

  const run = useMutation({
    mutationFn: async (action: ActionSpec) => {
      const body = action.id === 'approve' ? { role: approveRole, allTenants: approveAllTenants, tenantIds: [] } : undefined;
      return api.post<{ temporaryPassword?: string; sessionsEnded?: number }>(`/api/operators/${operator.id}/${action.id}`, body);
    },
    onSuccess: async (answer, action) => {
      setAsking(null);
      const message = action.id === 'sign-out-everywhere' && answer.sessionsEnded !== undefined ? `${answer.sessionsEnded} session(s) ended.` : action.done;
      setResult({ message, ...(answer.temporaryPassword ? { temporaryPassword: answer.temporaryPassword } : {}) });
      await queryClient.invalidateQueries({ queryKey: keys.operators });
    },
  });

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap gap-2">
        {actionsFor(operator).map((action) => (
          <Button
            key={action.id}
            size="sm"
            variant={action.id === 'approve' ? 'primary' : 'secondary'}
            onClick={() => {
              setResult(null);
              run.reset();
              setAsking(action);
            }}
          >
            {action.label}
          </Button>
        ))}
      </div>
      {result ? <Notice>{result.message}</Notice> : null}
      {result?.temporaryPassword ? <SecretOnce label="Temporary password" value={result.temporaryPassword} testId="reset-temporary-password" note="Shown only now. They must change it at first sign-in." /> : null}
      <ConfirmDialog
        open={asking !== null}
        title={asking?.title ?? ''}
        confirmLabel={asking?.confirmLabel ?? 'Confirm'}
        danger={asking?.danger ?? false}
        busy={run.isPending}
        error={run.error}
        onConfirm={() => asking && run.mutate(asking)}
        onCancel={() => setAsking(null)}
      >
        <p>{asking?.explain}</p>
        {asking?.id === 'approve' ? (
          <>
            <SelectField label="Role" name="approveRole" className="mt-3" value={approveRole} onChange={(e) => setApproveRole(e.target.value as Role)}>
              <RoleOptions />
            </SelectField>
            <CheckboxField label="Access to all tenants" name="approveAllTenants" className="mt-3" checked={approveAllTenants} onChange={(e) => setApproveAllTenants(e.target.checked)} />
          </>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}
