import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { threeCxApi, threeCxKeys, trunksQuery, type TrunkDto } from '../../api/threecx.ts';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { SelectField, TextAreaField, TextField } from '../../components/Field.tsx';
import { Section } from '../../components/Section.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { fieldError } from '../../lib/errors.ts';
import { ThreeCxError } from './TwoFactorPrompt.tsx';
import { ThreeCxTicketField, useThreeCxTicket } from './ThreeCxTicketField.tsx';

function TrunkForm({ tenantId, trunk, canWrite, onClose }: { tenantId: string; trunk: TrunkDto; canWrite: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ externalNumber: trunk.externalNumber, simultaneousCalls: String(trunk.simultaneousCalls ?? ''), direction: trunk.direction, dids: trunk.didNumbers.join('\n') });
  const ticket = useThreeCxTicket();
  const save = useMutation({
    mutationFn: () =>
      threeCxApi.updateTrunk(tenantId, trunk.id, {
        externalNumber: form.externalNumber.trim(),
        ...(form.simultaneousCalls.trim() ? { simultaneousCalls: Number(form.simultaneousCalls) } : {}),
        direction: form.direction,
        didNumbers: form.dids.split(/[\s,;]+/).filter(Boolean),
        ...ticket.body,
      }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: threeCxKeys.all(tenantId) });
      onClose();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const err = save.error;
  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Trunk">
      <dl className="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-zinc-600">Gateway</dt>
        <dd>
          {trunk.host ?? ''}
          {trunk.port ? `:${trunk.port}` : ''} {trunk.type ? `(${trunk.type})` : ''}
        </dd>
        <dt className="text-zinc-600">Trunk number</dt>
        <dd className="font-mono">{trunk.number}</dd>
        <dt className="text-zinc-600">Registration</dt>
        <dd>{trunk.online ? 'Online' : 'Offline'}</dd>
      </dl>
      <TextField label="External number" name="externalNumber" disabled={!canWrite} value={form.externalNumber} onChange={(e) => setForm({ ...form, externalNumber: e.target.value })} error={fieldError(err, 'externalNumber')} data-autofocus />
      <TextField label="Simultaneous calls" name="simultaneousCalls" type="number" min={1} disabled={!canWrite} value={form.simultaneousCalls} onChange={(e) => setForm({ ...form, simultaneousCalls: e.target.value })} error={fieldError(err, 'simultaneousCalls')} />
      <SelectField label="Direction" name="direction" disabled={!canWrite} value={form.direction} onChange={(e) => setForm({ ...form, direction: e.target.value as TrunkDto['direction'] })}>
        <option value="Both">Inbound and outbound</option>
        <option value="Inbound">Inbound only</option>
        <option value="Outbound">Outbound only</option>
      </SelectField>
      <TextAreaField label="DID numbers" name="didNumbers" rows={6} disabled={!canWrite} hint="One per line. Where your 3CX version allows it, DIDs are added here; otherwise in the 3CX console." value={form.dids} onChange={(e) => setForm({ ...form, dids: e.target.value })} error={fieldError(err, 'didNumbers')} />
      {canWrite ? <ThreeCxTicketField {...ticket.field} serverError={save.error} /> : null}
      <ThreeCxError tenantId={tenantId} error={err} />
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>{canWrite ? 'Cancel' : 'Close'}</Button>
        {canWrite ? (
          <Button type="submit" variant="primary" busy={save.isPending}>
            Save trunk
          </Button>
        ) : null}
      </div>
    </form>
  );
}

/** E3: the PBX's SIP trunks; view one and change the fields 3CX allows. */
export function TrunksPanel({ tenantId, canWrite }: { tenantId: string; canWrite: boolean }) {
  const trunks = useQuery(trunksQuery(tenantId));
  const [open, setOpen] = useState<TrunkDto | null>(null);
  return (
    <Section title="Trunks" description="SIP trunks of the PBX and their DIDs.">
      <div className="space-y-3">
        <ThreeCxError tenantId={tenantId} error={trunks.error} />
        {trunks.data ? (
          <Table caption="3CX trunks">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Host</Th>
                <Th>External number</Th>
                <Th>Calls</Th>
                <Th>Direction</Th>
                <Th>DIDs</Th>
                <Th>State</Th>
                <Th className="sr-only">Open</Th>
              </tr>
            </thead>
            <tbody className="bg-white">
              {trunks.data.map((tr) => (
                <tr key={tr.id} data-testid="trunk-row">
                  <Td>{tr.name}</Td>
                  <Td className="break-all">{tr.host}</Td>
                  <Td className="font-mono">{tr.externalNumber}</Td>
                  <Td>{tr.simultaneousCalls}</Td>
                  <Td>{tr.direction}</Td>
                  <Td>{tr.didNumbers.length}</Td>
                  <Td>{tr.online ? <Badge tone="green">Online</Badge> : <Badge tone="amber">Offline</Badge>}</Td>
                  <Td>
                    <Button size="sm" onClick={() => setOpen(tr)} aria-label={`${canWrite ? 'Edit' : 'View'} trunk ${tr.name}`}>
                      {canWrite ? 'Edit' : 'View'}
                    </Button>
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        ) : null}
      </div>
      <Dialog open={open !== null} onClose={() => setOpen(null)} title={`Trunk ${open?.name ?? ''}`} wide>
        {open ? <TrunkForm tenantId={tenantId} trunk={open} canWrite={canWrite} onClose={() => setOpen(null)} /> : null}
      </Dialog>
    </Section>
  );
}
