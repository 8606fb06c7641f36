import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { didsQuery, threeCxApi, threeCxKeys, trunksQuery, type DidDto } from '../../api/threecx.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { SelectField, TextField } from '../../components/Field.tsx';
import { Section } from '../../components/Section.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import type { NumberStatus } from '../../api/types.ts';
import { fieldError } from '../../lib/errors.ts';
import { ThreeCxError } from './TwoFactorPrompt.tsx';
import { ThreeCxTicketField, useThreeCxTicket } from './ThreeCxTicketField.tsx';
import type { ColumnIdOf } from '../../../core/table-columns.ts';
import { ColumnArrangementMenu } from '../../components/ColumnArrangementMenu.tsx';
import { inOrder, useColumnArrangement, type TableColumn } from '../../lib/column-arrangement.ts';

/** The DID comes first always; the operator arranges the rest. */
const didColumns: TableColumn<DidDto, ColumnIdOf<'threecx-dids'>>[] = [
  { id: 'trunk', label: 'Trunk', render: (d) => d.trunkName },
  { id: 'extension', label: 'Extension', render: (d) => (d.extension ? `${d.extension.number} ${d.extension.name}` : '') },
  { id: 'inventory', label: 'Inventory', render: (d) => (d.inventory ? <StatusBadge status={d.inventory.status as NumberStatus} /> : <span className="text-zinc-500">Not in the inventory</span>) },
];
const defaultDidColumns = didColumns.map((c) => c.id);

function EditDid({ tenantId, did, onClose }: { tenantId: string; did: DidDto; onClose: () => void }) {
  const queryClient = useQueryClient();
  const trunks = useQuery(trunksQuery(tenantId));
  const [number, setNumber] = useState(did.number);
  const [trunkId, setTrunkId] = useState(did.trunkId);
  const ticket = useThreeCxTicket();
  const save = useMutation({
    mutationFn: () => threeCxApi.updateDid(tenantId, did.number, { ...(number.trim() !== did.number ? { number: number.trim() } : {}), ...(trunkId !== did.trunkId ? { trunkId } : {}), ...ticket.body }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: threeCxKeys.all(tenantId) });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} className="space-y-4" aria-label="DID">
      <TextField label="Number" name="number" value={number} onChange={(e) => setNumber(e.target.value)} error={fieldError(save.error, 'number')} data-autofocus />
      <SelectField label="Trunk" name="trunkId" value={String(trunkId)} onChange={(e) => setTrunkId(Number(e.target.value))}>
        {(trunks.data ?? [{ id: did.trunkId, name: did.trunkName }]).map((tr) => (
          <option key={tr.id} value={tr.id}>
            {tr.name}
          </option>
        ))}
      </SelectField>
      <ThreeCxTicketField {...ticket.field} />
      <ThreeCxError tenantId={tenantId} error={save.error} />
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" busy={save.isPending}>
          Save DID
        </Button>
      </div>
    </form>
  );
}

/** Adding a DID is not in the 3CX API: say so, link to the console, and let the PBX's own answer be seen. */
function AddDidExplanation({ tenantId, consoleUrl, firstTrunk, onClose }: { tenantId: string; consoleUrl: string | null; firstTrunk: number | undefined; onClose: () => void }) {
  const [number, setNumber] = useState('');
  const ask = useMutation({ mutationFn: () => threeCxApi.createDid(tenantId, number.trim(), firstTrunk ?? 1) });
  return (
    <div className="space-y-4 text-sm">
      <p>
        3CX v20 does not let apps create a DID on its own: its API answers <strong>405 Method Not Allowed</strong>. A DID is added to its SIP trunk in the 3CX admin console (Voice &amp; Chat › the trunk › DIDs). Afterwards, bring it into the inventory from the Reconcile view.
      </p>
      {consoleUrl ? (
        <p>
          <a href={consoleUrl} target="_blank" rel="noreferrer" className="font-medium text-blue-700 underline" data-testid="threecx-console-link">
            Open the 3CX admin console
          </a>
        </p>
      ) : null}
      <p className="text-zinc-600">Where your 3CX version allows it, the DID list of a trunk can also be edited under Trunks.</p>
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          ask.mutate();
        }}
      >
        <TextField label="Number to ask the PBX for" name="newDid" placeholder="+44 20 7946 0999" value={number} onChange={(e) => setNumber(e.target.value)} />
        <Button type="submit" busy={ask.isPending} disabled={!number.trim()}>
          Ask the PBX anyway
        </Button>
      </form>
      <ErrorAlert error={ask.error} />
      {ask.isSuccess ? <Notice>The PBX accepted it.</Notice> : null}
      <div className="flex justify-end">
        <Button onClick={onClose}>Close</Button>
      </div>
    </div>
  );
}

/**
 * Deleting a DID. 3CX has no delete for a DID on its own: it is an entry of its trunk's DID list,
 * so the server takes it off that list. A DID that is an extension's caller id is not offered:
 * the dialog says what to do first.
 */
function DeleteDid({ tenantId, did, consoleUrl, onClose, onDeleted }: { tenantId: string; did: DidDto; consoleUrl: string | null; onClose: () => void; onDeleted: (message: string) => void }) {
  const queryClient = useQueryClient();
  const ticket = useThreeCxTicket();
  const remove = useMutation({
    mutationFn: () => threeCxApi.deleteDid(tenantId, did.number, ticket.body),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: threeCxKeys.all(tenantId) });
      onDeleted(`DID ${did.number} deleted from ${did.trunkName}.`);
    },
  });
  const consoleLink = consoleUrl ? (
    <a href={consoleUrl} target="_blank" rel="noreferrer" className="font-medium text-blue-700 underline">
      3CX admin console
    </a>
  ) : (
    '3CX admin console'
  );
  if (did.extension) {
    return (
      <div className="space-y-4 text-sm" data-testid="did-delete-refused">
        <p>
          <strong>{did.number} cannot be deleted now:</strong> it is the outbound caller id of extension {did.extension.number}
          {did.extension.name ? ` (${did.extension.name})` : ''}, which would keep calling out with a number the PBX no longer has.
        </p>
        <p>Give that extension another DID first (Extensions › Edit), then delete this one.</p>
        <div className="flex justify-end">
          <Button onClick={onClose} data-autofocus>
            Close
          </Button>
        </div>
      </div>
    );
  }
  return (
    <div className="space-y-4 text-sm">
      <p>
        3CX has no delete for a DID on its own: UCR Manager takes {did.number} off the DID list of trunk <strong>{did.trunkName}</strong>. Calls to it stop reaching the PBX through that trunk.
      </p>
      <p className="text-zinc-600">
        An inbound rule in 3CX that routed this number is not changed by the API: check the inbound rules in the {consoleLink} afterwards. The inventory keeps its record of the number; reconcile shows it as no longer on the PBX.
      </p>
      <ThreeCxTicketField {...ticket.field} serverError={remove.error} />
      <ThreeCxError tenantId={tenantId} error={remove.error} />
      <div className="flex justify-end gap-2">
        <Button onClick={onClose} data-autofocus>
          Cancel
        </Button>
        <Button variant="danger" busy={remove.isPending} onClick={() => remove.mutate()}>
          Delete DID
        </Button>
      </div>
    </div>
  );
}

/** E2: the PBX's DIDs, who uses each, and the inventory's record of it. */
export function DidsPanel({ tenantId, canWrite }: { tenantId: string; canWrite: boolean }) {
  const dids = useQuery(didsQuery(tenantId));
  const [editing, setEditing] = useState<DidDto | null>(null);
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<DidDto | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const list = dids.data?.dids ?? [];
  const arrangement = useColumnArrangement('threecx-dids', didColumns, defaultDidColumns);
  const shownColumns = inOrder(didColumns, arrangement.visible);
  return (
    <Section
      title="DIDs"
      description="Numbers on the PBX's SIP trunks. A DID belongs to the extension whose outbound caller id it is."
      actions={canWrite ? <Button onClick={() => setAdding(true)}>Add a DID</Button> : null}
    >
      <div className="space-y-3">
        {done ? <Notice>{done}</Notice> : null}
        <ThreeCxError tenantId={tenantId} error={dids.error} />
        {dids.isPending ? <p className="text-sm text-zinc-600">Asking the PBX…</p> : null}
        {dids.data ? (
          <div className="flex justify-end">
            <ColumnArrangementMenu arrangement={arrangement} fixed="DID" label="the 3CX DIDs" />
          </div>
        ) : null}
        {dids.data ? (
          <Table caption="3CX DIDs">
            <thead>
              <tr>
                <Th>DID</Th>
                {shownColumns.map((c) => (
                  <Th key={c.id}>{c.label}</Th>
                ))}
                {canWrite ? <Th className="sr-only">Actions</Th> : null}
              </tr>
            </thead>
            <tbody className="bg-white">
              {list.map((d) => (
                <tr key={d.number} data-testid="did-row">
                  <Td className="font-mono whitespace-nowrap">{d.number}</Td>
                  {shownColumns.map((c) => (
                    <Td key={c.id}>{c.render(d)}</Td>
                  ))}
                  {canWrite ? (
                    <Td>
                      <Button size="sm" onClick={() => setEditing(d)} aria-label={`Edit ${d.number}`}>
                        Edit
                      </Button>{' '}
                      <Button size="sm" variant="ghost" onClick={() => setDeleting(d)} aria-label={`Delete ${d.number}`}>
                        Delete
                      </Button>
                    </Td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
      </div>
      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={`Edit DID ${editing?.number ?? ''}`}>
        {editing ? <EditDid tenantId={tenantId} did={editing} onClose={() => setEditing(null)} /> : null}
      </Dialog>
      <Dialog open={deleting !== null} onClose={() => setDeleting(null)} title={`Delete DID ${deleting?.number ?? ''}?`}>
        {deleting ? (
          <DeleteDid
            tenantId={tenantId}
            did={deleting}
            consoleUrl={dids.data?.consoleUrl ?? null}
            onClose={() => setDeleting(null)}
            onDeleted={(message) => {
              setDeleting(null);
              setDone(message);
            }}
          />
        ) : null}
      </Dialog>
      <Dialog open={adding} onClose={() => setAdding(false)} title="Adding a DID">
        <AddDidExplanation tenantId={tenantId} consoleUrl={dids.data?.consoleUrl ?? null} firstTrunk={list[0]?.trunkId} onClose={() => setAdding(false)} />
      </Dialog>
    </Section>
  );
}
