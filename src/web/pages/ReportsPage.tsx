import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { tenantsQuery } from '../api/inventory.ts';
import {
  reportCsvUrl,
  reportQuery,
  type LicensedWithoutNumberReportDto,
  type RangesRunningOutReportDto,
  type RangeUseDto,
  type ReportName,
  type StatusCountsDto,
  type TeamsDriftReportDto,
  type UtilisationReportDto,
} from '../api/reports.ts';
import { ErrorAlert } from '../components/Alert.tsx';
import { Badge } from '../components/Badge.tsx';
import { SelectField } from '../components/Field.tsx';
import { PageHeader, Section } from '../components/Section.tsx';
import { Table, Td, Th } from '../components/Table.tsx';
import { formatDateTime } from '../lib/format.ts';
import { formatCount, statusColors, statusLabel } from '../lib/inventory.ts';

const barStatuses = ['assigned', 'reserved', 'cooling', 'available', 'blocked', 'retired'] as const;

function Csv({ name, tenantId }: { name: ReportName; tenantId: string }) {
  return (
    <a href={reportCsvUrl(name, tenantId)} download className="rounded-md border border-zinc-300 bg-white px-2.5 py-1 text-xs font-medium text-zinc-800 shadow-xs hover:bg-zinc-50" data-testid={`csv-${name}`}>
      Download CSV
    </a>
  );
}

/** One bar split by status, each part's share of the whole; the numbers are in the table next to it. */
function StackedBar({ counts, total, label }: { counts: StatusCountsDto; total: number; label: string }) {
  return (
    <div role="img" aria-label={`${label}: ${barStatuses.map((s) => `${statusLabel(s)} ${formatCount(counts[s])}`).join(', ')}`} className="flex h-3 w-full min-w-24 overflow-hidden rounded bg-zinc-100">
      {total > 0 ? barStatuses.map((s) => (counts[s] ? <span key={s} style={{ width: `${(counts[s] / total) * 100}%`, backgroundColor: statusColors[s] }} /> : null)) : null}
    </div>
  );
}

/** A bar for a share in use, red from 90 %. */
function UseBar({ percent, label }: { percent: number; label: string }) {
  return (
    <div className="flex items-center gap-2">
      <div role="img" aria-label={`${label}: ${percent} % in use`} className="h-2.5 w-24 overflow-hidden rounded bg-zinc-100">
        <span className="block h-full" style={{ width: `${Math.min(100, percent)}%`, backgroundColor: percent >= 90 ? '#b91c1c' : '#1d4ed8' }} />
      </div>
      <span className="text-xs tabular-nums">{percent} %</span>
    </div>
  );
}

function Legend() {
  return (
    <ul className="mb-3 flex flex-wrap gap-3 text-xs text-zinc-600" aria-label="Colours">
      {barStatuses.map((s) => (
        <li key={s} className="flex items-center gap-1">
          <span className="inline-block h-2.5 w-2.5 rounded-sm" style={{ backgroundColor: statusColors[s] }} />
          {statusLabel(s)}
        </li>
      ))}
    </ul>
  );
}

function Loading({ error, pending }: { error: Error | null; pending: boolean }) {
  return (
    <>
      <ErrorAlert error={error} />
      {pending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
    </>
  );
}

function TenantCell({ tenantId, name, to }: { tenantId: string; name: string; to?: 'ranges' | 'reconcile' }) {
  if (to === 'ranges') return <Link to="/tenants/$tenantId/ranges" params={{ tenantId }} className="font-medium text-blue-700 hover:underline">{name}</Link>;
  if (to === 'reconcile') return <Link to="/tenants/$tenantId/reconcile" params={{ tenantId }} className="font-medium text-blue-700 hover:underline">{name}</Link>;
  return <Link to="/tenants/$tenantId" params={{ tenantId }} className="font-medium text-blue-700 hover:underline">{name}</Link>;
}

function RangeRows({ ranges, showFree }: { ranges: RangeUseDto[]; showFree?: boolean }) {
  return (
    <>
      {ranges.map((r) => (
        <tr key={r.rangeId} data-testid="report-range">
          <Td><TenantCell tenantId={r.tenantId} name={r.tenantName} to="ranges" /></Td>
          <Td className="font-medium text-zinc-900">{r.name}</Td>
          <Td className="font-mono text-xs whitespace-nowrap">{r.startE164} – {r.endE164}</Td>
          <Td className="text-right tabular-nums">{formatCount(r.size)}</Td>
          {showFree ? <Td className="text-right font-medium tabular-nums">{formatCount(r.free)}</Td> : <Td className="w-48"><StackedBar counts={r.counts} total={r.size} label={r.name} /></Td>}
          <Td><UseBar percent={r.percentInUse} label={r.name} /></Td>
        </tr>
      ))}
    </>
  );
}

function Utilisation({ tenantId }: { tenantId: string }) {
  const report = useQuery(reportQuery<UtilisationReportDto>('utilisation', tenantId));
  const data = report.data;
  return (
    <Section title="Utilisation" id="utilisation" description={data ? `Numbers by status, per tenant and per range. In use means assigned or reserved. Counted ${formatDateTime(data.generatedAt)}.` : 'Numbers by status, per tenant and per range.'} actions={<Csv name="utilisation" tenantId={tenantId} />}>
      <Loading error={report.error} pending={report.isPending} />
      {data ? (
        <div className="space-y-5">
          <Legend />
          <Table caption="Utilisation per tenant">
            <thead>
              <tr><Th>Tenant</Th><Th className="text-right">Numbers</Th><Th>By status</Th><Th className="text-right">Assigned</Th><Th className="text-right">Reserved</Th><Th className="text-right">Available</Th><Th>In use</Th></tr>
            </thead>
            <tbody>
              {data.tenants.map((t) => (
                <tr key={t.tenantId} data-testid="report-tenant">
                  <Td><TenantCell tenantId={t.tenantId} name={t.tenantName} /></Td>
                  <Td className="text-right tabular-nums">{formatCount(t.total)}</Td>
                  <Td className="w-56"><StackedBar counts={t.counts} total={t.total} label={t.tenantName} /></Td>
                  <Td className="text-right tabular-nums">{formatCount(t.counts.assigned)}</Td>
                  <Td className="text-right tabular-nums">{formatCount(t.counts.reserved)}</Td>
                  <Td className="text-right tabular-nums">{formatCount(t.counts.available)}</Td>
                  <Td><UseBar percent={t.percentInUse} label={t.tenantName} /></Td>
                </tr>
              ))}
            </tbody>
          </Table>
          {data.ranges.length ? (
            <Table caption="Utilisation per range">
              <thead>
                <tr><Th>Tenant</Th><Th>Range</Th><Th>Numbers</Th><Th className="text-right">Size</Th><Th>By status</Th><Th>In use</Th></tr>
              </thead>
              <tbody><RangeRows ranges={data.ranges} /></tbody>
            </Table>
          ) : <p className="text-sm text-zinc-600">No ranges in these tenants.</p>}
        </div>
      ) : null}
    </Section>
  );
}

function RunningOut({ tenantId }: { tenantId: string }) {
  const report = useQuery(reportQuery<RangesRunningOutReportDto>('ranges-running-out', tenantId));
  const data = report.data;
  return (
    <Section
      title="Ranges running out"
      id="ranges-running-out"
      description={data ? <>Ranges {data.fullPercent} % or more in use, or with fewer than {formatCount(data.lowFree)} free numbers (an admin sets this number in Settings). Fewest free first.</> : 'Ranges nearly full.'}
      actions={<Csv name="ranges-running-out" tenantId={tenantId} />}
    >
      <Loading error={report.error} pending={report.isPending} />
      {data && data.ranges.length === 0 ? <p className="text-sm text-zinc-600">No range is running out.</p> : null}
      {data && data.ranges.length ? (
        <Table caption="Ranges running out">
          <thead>
            <tr><Th>Tenant</Th><Th>Range</Th><Th>Numbers</Th><Th className="text-right">Size</Th><Th className="text-right">Free</Th><Th>In use</Th></tr>
          </thead>
          <tbody><RangeRows ranges={data.ranges} showFree /></tbody>
        </Table>
      ) : null}
    </Section>
  );
}

function DirectoryState({ syncedAt, users }: { syncedAt: string | null; users: number }) {
  return syncedAt ? <span className="text-xs text-zinc-600">{formatCount(users)} users, read {formatDateTime(syncedAt)}</span> : <Badge tone="amber">Directory never synced</Badge>;
}

function LicensedWithoutNumber({ tenantId }: { tenantId: string }) {
  const report = useQuery(reportQuery<LicensedWithoutNumberReportDto>('licensed-without-number', tenantId));
  const data = report.data;
  const max = Math.max(1, ...(data?.tenants.map((t) => t.users) ?? []));
  return (
    <Section
      title="Teams Phone users without a number"
      id="licensed-without-number"
      description="Users with a Teams Phone licence and no phone number, from each tenant's Teams directory as UCR Manager last read it (sync the directory on the tenant's Voice page to refresh it)."
      actions={<Csv name="licensed-without-number" tenantId={tenantId} />}
    >
      <Loading error={report.error} pending={report.isPending} />
      {data ? (
        <div className="space-y-5">
          <Table caption="Licensed users without a number, per tenant">
            <thead><tr><Th>Tenant</Th><Th className="text-right">Users</Th><Th /><Th>Teams directory</Th></tr></thead>
            <tbody>
              {data.tenants.map((t) => (
                <tr key={t.tenantId} data-testid="report-licensed-tenant">
                  <Td><TenantCell tenantId={t.tenantId} name={t.tenantName} /></Td>
                  <Td className="text-right font-medium tabular-nums">{t.directorySyncedAt ? formatCount(t.users) : '—'}</Td>
                  <Td className="w-48"><div className="h-2.5 overflow-hidden rounded bg-zinc-100"><span className="block h-full bg-amber-600" style={{ width: `${(t.users / max) * 100}%` }} /></div></Td>
                  <Td><DirectoryState syncedAt={t.directorySyncedAt} users={t.directoryUsers} /></Td>
                </tr>
              ))}
            </tbody>
          </Table>
          {data.users.length ? (
            <>
              <Table caption="Licensed users without a number">
                <thead><tr><Th>Tenant</Th><Th>User</Th><Th>Usage location</Th><Th>Account</Th></tr></thead>
                <tbody>
                  {data.users.map((u) => (
                    <tr key={`${u.tenantId}-${u.userId}`} data-testid="report-licensed-user">
                      <Td>{u.tenantName}</Td>
                      <Td>
                        <Link to="/tenants/$tenantId/voice" params={{ tenantId: u.tenantId }} search={{ user: u.userId }} className="font-medium text-blue-700 hover:underline">{u.displayName || u.upn}</Link>
                        <span className="block text-xs text-zinc-500">{u.upn}</span>
                      </Td>
                      <Td>{u.usageLocation ?? <span className="text-amber-700">not set</span>}</Td>
                      <Td>{u.accountEnabled ? 'Enabled' : 'Sign-in disabled'}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              {data.total > data.shown ? <p className="text-xs text-zinc-600">The first {formatCount(data.shown)} of {formatCount(data.total)}; the CSV has them all.</p> : null}
            </>
          ) : <p className="text-sm text-zinc-600">Every licensed user in the synced directories has a number.</p>}
        </div>
      ) : null}
    </Section>
  );
}

function TeamsDrift({ tenantId }: { tenantId: string }) {
  const report = useQuery(reportQuery<TeamsDriftReportDto>('teams-drift', tenantId));
  const data = report.data;
  const max = Math.max(1, ...(data?.tenants.map((t) => t.notInTeams ?? 0) ?? []));
  return (
    <Section
      title="Assigned in UCR Manager, not in Teams"
      id="teams-drift"
      description="Numbers the inventory has assigned to a Teams user that no user holds in the tenant's Teams directory as last synced, counted now from the stored directory. The last column is what the last comparison with Teams itself found (Reconcile, or the nightly sync); the tenant's Reconcile page compares again and fixes the difference."
      actions={<Csv name="teams-drift" tenantId={tenantId} />}
    >
      <Loading error={report.error} pending={report.isPending} />
      {data ? (
        <div className="space-y-5">
          <Table caption="Drift per tenant">
            <thead><tr><Th>Tenant</Th><Th className="text-right">Assigned to Teams users</Th><Th className="text-right">Not in Teams</Th><Th /><Th>Teams directory</Th><Th>Last comparison with Teams</Th></tr></thead>
            <tbody>
              {data.tenants.map((t) => (
                <tr key={t.tenantId} data-testid="report-drift-tenant">
                  <Td><TenantCell tenantId={t.tenantId} name={t.tenantName} to="reconcile" /></Td>
                  <Td className="text-right tabular-nums">{formatCount(t.assignedInUcr)}</Td>
                  <Td className="text-right font-medium tabular-nums">{t.notInTeams === null ? 'not known' : formatCount(t.notInTeams)}</Td>
                  <Td className="w-40"><div className="h-2.5 overflow-hidden rounded bg-zinc-100"><span className="block h-full bg-red-700" style={{ width: `${((t.notInTeams ?? 0) / max) * 100}%` }} /></div></Td>
                  <Td><DirectoryState syncedAt={t.directorySyncedAt} users={t.directoryUsers} /></Td>
                  <Td className="text-xs" data-testid="report-drift-reconcile">
                    {t.lastReconcile ? (
                      <>
                        <span className="font-medium text-zinc-900">{formatCount(t.lastReconcile.notInTeams)} not in Teams</span> of {formatCount(t.lastReconcile.drift)} differences
                        <span className="block text-zinc-500">compared {formatDateTime(t.lastReconcile.checkedAt)}</span>
                      </>
                    ) : (
                      'never compared'
                    )}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
          {data.numbers.length ? (
            <>
              <Table caption="Numbers assigned in UCR Manager but not in Teams">
                <thead><tr><Th>Tenant</Th><Th>Number</Th><Th>Assigned in UCR Manager to</Th><Th>Teams directory</Th></tr></thead>
                <tbody>
                  {data.numbers.map((n) => (
                    <tr key={n.numberId} data-testid="report-drift-number">
                      <Td>{n.tenantName}</Td>
                      <Td className="font-mono text-xs"><Link to="/tenants/$tenantId/numbers" params={{ tenantId: n.tenantId }} search={{ search: n.e164.slice(1), number: n.numberId }} className="text-blue-700 hover:underline">{n.e164}</Link></Td>
                      <Td>{n.assigneeUpn ?? n.assigneeId}</Td>
                      <Td>{n.teamsSays}</Td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              {data.total > data.shown ? <p className="text-xs text-zinc-600">The first {formatCount(data.shown)} of {formatCount(data.total)}; the CSV has them all.</p> : null}
            </>
          ) : null}
        </div>
      ) : null}
    </Section>
  );
}

function Anchor({ href, children }: { href: string; children: ReactNode }) {
  return <a href={href} className="rounded px-2 py-1 text-sm font-medium text-blue-700 hover:bg-blue-50">{children}</a>;
}

/** Reports across the operator's tenants (#19), each limited to one tenant on request and downloadable as CSV. */
export function ReportsPage() {
  const { tenantId = '' } = useSearch({ from: '/app/reports' });
  const navigate = useNavigate({ from: '/reports' });
  const tenants = useQuery(tenantsQuery(false));
  return (
    <div className="space-y-6">
      <PageHeader
        title="Reports"
        description="Across every tenant you may see, or one of them. Each report downloads as CSV (safe to open in a spreadsheet)."
        actions={
          <SelectField label="Tenant" value={tenantId} onChange={(e) => void navigate({ search: e.target.value ? { tenantId: e.target.value } : {} })} className="w-64">
            <option value="">All tenants</option>
            {(tenants.data ?? []).map((t) => (
              <option key={t.id} value={t.id}>{t.name}</option>
            ))}
          </SelectField>
        }
      />
      <nav aria-label="Reports" className="flex flex-wrap gap-1">
        <Anchor href="#utilisation">Utilisation</Anchor>
        <Anchor href="#ranges-running-out">Ranges running out</Anchor>
        <Anchor href="#licensed-without-number">Licensed without a number</Anchor>
        <Anchor href="#teams-drift">Not in Teams</Anchor>
      </nav>
      <Utilisation tenantId={tenantId} />
      <RunningOut tenantId={tenantId} />
      <LicensedWithoutNumber tenantId={tenantId} />
      <TeamsDrift tenantId={tenantId} />
    </div>
  );
}
