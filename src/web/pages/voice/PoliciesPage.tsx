import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { policyCatalogPageQuery, teamsApi, teamsKeys, type CatalogPolicyDto, type TeamsPolicyType } from '../../api/teams.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { ChoiceField, TextAreaField, TextField } from '../../components/Field.tsx';
import { Section } from '../../components/Section.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { fieldError } from '../../lib/errors.ts';
import { useFocusFirstInvalid } from '../../lib/focus.ts';
import { useRole } from '../../lib/role.ts';
import { policyLabel, policyTypes } from '../../lib/teams.ts';
import { useTenant } from '../tenants/tenant-context.ts';
import { PowerShellSetupNotice, refreshedText } from './PolicyRefresh.tsx';

const sources: Record<string, { label: string; tone: 'neutral' | 'blue' }> = {
  seen: { label: 'Seen on users', tone: 'neutral' },
  admin: { label: 'Added by an admin', tone: 'blue' },
  powershell: { label: 'Read from Teams', tone: 'blue' },
};

function AddPolicyForm({ tenantId, onDone, onCancel }: { tenantId: string; onDone: (p: CatalogPolicyDto, type: TeamsPolicyType) => void; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const [policyType, setPolicyType] = useState<TeamsPolicyType>('OnlineVoiceRoutingPolicy');
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [missing, setMissing] = useState(false);
  const add = useMutation({
    mutationFn: () => teamsApi.addPolicy(tenantId, { policyType, name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) }),
    onSuccess: async (policy) => {
      await queryClient.invalidateQueries({ queryKey: teamsKeys.policies(tenantId) });
      onDone(policy, policyType);
    },
  });
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, add.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setMissing(!name.trim());
    if (name.trim()) add.mutate();
  };
  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="space-y-4">
      <ChoiceField label="Type" name="policyType" value={policyType} onChange={(e) => setPolicyType(e.target.value as TeamsPolicyType)} error={fieldError(add.error, 'policyType')} data-autofocus choices={policyTypes.map((t) => ({ value: t, label: policyLabel(t) }))} />
      <TextField
        label="Name"
        name="name"
        required
        maxLength={200}
        autoComplete="off"
        hint="Exactly as in the Teams admin center; it is checked against the tenant."
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={missing ? 'Enter the policy name.' : fieldError(add.error, 'name', { policy_exists: 'name' })}
      />
      <TextAreaField label="Description (optional)" name="description" rows={2} maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} />
      <ErrorAlert error={add.error} />
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={add.isPending}>
          Add policy
        </Button>
      </div>
    </form>
  );
}

/**
 * The tenant's policy catalog (D3), by type. Graph cannot list a tenant's policies: "Refresh from
 * Teams" reads every policy of every type through the optional PowerShell bridge; without it, the
 * page says what to set up, and names come from users seen in sync and names an admin adds.
 */
export function PoliciesPage() {
  const { tenant } = useTenant();
  const { isAdmin } = useRole();
  const queryClient = useQueryClient();
  const page = useQuery(policyCatalogPageQuery(tenant.id));
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  const canAdd = isAdmin && tenant.status === 'active';
  const refresh = useMutation({
    mutationFn: () => teamsApi.refreshPolicies(tenant.id),
    onSuccess: async (result) => {
      setAdded(`Read from Teams: ${Object.values(result.byType).reduce((a, b) => a + b, 0)} policies, ${result.added} new.`);
      await queryClient.invalidateQueries({ queryKey: teamsKeys.policies(tenant.id) });
    },
  });
  const catalog = { ...page, data: page.data?.types };
  return (
    <Section
      title="Policies"
      description="The Teams policies and dial plans of this tenant that can be assigned here, offered in every policy dropdown."
      actions={
        canAdd ? (
          <div className="flex gap-2">
            {page.data?.powershellBridge ? (
              <Button onClick={() => refresh.mutate()} busy={refresh.isPending}>
                Refresh from Teams
              </Button>
            ) : null}
            <Button variant="primary" onClick={() => setAdding(true)}>
              Add policy
            </Button>
          </div>
        ) : null
      }
    >
      {page.data ? (
        <p className="mb-4 text-sm text-zinc-600" data-testid="policies-refreshed">
          {refreshedText(page.data.refreshedAt)}
        </p>
      ) : null}
      {page.data && !page.data.powershellBridge ? <PowerShellSetupNotice className="mb-4" /> : null}
      {added ? <Notice className="mb-4">{added}</Notice> : null}
      <ErrorAlert error={refresh.error} />
      <ErrorAlert error={catalog.error} />
      {catalog.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {catalog.data ? (
        <Table caption="Policies by type">
          <thead>
            <tr>
              <Th>Type</Th>
              <Th>Name</Th>
              <Th>Source</Th>
              <Th>Description</Th>
            </tr>
          </thead>
          <tbody className="bg-white">
            {policyTypes.map((type) => {
              const entry = catalog.data?.find((c) => c.policyType === type);
              const policies = entry?.policies ?? [];
              if (!policies.length) {
                return (
                  <tr key={type} data-testid="policy-row">
                    <Td className="font-medium text-zinc-800">{policyLabel(type)}</Td>
                    <Td colSpan={3} className="text-zinc-500">
                      None known yet
                    </Td>
                  </tr>
                );
              }
              return policies.map((p, i) => (
                <tr key={p.id} data-testid="policy-row">
                  {i === 0 ? (
                    <Td rowSpan={policies.length} className="font-medium text-zinc-800">
                      {policyLabel(type)}
                    </Td>
                  ) : null}
                  <Td>{p.name}</Td>
                  <Td>
                    <Badge tone={sources[p.source]?.tone ?? 'neutral'}>{sources[p.source]?.label ?? p.source}</Badge>
                  </Td>
                  <Td className="text-zinc-600">{p.description || <span className="text-zinc-400">—</span>}</Td>
                </tr>
              ));
            })}
          </tbody>
        </Table>
      ) : null}
      <Dialog open={adding} onClose={() => setAdding(false)} title="Add a policy" description="Teams is asked whether the tenant has a policy of this name before it is added.">
        <AddPolicyForm
          tenantId={tenant.id}
          onCancel={() => setAdding(false)}
          onDone={(p, type) => {
            setAdded(`${policyLabel(type)} “${p.name}” added.`);
            setAdding(false);
          }}
        />
      </Dialog>
    </Section>
  );
}
