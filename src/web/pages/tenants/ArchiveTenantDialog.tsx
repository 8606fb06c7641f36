import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { inventoryKeys } from '../../api/inventory.ts';
import type { TenantDto } from '../../api/types.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';

/** Archive (read-only, hidden from the default list) or restore a tenant, after asking. */
export function ArchiveTenantDialog({ tenant, onClose }: { tenant: TenantDto | undefined; onClose: () => void }) {
  const queryClient = useQueryClient();
  const archiving = tenant?.status === 'active';
  const change = useMutation({
    mutationFn: (t: TenantDto) => api.post<TenantDto>(`/api/tenants/${t.id}/${t.status === 'active' ? 'archive' : 'restore'}`),
    onSuccess: async (saved) => {
      queryClient.setQueryData(inventoryKeys.tenant(saved.id), saved);
      await queryClient.invalidateQueries({ queryKey: inventoryKeys.tenants });
      change.reset();
      onClose();
    },
  });
  const cancel = () => {
    change.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={tenant !== undefined}
      title={archiving ? `Archive ${tenant?.name}?` : `Restore ${tenant?.name}?`}
      confirmLabel={archiving ? 'Archive tenant' : 'Restore tenant'}
      danger={archiving}
      busy={change.isPending}
      error={change.error}
      onConfirm={() => tenant && change.mutate(tenant)}
      onCancel={cancel}
    >
      {archiving ? (
        <p>
          Its numbers, ranges and history stay, but nobody can change them, and it leaves the tenant list (tick “Show archived” to see it). You can restore it at any time.
        </p>
      ) : (
        <p>It comes back to the tenant list and its numbers can be changed again.</p>
      )}
    </ConfirmDialog>
  );
}
