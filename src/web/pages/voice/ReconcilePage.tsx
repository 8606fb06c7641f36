import { useQuery } from '@tanstack/react-query';
import { inventoryKeys } from '../../api/inventory.ts';
import { reconcileQuery, teamsApi, teamsKeys } from '../../api/teams.ts';
import { ReconcileSection, type DriftSystem } from '../../components/DriftTable.tsx';
import { plural } from '../../lib/inventory.ts';
import { useTenant } from '../tenants/tenant-context.ts';

const teams: DriftSystem = { name: 'Teams', nameInText: 'Teams', where: 'in Teams', assignee: (a) => a.upn ?? a.id };

/**
 * Reconcile with Teams (C7): the numbers on which the inventory and Teams disagree, both ways,
 * with the fix that makes the inventory follow Teams, for the chosen ones or all at once.
 */
export function ReconcilePage() {
  const { tenant, canWrite } = useTenant();
  const report = useQuery(reconcileQuery(tenant.id));
  return (
    <ReconcileSection
      title="Reconcile with Teams"
      description="Numbers on which the inventory and Teams disagree. Teams is taken as the truth: each fix makes the inventory follow it."
      tenantId={tenant.id}
      canWrite={canWrite}
      system={teams}
      report={report}
      fixDrift={(numbers) => teamsApi.fixDrift(tenant.id, numbers)}
      refresh={[inventoryKeys.inventory(tenant.id), teamsKeys.reconcile(tenant.id)]}
      summary={(r) => `Teams has ${plural(r.systemNumbers, 'number')}; the inventory has ${plural(r.inventoryNumbers, 'Direct Routing, Calling Plan or Operator Connect number')}.`}
      rowTestId="drift-row"
    />
  );
}
