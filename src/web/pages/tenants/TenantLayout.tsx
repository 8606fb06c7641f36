import { useQuery } from '@tanstack/react-query';
import { Link, Outlet, useNavigate, useParams, useRouterState } from '@tanstack/react-router';
import { useEffect, useId, useMemo } from 'react';
import { tenantQuery, tenantsQuery } from '../../api/inventory.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { inputClass } from '../../components/Field.tsx';
import { useRole } from '../../lib/role.ts';
import { TenantBadges } from './TenantBadges.tsx';
import { rememberTenant, TenantContext } from './tenant-context.ts';

const sections = [
  { path: '', label: 'Overview', to: '/tenants/$tenantId' },
  { path: 'numbers', label: 'Numbers', to: '/tenants/$tenantId/numbers' },
  { path: 'ranges', label: 'Ranges', to: '/tenants/$tenantId/ranges' },
  { path: 'sites', label: 'Sites', to: '/tenants/$tenantId/sites' },
  { path: 'import', label: 'Import', to: '/tenants/$tenantId/import' },
  { path: 'voice', label: 'Voice', to: '/tenants/$tenantId/voice', teams: true },
  { path: 'bulk', label: 'Bulk', to: '/tenants/$tenantId/bulk', teams: true },
  { path: 'voice-changes', label: 'Voice changes', to: '/tenants/$tenantId/voice-changes', teams: true },
  { path: 'lifecycle', label: 'Joiners & leavers', to: '/tenants/$tenantId/lifecycle', teams: true },
  { path: 'scheduled', label: 'Scheduled', to: '/tenants/$tenantId/scheduled' },
  { path: 'policies', label: 'Policies', to: '/tenants/$tenantId/policies', teams: true },
  { path: 'profiles', label: 'Profiles', to: '/tenants/$tenantId/profiles', teams: true },
  { path: 'voice-apps', label: 'Voice apps', to: '/tenants/$tenantId/voice-apps', teams: true },
  { path: 'emergency', label: 'Emergency', to: '/tenants/$tenantId/emergency', teams: true },
  { path: 'reconcile', label: 'Reconcile with Teams', to: '/tenants/$tenantId/reconcile', teams: true },
  { path: 'threecx', label: '3CX', to: '/tenants/$tenantId/threecx', threecx: true },
  { path: 'connections', label: 'Connections', to: '/tenants/$tenantId/connections' },
] as const;

type Section = (typeof sections)[number];

/** The section of the tenant pages the browser is on, so switching tenant keeps it. */
function useSection(tenantId: string): Section {
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const rest = pathname.slice(`/tenants/${tenantId}`.length).replace(/^\/|\/$/g, '');
  return sections.find((s) => s.path === rest) ?? sections[0];
}

function TenantPicker({ tenantId, section }: { tenantId: string; section: Section }) {
  const tenants = useQuery(tenantsQuery(false));
  const navigate = useNavigate();
  const id = useId();
  const current = useQuery(tenantQuery(tenantId)).data;
  const options = useMemo(() => {
    const list = tenants.data ?? [];
    // An archived tenant opened by link is not in the active list: keep it selectable.
    return current && !list.some((t) => t.id === current.id) ? [...list, current] : list;
  }, [tenants.data, current]);
  if (options.length < 2) return null;
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-sm font-medium text-zinc-700">
        Tenant
      </label>
      <select
        id={id}
        className={`${inputClass} w-60`}
        value={tenantId}
        onChange={(e) => void navigate({ to: section.to, params: { tenantId: e.target.value } })}
      >
        {options.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
            {t.isDemo ? ' (demo)' : ''}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Header, tenant picker and section tabs around every page of one tenant. */
export function TenantLayout() {
  const { tenantId = '' } = useParams({ strict: false });
  const tenant = useQuery(tenantQuery(tenantId));
  const { canOperate } = useRole();
  const section = useSection(tenantId);

  useEffect(() => {
    if (tenant.data) rememberTenant(tenant.data.id);
  }, [tenant.data]);

  const context = useMemo(() => (tenant.data ? { tenant: tenant.data, canWrite: canOperate && tenant.data.status === 'active' } : null), [tenant.data, canOperate]);

  return (
    <div>
      <div className="mb-5 flex flex-wrap items-start justify-between gap-3">
        <div>
          <p className="text-xs font-medium tracking-wide text-zinc-500 uppercase">
            <Link to="/tenants" className="rounded hover:underline">
              Tenants
            </Link>
          </p>
          <h1 className="mt-0.5 flex flex-wrap items-center gap-2 text-xl font-semibold tracking-tight text-zinc-900">
            {tenant.data?.name ?? (tenant.isPending ? 'Loading…' : 'Tenant')}
            {tenant.data ? <TenantBadges tenant={tenant.data} /> : null}
          </h1>
          {tenant.data?.primaryDomain ? <p className="mt-0.5 text-sm text-zinc-600">{tenant.data.primaryDomain}</p> : null}
        </div>
        <TenantPicker tenantId={tenantId} section={section} />
      </div>
      <nav aria-label="Tenant sections" className="mb-6 border-b border-zinc-200">
        <ul className="-mb-px flex flex-wrap gap-1">
          {/* A tenant with Teams (or 3CX) switched off shows no Teams (or 3CX) pages. */}
          {sections.filter((s) => (!('teams' in s) || tenant.data?.features.teams !== false) && (!('threecx' in s) || tenant.data?.features.threecx === true)).map((s) => (
            <li key={s.path}>
              <Link
                to={s.to}
                params={{ tenantId }}
                activeOptions={{ exact: true, includeSearch: false }}
                className="inline-block rounded-t-md border-b-2 border-transparent px-3 py-2 text-sm font-medium text-zinc-600 hover:border-zinc-300 hover:text-zinc-900 data-[status=active]:border-blue-700 data-[status=active]:text-blue-800"
              >
                {s.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <ErrorAlert error={tenant.error} />
      {tenant.data?.status === 'archived' ? (
        <Notice tone="warning" className="mb-4">
          This tenant is archived: its data can be read but not changed. An admin can restore it from the tenant list.
        </Notice>
      ) : null}
      {context ? (
        <TenantContext.Provider value={context}>
          <Outlet />
        </TenantContext.Provider>
      ) : null}
    </div>
  );
}
