import { useQuery } from '@tanstack/react-query';
import { tenantsQuery } from '../../api/inventory.ts';
import { CheckboxField, TextAreaField } from '../../components/Field.tsx';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseTenantIds(text: string): { ids: string[]; invalid: string[] } {
  const ids = [...new Set(text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean))];
  return { ids, invalid: ids.filter((id) => !UUID.test(id)) };
}

/** Tenant scope: all tenants, or the tenants ticked in a list (ids typed by hand if the list cannot load). */
export function ScopeFields({
  allTenants,
  tenantIdsText,
  onAllTenants,
  onTenantIdsText,
  error,
}: {
  allTenants: boolean;
  tenantIdsText: string;
  onAllTenants: (value: boolean) => void;
  onTenantIdsText: (value: string) => void;
  error?: string | undefined;
}) {
  const tenants = useQuery({ ...tenantsQuery(true), enabled: !allTenants });
  const { ids } = parseTenantIds(tenantIdsText);
  const toggle = (id: string, on: boolean) => onTenantIdsText((on ? [...ids, id] : ids.filter((x) => x !== id)).join('\n'));
  // Ids in the scope that are not (or no longer) tenants: kept, and shown so they can be removed.
  const unknown = tenants.data ? ids.filter((id) => !tenants.data.some((t) => t.id === id)) : [];
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-medium text-zinc-800">Tenant scope</legend>
      <CheckboxField label="All tenants" hint="Can work in every customer tenant, including ones added later." checked={allTenants} onChange={(e) => onAllTenants(e.target.checked)} />
      {!allTenants && tenants.data ? (
        <fieldset className="space-y-2 rounded-md border border-zinc-200 p-3">
          <legend className="px-1 text-sm font-medium text-zinc-800">Only these tenants</legend>
          {tenants.data.length === 0 ? <p className="text-sm text-zinc-600">There are no tenants yet; with none ticked, this operator sees no tenant.</p> : null}
          <ul className="max-h-48 space-y-1.5 overflow-y-auto">
            {tenants.data.map((t) => (
              <li key={t.id}>
                <CheckboxField
                  label={`${t.name}${t.isDemo ? ' (demo)' : ''}${t.status === 'archived' ? ' (archived)' : ''}`}
                  checked={ids.includes(t.id)}
                  onChange={(e) => toggle(t.id, e.target.checked)}
                />
              </li>
            ))}
            {unknown.map((id) => (
              <li key={id}>
                <CheckboxField label={<span className="font-mono text-xs">{id} (not a tenant)</span>} checked onChange={() => toggle(id, false)} />
              </li>
            ))}
          </ul>
          {error ? (
            <p role="alert" className="text-sm text-red-700">
              {error}
            </p>
          ) : null}
        </fieldset>
      ) : null}
      {!allTenants && !tenants.data ? (
        <TextAreaField
          label="Tenant ids"
          name="tenantIds"
          rows={3}
          spellCheck={false}
          placeholder="00000000-0000-0000-0000-000000000000, …"
          hint={tenants.isPending ? 'Loading the tenant list…' : 'The tenant list could not be loaded: enter tenant ids (UUIDs), separated by commas or new lines.'}
          value={tenantIdsText}
          onChange={(e) => onTenantIdsText(e.target.value)}
          error={error}
        />
      ) : null}
    </fieldset>
  );
}
