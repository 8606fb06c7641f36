import { useQuery } from '@tanstack/react-query';
import { inventoryKeys } from '../../api/inventory.ts';
import { threeCxApi, threeCxKeys, threeCxReconcileQuery } from '../../api/threecx.ts';
import { ReconcileSection, type DriftSystem } from '../../components/DriftTable.tsx';
import { plural } from '../../lib/inventory.ts';
import { ThreeCxError } from './TwoFactorPrompt.tsx';

const pbx: DriftSystem = { name: 'The PBX', nameInText: 'the PBX', where: 'on the PBX', assignee: (a) => `extension ${a.id}${a.name ? ` (${a.name})` : ''}` };

/** C7 for 3CX: where the inventory and the PBX disagree, both ways, with one-click fixes. */
export function ReconcilePanel({ tenantId, canWrite }: { tenantId: string; canWrite: boolean }) {
  const report = useQuery(threeCxReconcileQuery(tenantId));
  return (
    <ReconcileSection
      title="Reconcile with 3CX"
      description="DIDs on which the inventory and the PBX disagree. The PBX is taken as the truth: each fix makes the inventory follow it."
      tenantId={tenantId}
      canWrite={canWrite}
      system={pbx}
      report={report}
      fixDrift={(numbers) => threeCxApi.fixDrift(tenantId, numbers)}
      refresh={[inventoryKeys.inventory(tenantId), threeCxKeys.all(tenantId)]}
      summary={(r) => `The PBX has ${plural(r.systemNumbers, 'DID')}; the inventory has ${plural(r.inventoryNumbers, '3CX DID')}.`}
      reportError={<ThreeCxError tenantId={tenantId} error={report.error} />}
      rowTestId="threecx-drift-row"
    />
  );
}
