import type { TenantDto } from '../../api/types.ts';
import { Badge } from '../../components/Badge.tsx';

export function TenantBadges({ tenant }: { tenant: TenantDto }) {
  return (
    <>
      {tenant.isDemo ? (
        <Badge tone="violet">
          <span data-testid="demo-badge">Demo</span>
        </Badge>
      ) : null}
      {tenant.status === 'archived' ? <Badge tone="neutral">Archived</Badge> : null}
    </>
  );
}

export function TenantStatusBadge({ status }: { status: TenantDto['status'] }) {
  return status === 'active' ? <Badge tone="green">Active</Badge> : <Badge tone="neutral">Archived</Badge>;
}
