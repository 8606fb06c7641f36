import { useQuery } from '@tanstack/react-query';
import { Link, Navigate } from '@tanstack/react-router';
import { tenantsQuery } from '../../api/inventory.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { PageHeader } from '../../components/Section.tsx';
import type { TenantDto } from '../../../features/tenants/schemas.ts';
import { TenantBadges } from './TenantBadges.tsx';
import { lastTenant } from './tenant-context.ts';

type Section = {
  to: '/tenants/$tenantId/numbers' | '/tenants/$tenantId/voice' | '/tenants/$tenantId/threecx';
  title: string;
  description: string;
  empty: string;
  includes?: (tenant: TenantDto) => boolean;
};

/**
 * A menu entry that works on one tenant at a time ("Numbers", "Voice"): straight to the tenant
 * worked on last (or the only one), else a picker.
 */
export function TenantSectionHome({ section }: { section: Section }) {
  const tenants = useQuery(tenantsQuery(false));
  const list = section.includes ? tenants.data?.filter(section.includes) : tenants.data;
  const remembered = lastTenant();
  const target = list?.find((t) => t.id === remembered) ?? (list?.length === 1 ? list[0] : undefined);
  if (target) return <Navigate to={section.to} params={{ tenantId: target.id }} replace />;
  return (
    <div>
      <PageHeader title={section.title} description={section.description} />
      <ErrorAlert error={tenants.error} />
      {tenants.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {list?.length === 0 ? (
        <p className="text-sm text-zinc-600">
          {section.empty}{' '}
          <Link to="/tenants" className="font-medium text-blue-700 underline">
            Go to Tenants
          </Link>
          .
        </p>
      ) : null}
      {list && list.length > 0 ? (
        <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" aria-label="Tenants">
          {list.map((t) => (
            <li key={t.id}>
              <Link
                to={section.to}
                params={{ tenantId: t.id }}
                className="block rounded-lg border border-zinc-200 bg-white p-4 shadow-xs transition-colors hover:border-blue-300 hover:bg-blue-50/40"
              >
                <span className="flex flex-wrap items-center gap-1.5 text-sm font-semibold text-zinc-900">
                  {t.name}
                  <TenantBadges tenant={t} />
                </span>
                <span className="mt-1 block text-sm text-zinc-600">{t.primaryDomain ?? 'No domain set'}</span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
