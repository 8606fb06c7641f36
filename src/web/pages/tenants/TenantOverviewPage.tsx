import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState, type ReactNode } from 'react';
import { rangesQuery, utilisationQuery } from '../../api/inventory.ts';
import type { TenantDto } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { HistoryChart, StatusBarChart, UtilisationBar } from '../../components/Charts.tsx';
import { Section } from '../../components/Section.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { formatCount } from '../../lib/inventory.ts';
import { useRole } from '../../lib/role.ts';
import { ArchiveTenantDialog } from './ArchiveTenantDialog.tsx';
import { TenantFormDialog } from './TenantFormDialog.tsx';
import { useTenant } from './tenant-context.ts';

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd className="mt-0.5 text-sm break-words text-zinc-900">{children}</dd>
    </div>
  );
}

const notSet = <span className="text-zinc-400">Not set</span>;

function FeatureState({ tenant, flag }: { tenant: TenantDto; flag: 'teams' | 'threecx' | 'connectwise' | 'manualNumberEntry' }) {
  const on = tenant.features[flag];
  const own = tenant.overrides[flag] !== null;
  return (
    <span className="inline-flex items-center gap-1.5">
      <Badge tone={on ? 'green' : 'neutral'}>{on ? 'On' : 'Off'}</Badge>
      <span className="text-xs text-zinc-500">{own ? 'set for this tenant' : 'global default'}</span>
    </span>
  );
}

function Details({ tenant }: { tenant: TenantDto }) {
  const { isAdmin } = useRole();
  const [editing, setEditing] = useState(false);
  const [archiving, setArchiving] = useState(false);
  return (
    <Section
      title="Details"
      actions={
        isAdmin ? (
          <div className="flex gap-2">
            <Button size="sm" onClick={() => setEditing(true)}>
              Edit tenant
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setArchiving(true)}>
              {tenant.status === 'active' ? 'Archive' : 'Restore'}
            </Button>
          </div>
        ) : null
      }
    >
      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Item label="Microsoft tenant id">{tenant.microsoftTenantId ? <span className="font-mono text-xs">{tenant.microsoftTenantId}</span> : notSet}</Item>
        <Item label="Primary domain">{tenant.primaryDomain ?? notSet}</Item>
        <Item label="Default country">{tenant.defaultCountry ?? notSet}</Item>
        <Item label="Time zone">{tenant.timeZoneSet ? tenant.timeZone : `${tenant.timeZone} (the server's)`}</Item>
        <Item label="ConnectWise company id">{tenant.connectwiseCompanyId ?? notSet}</Item>
        <Item label="Microsoft Teams">
          <FeatureState tenant={tenant} flag="teams" />
        </Item>
        <Item label="3CX">
          <FeatureState tenant={tenant} flag="threecx" />
        </Item>
        <Item label="ConnectWise">
          <FeatureState tenant={tenant} flag="connectwise" />
        </Item>
        <Item label="Manual number entry">
          <FeatureState tenant={tenant} flag="manualNumberEntry" />
        </Item>
        <Item label="Cooling days">
          {tenant.features.coolingDays} <span className="text-xs text-zinc-500">{tenant.overrides.coolingDays !== null ? 'set for this tenant' : 'global default'}</span>
        </Item>
        {tenant.notes ? (
          <div className="sm:col-span-2 lg:col-span-3">
            <Item label="Notes">
              <span className="whitespace-pre-wrap">{tenant.notes}</span>
            </Item>
          </div>
        ) : null}
      </dl>
      <TenantFormDialog open={editing} tenant={tenant} onClose={() => setEditing(false)} />
      <ArchiveTenantDialog tenant={archiving ? tenant : undefined} onClose={() => setArchiving(false)} />
    </Section>
  );
}

function Utilisation({ tenant }: { tenant: TenantDto }) {
  const utilisation = useQuery(utilisationQuery(tenant.id));
  const ranges = useQuery(rangesQuery(tenant.id));
  const data = utilisation.data;
  const total = data ? Object.values(data.counts).reduce((a, b) => a + b, 0) : 0;
  return (
    <Section title="Utilisation" description="Numbers by status, per range, and over time.">
      <ErrorAlert error={utilisation.error} />
      {utilisation.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {data && total === 0 ? (
        <p className="text-sm text-zinc-600">
          No numbers yet.{' '}
          <Link to="/tenants/$tenantId/ranges" params={{ tenantId: tenant.id }} className="font-medium text-blue-700 underline">
            Add a range
          </Link>{' '}
          or{' '}
          <Link to="/tenants/$tenantId/import" params={{ tenantId: tenant.id }} className="font-medium text-blue-700 underline">
            import a CSV
          </Link>
          .
        </p>
      ) : null}
      {data && total > 0 ? (
        <div className="space-y-8">
          <StatusBarChart counts={data.counts} title="Numbers by status" />
          {data.ranges.length > 0 ? (
            <div>
              <h3 className="mb-2 text-sm font-medium text-zinc-800">Ranges</h3>
              <Table caption="Utilisation per range">
                <thead>
                  <tr>
                    <Th>Range</Th>
                    <Th className="text-right">Size</Th>
                    <Th className="text-right">Available</Th>
                    <Th className="text-right">Reserved</Th>
                    <Th className="text-right">Assigned</Th>
                    <Th>Utilisation</Th>
                  </tr>
                </thead>
                <tbody className="bg-white">
                  {data.ranges.map((r) => (
                    <tr key={r.id}>
                      <Td>
                        <Link to="/tenants/$tenantId/numbers" params={{ tenantId: tenant.id }} search={{ rangeId: r.id }} className="rounded font-medium text-blue-700 hover:underline">
                          {r.name}
                        </Link>
                        {(() => {
                          const range = ranges.data?.find((x) => x.id === r.id);
                          return range ? <span className="block font-mono text-xs text-zinc-500">{`${range.startE164} – ${range.endE164}`}</span> : null;
                        })()}
                      </Td>
                      <Td className="text-right tabular-nums">{formatCount(r.size)}</Td>
                      <Td className="text-right tabular-nums">{formatCount(r.counts.available ?? 0)}</Td>
                      <Td className="text-right tabular-nums">{formatCount(r.counts.reserved ?? 0)}</Td>
                      <Td className="text-right tabular-nums">{formatCount(r.counts.assigned ?? 0)}</Td>
                      <Td>
                        <UtilisationBar counts={r.counts} size={r.size} utilisation={r.utilisation} label={r.name} />
                      </Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            </div>
          ) : null}
          {data.history.length > 0 ? (
            <HistoryChart history={data.history} title="Numbers by status over time" />
          ) : (
            <p className="text-xs text-zinc-500">The fill over time appears here once daily snapshots have been taken.</p>
          )}
        </div>
      ) : null}
    </Section>
  );
}

export function TenantOverviewPage() {
  const { tenant } = useTenant();
  return (
    <div className="space-y-6">
      <Details tenant={tenant} />
      <Utilisation tenant={tenant} />
    </div>
  );
}
