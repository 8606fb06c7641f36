import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.ts';
import { keys, tokensQuery } from '../../api/queries.ts';
import type { ApiTokenDto } from '../../api/types.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { Section } from '../../components/Section.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { formatDate, formatDateTime } from '../../lib/format.ts';
import { CreateTokenDialog } from './CreateTokenDialog.tsx';

function tokenState(token: ApiTokenDto) {
  if (token.revokedAt) return <Badge tone="neutral">Revoked {formatDate(token.revokedAt)}</Badge>;
  if (token.expiresAt && new Date(token.expiresAt).getTime() <= Date.now()) return <Badge tone="amber">Expired</Badge>;
  return <Badge tone="green">Active</Badge>;
}

export function TokensSection() {
  const queryClient = useQueryClient();
  const tokens = useQuery(tokensQuery);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiTokenDto | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete<ApiTokenDto>(`/api/me/tokens/${id}`),
    onSuccess: async (token) => {
      setRevoking(null);
      setRevoked(token.name);
      await queryClient.invalidateQueries({ queryKey: keys.tokens });
    },
  });

  return (
    <Section
      title="API tokens"
      description="For scripts and automation: send it as “Authorization: Bearer …”. A token acts as you, limited to read or read-write."
      actions={
        <Button variant="primary" onClick={() => setCreating(true)}>
          Create token
        </Button>
      }
    >
      {revoked ? <Notice className="mb-4">Token “{revoked}” revoked.</Notice> : null}
      <ErrorAlert error={tokens.error} />
      {tokens.isPending ? <p className="text-sm text-zinc-600">Loading…</p> : null}
      {tokens.data && tokens.data.length === 0 ? <p className="text-sm text-zinc-600">You have no API tokens.</p> : null}
      {tokens.data && tokens.data.length > 0 ? (
        <Table caption="Your API tokens">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Prefix</Th>
              <Th>Access</Th>
              <Th>Created</Th>
              <Th>Last used</Th>
              <Th>Expires</Th>
              <Th>State</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((token) => (
              <tr key={token.id}>
                <Td className="font-medium text-zinc-900">{token.name}</Td>
                <Td>
                  <code className="font-mono text-xs">{token.prefix}…</code>
                </Td>
                <Td>{token.access === 'read' ? 'Read' : 'Read-write'}</Td>
                <Td>{formatDate(token.createdAt)}</Td>
                <Td>{formatDateTime(token.lastUsedAt, 'Never')}</Td>
                <Td>{formatDate(token.expiresAt, 'Never')}</Td>
                <Td>{tokenState(token)}</Td>
                <Td className="text-right">
                  {!token.revokedAt ? (
                    <Button size="sm" variant="ghost" className="text-red-700" onClick={() => setRevoking(token)} aria-label={`Revoke token ${token.name}`}>
                      Revoke
                    </Button>
                  ) : null}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}

      <CreateTokenDialog open={creating} onClose={() => setCreating(false)} />
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this token?"
        confirmLabel="Revoke token"
        danger
        busy={revoke.isPending}
        error={revoke.error}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onCancel={() => {
          setRevoking(null);
          revoke.reset();
        }}
      >
        Anything using “{revoking?.name}” stops working at once. This cannot be undone.
      </ConfirmDialog>
    </Section>
  );
}
