import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { inventoryKeys } from '../../api/inventory.ts';
import { EXTENSIONS_PAGE_SIZE, extensionsQuery, threeCxApi, threeCxChangesQuery, threeCxKeys, type ExtensionDto } from '../../api/threecx.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { inputClass, TextField } from '../../components/Field.tsx';
import { Section } from '../../components/Section.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { useDebouncedValue } from '../../lib/debounce.ts';
import { formatDateTime } from '../../lib/format.ts';
import { formatCount } from '../../lib/inventory.ts';
import { fieldError } from '../../lib/errors.ts';
import { ExtensionDialog } from './ExtensionDialog.tsx';
import { ThreeCxError } from './TwoFactorPrompt.tsx';
import { ThreeCxTicketField, useThreeCxTicket } from './ThreeCxTicketField.tsx';
import type { ColumnIdOf } from '../../../core/table-columns.ts';
import { ColumnArrangementMenu } from '../../components/ColumnArrangementMenu.tsx';
import { inOrder, useColumnArrangement, type TableColumn } from '../../lib/column-arrangement.ts';

/** The extension number comes first always; the operator arranges the rest. */
const extensionColumns: TableColumn<ExtensionDto, ColumnIdOf<'threecx-extensions'>>[] = [
  { id: 'displayName', label: 'Name', render: (x) => x.displayName },
  { id: 'email', label: 'Email', cellClass: 'break-all', render: (x) => x.email },
  { id: 'mobile', label: 'Mobile', cellClass: 'font-mono whitespace-nowrap', render: (x) => x.mobile },
  {
    id: 'did',
    label: 'DID / caller id',
    cellClass: 'font-mono whitespace-nowrap',
    render: (x) =>
      x.did ? (
        <>
          {x.did.e164} <Badge tone="blue">DID</Badge>
        </>
      ) : (
        x.outboundCallerId
      ),
  },
  { id: 'state', label: 'State', render: (x) => (x.enabled ? <Badge tone="green">Enabled</Badge> : <Badge>Disabled</Badge>) },
];
const defaultExtensionColumns = extensionColumns.map((c) => c.id);

const actionWords: Record<string, string> = {
  'threecx.extension_created': 'Created',
  'threecx.extension_updated': 'Updated',
  'threecx.extension_deleted': 'Deleted',
  'threecx.extension_restored': 'Restored',
  'threecx.extension_reverted': 'Reverted',
  'threecx.extension_renumbered': 'Renumbered',
  'threecx.trunk_updated': 'Trunk updated',
  'threecx.did_updated': 'DID updated',
  'threecx.did_created': 'DID create asked',
  'threecx.did_deleted': 'DID deleted',
  'threecx.reconciled': 'Reconciled',
};

/** E1: the PBX's extensions, searched and paged on the PBX, with create, edit, delete and revert. */
export function ExtensionsPanel({ tenantId, canWrite, initialSearch = '' }: { tenantId: string; canWrite: boolean; initialSearch?: string }) {
  const queryClient = useQueryClient();
  const [text, setText] = useState(initialSearch);
  const search = useDebouncedValue(text.trim(), 300);
  const [page, setPage] = useState(1);
  const list = useQuery(extensionsQuery(tenantId, search, page));
  const changes = useQuery(threeCxChangesQuery(tenantId));
  const [editing, setEditing] = useState<ExtensionDto | null | 'new'>(null);
  const [deleting, setDeleting] = useState<ExtensionDto | null>(null);
  const [deleteTicket, setDeleteTicket] = useState('');
  const [renumbering, setRenumbering] = useState<ExtensionDto | null>(null);
  const [newNumber, setNewNumber] = useState('');
  const renumberTicket = useThreeCxTicket();
  const [done, setDone] = useState<string | null>(null);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: threeCxKeys.all(tenantId) });
    await queryClient.invalidateQueries({ queryKey: inventoryKeys.inventory(tenantId) });
  };
  const remove = useMutation({
    mutationFn: (ext: ExtensionDto) => threeCxApi.deleteExtension(tenantId, ext.id, deleteTicket),
    onSuccess: async (result) => {
      setDeleting(null);
      setDeleteTicket('');
      setDone(`Extension ${result.deleted.number} deleted${result.deleted.did ? `; ${result.deleted.did.e164} went back to the inventory` : ''}.`);
      await refresh();
    },
  });
  // 3CX cannot change an extension's number: the server creates the new one, moves the DID, deletes the old one.
  const renumber = useMutation({
    mutationFn: (ext: ExtensionDto) => threeCxApi.renumberExtension(tenantId, ext.id, { number: newNumber.trim(), ...renumberTicket.body }),
    onSuccess: async (result) => {
      setDone(`Extension ${renumbering?.number ?? ''} is now ${result.number}${result.did ? ` with DID ${result.did.e164}` : ''}.`);
      setRenumbering(null);
      setNewNumber('');
      renumberTicket.reset();
      await refresh();
    },
  });
  const revert = useMutation({
    mutationFn: (changeId: number) => threeCxApi.revert(tenantId, changeId),
    onSuccess: async () => {
      setDone('Change reverted.');
      await refresh();
    },
  });
  const arrangement = useColumnArrangement('threecx-extensions', extensionColumns, defaultExtensionColumns);
  const shownColumns = inOrder(extensionColumns, arrangement.visible);
  const total = list.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / EXTENSIONS_PAGE_SIZE));

  return (
    <div className="space-y-6">
      <Section
        title="Extensions"
        description="Users of the PBX. A DID picked from the inventory becomes the extension’s outbound caller id and is assigned to it; deleting the extension releases the DID."
        actions={canWrite ? <Button variant="primary" onClick={() => setEditing('new')}>New extension</Button> : null}
      >
        <div className="space-y-3">
          {done ? <Notice>{done}</Notice> : null}
          <div className="flex flex-wrap items-center justify-between gap-2">
            <input
              type="search"
              aria-label="Search extensions"
              placeholder="Number, name or email"
              className={`${inputClass} max-w-sm`}
              value={text}
              onChange={(e) => {
                setText(e.target.value);
                setPage(1);
              }}
            />
            <ColumnArrangementMenu arrangement={arrangement} fixed="Ext." label="the 3CX extensions" />
          </div>
          <ThreeCxError tenantId={tenantId} error={list.error} />
          {list.data ? (
            <>
              <p className="text-sm text-zinc-600" aria-live="polite">
                {formatCount(total)} {total === 1 ? 'extension' : 'extensions'}
                {pages > 1 ? `, page ${page} of ${pages}` : ''}
              </p>
              <Table caption="3CX extensions">
                <thead>
                  <tr>
                    <Th>Ext.</Th>
                    {shownColumns.map((c) => (
                      <Th key={c.id}>{c.label}</Th>
                    ))}
                    {canWrite ? <Th className="sr-only">Actions</Th> : null}
                  </tr>
                </thead>
                <tbody className="bg-white">
                  {list.data.extensions.map((x) => (
                    <tr key={x.id} data-testid="extension-row">
                      <Td className="font-mono">{x.number}</Td>
                      {shownColumns.map((c) => (
                        <Td key={c.id} className={c.cellClass}>
                          {c.render(x)}
                        </Td>
                      ))}
                      {canWrite ? (
                        <Td className="whitespace-nowrap">
                          <Button size="sm" onClick={() => setEditing(x)} aria-label={`Edit extension ${x.number}`}>
                            Edit
                          </Button>{' '}
                          <Button size="sm" onClick={() => setRenumbering(x)} aria-label={`Renumber extension ${x.number}`}>
                            Renumber
                          </Button>{' '}
                          <Button size="sm" variant="ghost" onClick={() => setDeleting(x)} aria-label={`Delete extension ${x.number}`}>
                            Delete
                          </Button>
                        </Td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </Table>
              {pages > 1 ? (
                <div className="flex gap-2">
                  <Button size="sm" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                    Previous
                  </Button>
                  <Button size="sm" disabled={page >= pages} onClick={() => setPage(page + 1)}>
                    Next
                  </Button>
                </div>
              ) : null}
            </>
          ) : list.isPending ? (
            <p className="text-sm text-zinc-600">Asking the PBX…</p>
          ) : null}
        </div>
      </Section>

      <Section title="Recent 3CX changes" description="Each change is in the audit log with before and after. Extension changes can be reverted.">
        <div className="space-y-3">
          <ErrorAlert error={revert.error} />
          {changes.data?.length === 0 ? <p className="text-sm text-zinc-600">No changes yet.</p> : null}
          {changes.data?.length ? (
            <Table caption="Recent 3CX changes">
              <thead>
                <tr>
                  <Th>When</Th>
                  <Th>Change</Th>
                  <Th>Target</Th>
                  <Th>By</Th>
                  <Th>Ticket</Th>
                  {canWrite ? <Th className="sr-only">Revert</Th> : null}
                </tr>
              </thead>
              <tbody className="bg-white">
                {changes.data.map((c) => (
                  <tr key={c.id} data-testid="threecx-change">
                    <Td className="whitespace-nowrap">{formatDateTime(c.at)}</Td>
                    <Td>
                      {actionWords[c.action] ?? c.action} {c.result === 'failure' ? <Badge tone="red">Refused</Badge> : null}
                      {c.error ? <span className="block text-xs text-zinc-600">{c.error}</span> : null}
                    </Td>
                    <Td className="font-mono">{c.extension}</Td>
                    <Td className="break-all">{c.actor}</Td>
                    <Td>{c.ticketId ?? ''}</Td>
                    {canWrite ? (
                      <Td>
                        {c.revertible ? (
                          <Button size="sm" busy={revert.isPending && revert.variables === c.id} onClick={() => revert.mutate(c.id)}>
                            Revert
                          </Button>
                        ) : null}
                      </Td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </Table>
          ) : null}
        </div>
      </Section>

      <ExtensionDialog
        tenantId={tenantId}
        open={editing !== null}
        extension={editing === 'new' ? null : editing}
        onClose={(saved) => {
          setEditing(null);
          if (saved) setDone(`Extension ${saved.number} saved${saved.did ? ` with DID ${saved.did.e164}` : ''}.`);
        }}
      />
      <ConfirmDialog
        open={renumbering !== null}
        title={`Renumber extension ${renumbering?.number ?? ''}`}
        confirmLabel="Renumber"
        busy={renumber.isPending}
        error={renumber.error}
        onConfirm={() => renumbering && renumber.mutate(renumbering)}
        onCancel={() => {
          setRenumbering(null);
          renumber.reset();
        }}
      >
        <p>
          3CX cannot change an extension’s number. Renumbering creates a new extension with this one’s details{renumbering?.did ? ` and DID ${renumbering.did.e164} (which stays assigned)` : ''}, then deletes this one; if 3CX refuses the deletion, the new extension is removed again. Phones, forwarding rules and group memberships set in the 3CX console do not move.
        </p>
        <div className="mt-3 space-y-3">
          <TextField label="New extension number" name="newNumber" inputMode="numeric" required value={newNumber} onChange={(e) => setNewNumber(e.target.value)} error={fieldError(renumber.error, 'number', { threecx_extension_taken: 'number' })} />
          <ThreeCxTicketField {...renumberTicket.field} />
        </div>
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete extension ${deleting?.number ?? ''}?`}
        confirmLabel="Delete extension"
        danger
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onCancel={() => {
          setDeleting(null);
          remove.reset();
        }}
      >
        <p>The extension is removed from the PBX.{deleting?.did ? ` Its DID ${deleting.did.e164} is released in the inventory (cooling for the tenant’s cooling days).` : ''} It can be restored from Recent 3CX changes.</p>
        <div className="mt-3"><ThreeCxTicketField value={deleteTicket} onChange={setDeleteTicket} /></div>
      </ConfirmDialog>
    </div>
  );
}
