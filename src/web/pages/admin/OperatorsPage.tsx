import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { operatorsQuery } from '../../api/queries.ts';
import { sessionQuery } from '../../api/session.ts';
import type { OperatorDto } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { PageHeader } from '../../components/Section.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { formatDateTime, isLocked, roleLabel } from '../../lib/format.ts';
import { CreateOperatorDialog } from './CreateOperatorDialog.tsx';
import { ManageOperatorDialog } from './ManageOperatorDialog.tsx';

function StatusBadge({ status }: { status: OperatorDto['status'] }) {
  if (status === 'active') return <Badge tone="green">Active</Badge>;
  if (status === 'pending') return <Badge tone="amber">Waiting for approval</Badge>;
  return <Badge tone="neutral">Disabled</Badge>;
}

export function OperatorsPage() {
  const operators = useQuery(operatorsQuery);
  const { data: session } = useQuery(sessionQuery);
  const [creating, setCreating] = useState(false);
  const [managingId, setManagingId] = useState<string | null>(null);
  const managing = operators.data?.find((o) => o.id === managingId);

  return (
    <div>
      <PageHeader
        title="Operators"
        description="Everyone who can sign in to UCR Manager, their role and the tenants they may work in."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            Add operator
          </Button>
        }
      />
      <ErrorAlert error={operators.error} />
      {operators.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {operators.data ? (
        <Table caption="Operators">
          <thead>
            <tr>
              <Th>Email</Th>
              <Th>Name</Th>
              <Th>Role</Th>
              <Th>Status</Th>
              <Th>MFA</Th>
              <Th>Last sign-in</Th>
              <Th>Locked</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody className="bg-white">
            {operators.data.map((operator) => {
              const locked = isLocked(operator.lockedUntil);
              return (
                <tr key={operator.id} data-testid="operator-row">
                  <Td className="font-medium text-zinc-900">
                    {operator.email}
                    {operator.signInMethods.includes('entra') ? <span className="block text-xs font-normal text-zinc-500">Signs in with Microsoft</span> : null}
                  </Td>
                  <Td>
                    {operator.displayName}
                    {operator.id === session?.operator?.id ? <span className="ml-1.5 text-xs text-zinc-500">(you)</span> : null}
                  </Td>
                  <Td>
                    {roleLabel(operator.role)}
                    {!operator.allTenants ? <span className="block text-xs text-zinc-500">{operator.tenantIds.length} tenant(s)</span> : null}
                  </Td>
                  <Td>
                    <StatusBadge status={operator.status} />
                    {operator.mustChangePassword ? <span className="mt-0.5 block text-xs text-zinc-500">Must change password</span> : null}
                  </Td>
                  <Td>{operator.mfaEnrolled ? <Badge tone="green">On</Badge> : <Badge tone="neutral">Off</Badge>}</Td>
                  <Td className="whitespace-nowrap">{formatDateTime(operator.lastLoginAt, 'Never')}</Td>
                  <Td className="whitespace-nowrap">{locked ? <Badge tone="red">Until {formatDateTime(operator.lockedUntil)}</Badge> : <span className="text-zinc-500">No</span>}</Td>
                  <Td className="text-right">
                    <Button size="sm" onClick={() => setManagingId(operator.id)} aria-label={`Manage ${operator.email}`}>
                      Manage
                    </Button>
                  </Td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      ) : null}
      <CreateOperatorDialog open={creating} onClose={() => setCreating(false)} />
      <ManageOperatorDialog operator={managing} isSelf={managing?.id === session?.operator?.id} onClose={() => setManagingId(null)} />
    </div>
  );
}
