import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearch } from '@tanstack/react-router';
import { threeCxConnectionQuery } from '../../api/threecx.ts';
import { Notice } from '../../components/Alert.tsx';
import { useTenant } from '../tenants/tenant-context.ts';
import { ConnectionPanel } from './ConnectionPanel.tsx';
import { DidsPanel } from './DidsPanel.tsx';
import { ExtensionsPanel } from './ExtensionsPanel.tsx';
import { ReconcilePanel } from './ReconcilePanel.tsx';
import { SystemPanel } from './SystemPanel.tsx';
import { TrunksPanel } from './TrunksPanel.tsx';

const views = [
  { id: 'extensions', label: 'Extensions' },
  { id: 'dids', label: 'DIDs' },
  { id: 'trunks', label: 'Trunks' },
  { id: 'reconcile', label: 'Reconcile' },
  { id: 'system', label: 'System' },
  { id: 'connection', label: 'Connection' },
] as const;
type View = (typeof views)[number]['id'];

/** The tenant's 3CX tab: connection, extensions (E1), DIDs (E2), trunks (E3), reconcile (C7) and the PBX's version and counts. */
export function ThreeCxPage() {
  const { tenant, canWrite } = useTenant();
  const connection = useQuery(threeCxConnectionQuery(tenant.id));
  const [chosen, setChosen] = useState<View | null>(null);
  const { extension } = useSearch({ strict: false }) as { extension?: string };
  if (!tenant.features.threecx) return <Notice tone="info">3CX is switched off for this tenant. An admin can switch it on in the tenant’s settings.</Notice>;
  if (connection.isPending) return <p className="text-sm text-zinc-600">Loading…</p>;
  const configured = connection.data?.configured ?? false;
  const view: View = chosen ?? (configured ? 'extensions' : 'connection');
  return (
    <div className="space-y-5">
      <div role="tablist" aria-label="3CX" className="flex flex-wrap gap-1">
        {views.map((v) => (
          <button
            key={v.id}
            type="button"
            role="tab"
            aria-selected={view === v.id}
            disabled={!configured && v.id !== 'connection'}
            onClick={() => setChosen(v.id)}
            className="rounded-md px-3 py-1.5 text-sm font-medium text-zinc-700 hover:bg-zinc-100 disabled:text-zinc-400 aria-selected:bg-blue-50 aria-selected:text-blue-800"
          >
            {v.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-label={views.find((v) => v.id === view)?.label}>
        {view === 'connection' ? <ConnectionPanel tenantId={tenant.id} tenantName={tenant.name} /> : null}
        {view === 'extensions' ? <ExtensionsPanel tenantId={tenant.id} canWrite={canWrite} initialSearch={extension} /> : null}
        {view === 'dids' ? <DidsPanel tenantId={tenant.id} canWrite={canWrite} /> : null}
        {view === 'trunks' ? <TrunksPanel tenantId={tenant.id} canWrite={canWrite} /> : null}
        {view === 'system' ? <SystemPanel tenantId={tenant.id} /> : null}
        {view === 'reconcile' ? <ReconcilePanel tenantId={tenant.id} canWrite={canWrite} /> : null}
      </div>
    </div>
  );
}
