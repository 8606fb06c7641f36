import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from './Button.tsx';
import { ConfirmDialog } from './ConfirmDialog.tsx';

/**
 * Deletes a saved tenant connection after a confirmation: the server removes it with its
 * secrets and audits it; what depended on it then says "not set up" until it is added again.
 */
export function DeleteConnectionButton<T>({ system, tenantName, remove, onDeleted }: { system: string; tenantName: string; remove: () => Promise<T>; onDeleted: (empty: T) => void }) {
  const [open, setOpen] = useState(false);
  const deletion = useMutation({
    mutationFn: remove,
    onSuccess: (empty) => {
      setOpen(false);
      onDeleted(empty);
    },
  });
  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Delete connection
      </Button>
      <ConfirmDialog
        open={open}
        title={`Delete the ${system} connection?`}
        confirmLabel={`Delete the ${system} connection`}
        danger
        busy={deletion.isPending}
        error={deletion.error}
        onConfirm={() => deletion.mutate()}
        onCancel={() => {
          deletion.reset();
          setOpen(false);
        }}
      >
        <p>
          The {system} settings of {tenantName} are removed here, and its stored secrets are wiped: they cannot be recovered. {system} work for this tenant stops until the connection is set up
          again. The deletion is recorded in the audit log.
        </p>
      </ConfirmDialog>
    </>
  );
}
