import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { tenantsQuery } from '../../api/inventory.ts';
import type { TenantDto } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { CheckboxField } from '../../components/Field.tsx';
import { PageHeader } from '../../components/Section.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { useRole } from '../../lib/role.ts';
import { ArchiveTenantDialog } from './ArchiveTenantDialog.tsx';
import { TenantBadges, TenantStatusBadge } from './TenantBadges.tsx';
import { TenantFormDialog } from './TenantFormDialog.tsx';

function Features({ tenant }: { tenant: TenantDto }) {
  const items = [
    ['Teams', tenant.features.teams],
    ['3CX', tenant.features.threecx],
    ['ConnectWise', tenant.features.connectwise],
  ] as const;
  return (
    <span className="text-xs text-zinc-600">
      {items
        .filter(([, on]) => on)
        .map(([label]) => label)
        .join(' · ') || 'None'}
    </span>
  );
}

export function TenantsPage() {
  const { isAdmin } = useRole();
  const navigate = useNavigate();
  const [showArchived, setShowArchived] = useState(false);
  const tenants = useQuery(tenantsQuery(showArchived));
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<TenantDto | undefined>();
  const [archiving, setArchiving] = useState<TenantDto | undefined>();

  return (
    <div>
      <PageHeader
        title="Tenants"
        description="Your customers: their Microsoft tenant, numbers, ranges and sites."
        actions={
          isAdmin ? (
            <div className="flex gap-2">
              <Link to="/tenants/new" className="inline-flex items-center rounded-md border border-blue-700 bg-blue-700 px-3 py-2 text-sm font-medium text-white hover:bg-blue-800">
                Add tenant (guided)
              </Link>
              <Button onClick={() => setCreating(true)}>Add tenant</Button>
            </div>
          ) : null
        }
      />
      <div className="mb-4">
        <CheckboxField label="Show archived tenants" checked={showArchived} onChange={(e) => setShowArchived(e.target.checked)} />
      </div>
      <ErrorAlert error={tenants.error} />
      {tenants.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {tenants.data && tenants.data.length === 0 ? (
        <div className="rounded-lg border border-dashed border-zinc-300 bg-white p-8 text-center text-sm text-zinc-600">
          <p className="font-medium text-zinc-900">{showArchived ? 'No tenants yet.' : 'No active tenants.'}</p>
          <p className="mt-1">
            {!showArchived ? 'Archived tenants appear when you tick “Show archived tenants”. ' : ''}
            {isAdmin ? 'Add a customer to start keeping their numbers here.' : 'An admin adds tenants; ask one if you expected to see some.'}
          </p>
        </div>
      ) : null}
      {tenants.data && tenants.data.length > 0 ? (
        <Table caption="Tenants">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Microsoft tenant id</Th>
              <Th>Domain</Th>
              <Th>Features</Th>
              <Th>Status</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody className="bg-white">
            {tenants.data.map((tenant) => (
              <tr key={tenant.id} data-testid="tenant-row">
                <Td>
                  <span className="flex flex-wrap items-center gap-1.5">
                    <Link to="/tenants/$tenantId" params={{ tenantId: tenant.id }} className="rounded font-medium text-blue-700 hover:underline">
                      {tenant.name}
                    </Link>
                    <TenantBadges tenant={tenant} />
                  </span>
                </Td>
                <Td className="font-mono text-xs">{tenant.microsoftTenantId ?? <span className="font-sans text-zinc-400">Not set</span>}</Td>
                <Td>{tenant.primaryDomain ?? <span className="text-zinc-400">Not set</span>}</Td>
                <Td>
                  <Features tenant={tenant} />
                </Td>
                <Td>
                  <TenantStatusBadge status={tenant.status} />
                </Td>
                <Td className="text-right whitespace-nowrap">
                  <span className="inline-flex gap-1.5">
                    <Button size="sm" onClick={() => void navigate({ to: '/tenants/$tenantId/numbers', params: { tenantId: tenant.id } })} aria-label={`Numbers of ${tenant.name}`}>
                      Numbers
                    </Button>
                    {isAdmin ? (
                      <>
                        <Button size="sm" onClick={() => setEditing(tenant)} aria-label={`Edit ${tenant.name}`}>
                          Edit
                        </Button>
                        <Button size="sm" variant="ghost" onClick={() => setArchiving(tenant)} aria-label={`${tenant.status === 'active' ? 'Archive' : 'Restore'} ${tenant.name}`}>
                          {tenant.status === 'active' ? 'Archive' : 'Restore'}
                        </Button>
                      </>
                    ) : null}
                  </span>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
      <TenantFormDialog open={creating} onClose={() => setCreating(false)} onSaved={(saved) => void navigate({ to: '/tenants/$tenantId', params: { tenantId: saved.id } })} />
      <TenantFormDialog open={editing !== undefined} tenant={editing} onClose={() => setEditing(undefined)} />
      <ArchiveTenantDialog tenant={archiving} onClose={() => setArchiving(undefined)} />
    </div>
  );
}
