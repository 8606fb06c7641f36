import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { inventoryKeys } from '../../api/inventory.ts';
import { reconcileQuery, teamsApi, teamsKeys } from '../../api/teams.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { DriftFixNotice, DriftTable, type DriftSystem } from '../../components/DriftTable.tsx';
import { Section } from '../../components/Section.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { plural } from '../../lib/inventory.ts';
import { useTenant } from '../tenants/tenant-context.ts';

const teams: DriftSystem = { name: 'Teams', nameInText: 'Teams', where: 'in Teams', assignee: (a) => a.upn ?? a.id };

/**
 * Reconcile with Teams (C7): the numbers on which the inventory and Teams disagree, both ways,
 * with the fix that makes the inventory follow Teams, for the chosen ones or all at once.
 */
export function ReconcilePage() {
  const { tenant, canWrite } = useTenant();
  const queryClient = useQueryClient();
  const report = useQuery(reconcileQuery(tenant.id));
  const items = report.data?.items ?? [];
  const fix = useMutation({
    mutationFn: (numbers: string[] | 'all') => teamsApi.fixDrift(tenant.id, numbers),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: inventoryKeys.inventory(tenant.id) });
      await queryClient.invalidateQueries({ queryKey: teamsKeys.reconcile(tenant.id) });
    },
  });

  return (
    <Section
      title="Reconcile with Teams"
      description="Numbers on which the inventory and Teams disagree. Teams is taken as the truth: each fix makes the inventory follow it."
      actions={
        <Button onClick={() => void report.refetch()} busy={report.isFetching}>
          Check again
        </Button>
      }
    >
      <div className="space-y-4">
        <DriftFixNotice result={fix.data} />
        <ErrorAlert error={report.error} />
        <ErrorAlert error={fix.error} />
        {report.isPending ? <p className="text-sm text-zinc-600">Asking Teams for its numbers…</p> : null}
        {report.data ? (
          <p className="text-sm text-zinc-600" data-testid="reconcile-summary">
            Teams has {plural(report.data.systemNumbers, 'number')}; the inventory has {plural(report.data.inventoryNumbers, 'Direct Routing, Calling Plan or Operator Connect number')}. Checked {formatDateTime(report.data.checkedAt)}.
          </p>
        ) : null}
        {report.data && items.length === 0 ? <Notice tone="info">No drift: the inventory matches Teams.</Notice> : null}
        {items.length > 0 ? <DriftTable tenantId={tenant.id} items={items} system={teams} canWrite={canWrite} busy={fix.isPending} error={fix.error} rowTestId="drift-row" onFix={fix.mutateAsync} /> : null}
      </div>
    </Section>
  );
}
