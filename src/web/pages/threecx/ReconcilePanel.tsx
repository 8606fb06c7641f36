import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { inventoryKeys } from '../../api/inventory.ts';
import { threeCxApi, threeCxKeys, threeCxReconcileQuery } from '../../api/threecx.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { DriftFixNotice, DriftTable, type DriftSystem } from '../../components/DriftTable.tsx';
import { Section } from '../../components/Section.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { plural } from '../../lib/inventory.ts';
import { ThreeCxError } from './TwoFactorPrompt.tsx';

const pbx: DriftSystem = { name: 'The PBX', nameInText: 'the PBX', where: 'on the PBX', assignee: (a) => `extension ${a.id}${a.name ? ` (${a.name})` : ''}` };

/** C7 for 3CX: where the inventory and the PBX disagree, both ways, with one-click fixes. */
export function ReconcilePanel({ tenantId, canWrite }: { tenantId: string; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const report = useQuery(threeCxReconcileQuery(tenantId));
  const items = report.data?.items ?? [];
  const fix = useMutation({
    mutationFn: (numbers: string[] | 'all') => threeCxApi.fixDrift(tenantId, numbers),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: inventoryKeys.inventory(tenantId) });
      await queryClient.invalidateQueries({ queryKey: threeCxKeys.all(tenantId) });
    },
  });
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
        <DriftFixNotice result={fix.data} />
        <ThreeCxError tenantId={tenantId} error={report.error} />
        <ErrorAlert error={fix.error} />
        {report.data ? (
          <p className="text-sm text-zinc-600">
            The PBX has {plural(report.data.systemNumbers, 'DID')}; the inventory has {plural(report.data.inventoryNumbers, '3CX DID')}. Checked {formatDateTime(report.data.checkedAt)}.
          </p>
        ) : null}
        {report.data && items.length === 0 ? <Notice tone="info">No drift: the inventory matches the PBX.</Notice> : null}
        {items.length > 0 ? <DriftTable tenantId={tenantId} items={items} system={pbx} canWrite={canWrite} busy={fix.isPending} error={fix.error} rowTestId="threecx-drift-row" onFix={fix.mutateAsync} /> : null}
      </div>
    </Section>
  );
}
