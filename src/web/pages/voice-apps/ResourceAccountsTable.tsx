import type { ReactNode } from 'react';
import type { ResourceAccountDto } from '../../api/voice-apps.ts';
import { Badge } from '../../components/Badge.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';

export const resourceAccountTypeLabel: Record<ResourceAccountDto['type'], string> = { aa: 'Auto attendant', cq: 'Call queue', other: 'Other app', unknown: 'Not known' };

/**
 * The tenant's resource accounts: name, UPN, type, number, licence and what each serves.
 * `header` sits above the table (buttons such as "New resource account"); `actions` renders
 * per-row controls (such as "Assign number") in a last column, shown only when given.
 */
export function ResourceAccountsTable({ accounts, header, actions }: { accounts: ResourceAccountDto[]; header?: ReactNode; actions?: (account: ResourceAccountDto) => ReactNode }) {
  return (
    <div className="space-y-3">
      {header ? <div className="flex flex-wrap justify-end gap-2">{header}</div> : null}
      {accounts.length === 0 ? (
        <p className="text-sm text-zinc-600">No resource accounts.</p>
      ) : (
        <Table caption="Resource accounts">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>UPN</Th>
              <Th>Type</Th>
              <Th>Number</Th>
              <Th>Licence</Th>
              <Th>Serves</Th>
              {actions ? <Th>
                <span className="sr-only">Actions</span>
              </Th> : null}
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => (
              <tr key={a.objectId} data-testid="resource-account-row">
                <Td className="font-medium text-zinc-900">{a.displayName || '—'}</Td>
                <Td className="font-mono text-xs">{a.userPrincipalName}</Td>
                <Td>{resourceAccountTypeLabel[a.type]}</Td>
                <Td className="font-mono text-xs whitespace-nowrap">{a.phoneNumbers.length ? a.phoneNumbers.join(', ') : '—'}</Td>
                <Td>{a.hasResourceAccountLicence ? <Badge tone="green">Teams Phone Resource Account</Badge> : a.licences.length ? a.licences.join(', ') : <Badge tone="amber">No licence</Badge>}</Td>
                <Td>{a.serves.length ? a.serves.map((s) => `${s.kind === 'autoAttendant' ? 'Auto attendant' : 'Call queue'} ${s.name}`).join(', ') : '—'}</Td>
                {actions ? <Td className="text-right whitespace-nowrap">{actions(a)}</Td> : null}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
