import { CheckboxField, TextAreaField } from '../../components/Field.tsx';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseTenantIds(text: string): { ids: string[]; invalid: string[] } {
  const ids = [...new Set(text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean))];
  return { ids, invalid: ids.filter((id) => !UUID.test(id)) };
}

/** Tenant scope: all tenants, or a list of tenant ids (a picker arrives with the tenants area). */
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
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-medium text-zinc-800">Tenant scope</legend>
      <CheckboxField label="All tenants" hint="Can work in every customer tenant, including ones added later." checked={allTenants} onChange={(e) => onAllTenants(e.target.checked)} />
      {!allTenants ? (
        <TextAreaField
          label="Tenant ids"
          name="tenantIds"
          rows={3}
          spellCheck={false}
          placeholder="00000000-0000-0000-0000-000000000000, …"
          hint="Tenant ids (UUIDs), separated by commas or new lines. A tenant picker arrives with the Tenants area; until then no tenants exist, so an empty list means no tenant access."
          value={tenantIdsText}
          onChange={(e) => onTenantIdsText(e.target.value)}
          error={error}
        />
      ) : null}
    </fieldset>
  );
}
