import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { inventoryKeys } from '../../api/inventory.ts';
import { threeCxApi, threeCxKeys, threeCxReconcileQuery, type ThreeCxDriftDto } from '../../api/threecx.ts';
import type { NumberStatus } from '../../api/types.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Section } from '../../components/Section.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { plural } from '../../lib/inventory.ts';
import { ThreeCxError } from './TwoFactorPrompt.tsx';

const labels: Record<ThreeCxDriftDto['kind'], string> = {
  missing_in_inventory: 'Not in the inventory',
  free_in_inventory: 'Free in the inventory',
  different_assignee: 'Other assignee',
  unassigned_on_pbx: 'Not used on the PBX',
  not_on_pbx: 'No trunk has it',
};

/** C7 for 3CX: where the inventory and the PBX disagree, both ways, with one-click fixes. */
export function ReconcilePanel({ tenantId, canWrite }: { tenantId: string; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const report = useQuery(threeCxReconcileQuery(tenantId));
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const items = report.data?.items ?? [];
  const fixable = items.filter((i) => i.fix);
  const fix = useMutation({
    mutationFn: (numbers: string[] | 'all') => threeCxApi.fixDrift(tenantId, numbers),
    onSuccess: async () => {
      setSelected(new Set());
      await queryClient.invalidateQueries({ queryKey: inventoryKeys.inventory(tenantId) });
      await queryClient.invalidateQueries({ queryKey: threeCxKeys.all(tenantId) });
    },
  });
  const toggle = (e164: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(e164);
    else next.delete(e164);
    setSelected(next);
  };
  return (
    <Section
      title="Reconcile with 3CX"
      description="DIDs on which the inventory and the PBX disagree. The PBX is taken as the truth: each fix makes the inventory follow it."
      actions={
        <Button onClick={() => void report.refetch()} busy={report.isFetching}>
          Check again
        </Button>
      }
    >
      <div className="space-y-4">
        {fix.data ? <Notice>Fixed {plural(fix.data.fixed, 'number')}{fix.data.skipped ? `; ${plural(fix.data.skipped, 'number')} skipped` : ''}.</Notice> : null}
        <ThreeCxError tenantId={tenantId} error={report.error} />
        <ErrorAlert error={fix.error} />
        {report.data ? (
          <p className="text-sm text-zinc-600">
            The PBX has {plural(report.data.pbxDids, 'DID')}; the inventory has {plural(report.data.inventoryNumbers, '3CX DID')}. Checked {formatDateTime(report.data.checkedAt)}.
          </p>
        ) : null}
        {report.data && items.length === 0 ? <Notice tone="info">No drift: the inventory matches the PBX.</Notice> : null}
        {items.length > 0 ? (
          <>
            {canWrite ? (
              <div className="flex flex-wrap gap-2">
                <Button variant="primary" disabled={selected.size === 0} busy={fix.isPending} onClick={() => fix.mutate([...selected])}>
                  Fix selected{selected.size ? ` (${selected.size})` : ''}
                </Button>
                <Button disabled={fixable.length === 0} busy={fix.isPending} onClick={() => fix.mutate('all')}>
                  Fix all ({fixable.length})
                </Button>
              </div>
            ) : null}
            <Table caption="Drift between the inventory and 3CX">
              <thead>
                <tr>
                  {canWrite ? <Th className="w-8"><span className="sr-only">Select</span></Th> : null}
                  <Th>Number</Th>
                  <Th>Drift</Th>
                  <Th>On the PBX</Th>
                  <Th>In the inventory</Th>
                  <Th>Fix</Th>
                </tr>
              </thead>
              <tbody className="bg-white">
                {items.map((item) => (
                  <tr key={item.e164} data-testid="threecx-drift-row">
                    {canWrite ? (
                      <Td>
                        {item.fix ? <input type="checkbox" aria-label={`Select ${item.e164}`} checked={selected.has(item.e164)} onChange={(e) => toggle(item.e164, e.target.checked)} className="size-4 accent-blue-700" /> : null}
                      </Td>
                    ) : null}
                    <Td className="font-mono whitespace-nowrap">{item.e164}</Td>
                    <Td>
                      <Badge tone="amber">{labels[item.kind]}</Badge>
                    </Td>
                    <Td>{item.pbx ? `${item.pbx.onTrunk ?? ''}${item.pbx.extension ? `, extension ${item.pbx.extension}` : ', no extension'}` : <span className="text-zinc-500">Not on the PBX</span>}</Td>
                    <Td>
                      {item.inventory ? (
                        <>
                          <StatusBadge status={item.inventory.status as NumberStatus} />
                          {item.inventory.assigneeId ? <span className="block text-xs text-zinc-600">{item.inventory.assigneeId}</span> : null}
                        </>
                      ) : (
                        <span className="text-zinc-500">Not in the inventory</span>
                      )}
                    </Td>
                    <Td>{item.fix ?? <span className="text-zinc-500">No automatic fix</span>}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </>
        ) : null}
      </div>
    </Section>
  );
}
