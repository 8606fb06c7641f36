import { useState } from 'react';
import type { ResourceAccountJob } from '../../api/resource-accounts.ts';
import { Section } from '../../components/Section.tsx';
import { useRole } from '../../lib/role.ts';
import { useTenant } from '../tenants/tenant-context.ts';
import { AssignResourceAccountNumberDialog, type ResourceAccountRef } from './AssignResourceAccountNumberDialog.tsx';
import { NewResourceAccountDialog } from './NewResourceAccountDialog.tsx';

/**
 * Voice apps: the resource accounts' write actions. The resource accounts list (auto attendants,
 * call queues) is its own component; here the accounts made in this visit are shown with their
 * number action.
 */
export function VoiceAppsPage() {
  const { tenant } = useTenant();
  const { canOperate } = useRole();
  const [made, setMade] = useState<ResourceAccountRef[]>([]);
  const writable = canOperate && tenant.status === 'active';
  const added = (job: ResourceAccountJob) => {
    if (job.objectId) setMade((list) => [...list.filter((a) => a.objectId !== job.objectId), { objectId: job.objectId!, displayName: String(job.input.displayName ?? job.userPrincipalName), phoneNumber: null }]);
  };
  return (
    <Section
      title="Voice apps"
      description="Resource accounts, auto attendants and call queues."
      actions={writable ? <NewResourceAccountDialog tenantId={tenant.id} defaultUsageLocation={tenant.defaultCountry ?? ''} onDone={added} /> : null}
    >
      <ul className="divide-y divide-zinc-200 text-sm" aria-label="Resource accounts created here">
        {made.map((account) => (
          <li key={account.objectId} className="flex items-center justify-between gap-4 py-2">
            <span>
              <span className="font-medium text-zinc-900">{account.displayName}</span>
              <span className="block text-xs text-zinc-600">{account.phoneNumber ?? 'No number'}</span>
            </span>
            {writable ? (
              <AssignResourceAccountNumberDialog
                tenantId={tenant.id}
                account={account}
                onDone={(change) => {
                  if (change.status === 'succeeded') setMade((list) => list.map((a) => (a.objectId === account.objectId ? { ...a, phoneNumber: change.requested.number?.e164 ?? null } : a)));
                }}
              />
            ) : null}
          </li>
        ))}
      </ul>
    </Section>
  );
}
