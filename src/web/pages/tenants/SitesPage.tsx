import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { inventoryKeys, sitesQuery, tenantApi } from '../../api/inventory.ts';
import type { SiteDto } from '../../api/types.ts';
import { ErrorAlert } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { Dialog } from '../../components/Dialog.tsx';
import { TextAreaField, TextField } from '../../components/Field.tsx';
import { Section } from '../../components/Section.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { fieldError } from '../../lib/errors.ts';
import { useFocusFirstInvalid } from '../../lib/focus.ts';
import { formatDate } from '../../lib/format.ts';
import { useTenant } from './tenant-context.ts';

function SiteForm({ tenantId, site, onDone }: { tenantId: string; site: SiteDto | undefined; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(site?.name ?? '');
  const [address, setAddress] = useState(site?.address ?? '');
  const [missing, setMissing] = useState(false);
  const save = useMutation({
    mutationFn: () =>
      site ? api.patch<SiteDto>(`${tenantApi(tenantId)}/sites/${site.id}`, { name: name.trim(), address }) : api.post<SiteDto>(`${tenantApi(tenantId)}/sites`, { name: name.trim(), address }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: inventoryKeys.sites(tenantId) });
      onDone();
    },
  });
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, save.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setMissing(!name.trim());
    if (name.trim()) save.mutate();
  };
  return (
    <form ref={formRef} onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField label="Name" name="name" required maxLength={120} autoComplete="off" placeholder="e.g. Seattle HQ" value={name} onChange={(e) => setName(e.target.value)} error={missing ? 'Give the site a name.' : fieldError(save.error, 'name')} data-autofocus />
      <TextAreaField label="Address" name="address" rows={3} maxLength={500} hint="Optional; handy for emergency locations." value={address} onChange={(e) => setAddress(e.target.value)} error={fieldError(save.error, 'address')} />
      <ErrorAlert error={save.error} fieldsShown />
      <div className="flex justify-end gap-2">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" busy={save.isPending}>
          {site ? 'Save site' : 'Add site'}
        </Button>
      </div>
    </form>
  );
}

export function SitesPage() {
  const { tenant, canWrite } = useTenant();
  const sites = useQuery(sitesQuery(tenant.id));
  const [editing, setEditing] = useState<SiteDto | 'new' | null>(null);
  return (
    <Section
      title="Sites"
      description="Offices and locations numbers belong to."
      actions={
        canWrite ? (
          <Button variant="primary" onClick={() => setEditing('new')}>
            Add site
          </Button>
        ) : null
      }
    >
      <ErrorAlert error={sites.error} />
      {sites.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {sites.data?.length === 0 ? <p className="text-sm text-zinc-600">No sites yet.</p> : null}
      {sites.data && sites.data.length > 0 ? (
        <Table caption="Sites">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Address</Th>
              <Th>Added</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody className="bg-white">
            {sites.data.map((site) => (
              <tr key={site.id} data-testid="site-row">
                <Td>
                  <Link to="/tenants/$tenantId/numbers" params={{ tenantId: tenant.id }} search={{ siteId: site.id }} className="rounded font-medium text-blue-700 hover:underline" aria-label={`Numbers at ${site.name}`}>
                    {site.name}
                  </Link>
                </Td>
                <Td className="whitespace-pre-wrap">{site.address || <span className="text-zinc-400">—</span>}</Td>
                <Td className="whitespace-nowrap">{formatDate(site.createdAt)}</Td>
                <Td className="text-right">
                  {canWrite ? (
                    <Button size="sm" onClick={() => setEditing(site)} aria-label={`Edit ${site.name}`}>
                      Edit
                    </Button>
                  ) : null}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
      <Dialog open={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' || editing === null ? 'Add a site' : `Edit ${editing.name}`}>
        <SiteForm tenantId={tenant.id} site={editing === 'new' || editing === null ? undefined : editing} onDone={() => setEditing(null)} />
      </Dialog>
    </Section>
  );
}
