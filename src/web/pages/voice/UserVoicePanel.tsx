import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { inventoryKeys } from '../../api/inventory.ts';
import { teamsKeys, teamsUserCachedQuery, teamsUserLiveQuery, userChangesQuery, type TeamsUserDto, type VoiceChangeDto } from '../../api/teams.ts';
import type { TenantDto } from '../../api/types.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Table, Td, Th } from '../../components/Table.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { useRole } from '../../lib/role.ts';
import { assignmentLabel, policyTypes, policyLabel, voiceReadiness } from '../../lib/teams.ts';
import { ApplyProfile } from './ApplyProfile.tsx';
import { ChangeHistory } from './ChangeHistory.tsx';
import { ChangeTracker } from './ChangeTracker.tsx';
import { VoiceChangeForm } from './VoiceChangeForm.tsx';

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd className="mt-0.5 text-sm break-words text-zinc-900">{children}</dd>
    </div>
  );
}

const yesNo = (on: boolean, yes: string, no: string) => <Badge tone={on ? 'green' : 'amber'}>{on ? yes : no}</Badge>;

/** Identifies the user's voice set-up: the form starts again only when this changes. */
function setupKey(user: TeamsUserDto): string {
  return JSON.stringify([user.numbers.map((n) => n.telephoneNumber), Object.entries(user.policies).map(([t, p]) => [t, p.assignmentType === 'direct' ? p.name : null])]);
}

/** The row the search list already has, shown at once while Teams is asked for the live state. */
function fromSearchCache(queryClient: ReturnType<typeof useQueryClient>, tenantId: string, userId: string): TeamsUserDto | undefined {
  for (const [, data] of queryClient.getQueriesData<unknown>({ queryKey: teamsKeys.users(tenantId) })) {
    if (Array.isArray(data)) {
      const hit = (data as TeamsUserDto[]).find((u) => u.userId === userId);
      if (hit) return hit;
    }
  }
  return undefined;
}

function CurrentSetup({ tenantId, user }: { tenantId: string; user: TeamsUserDto }) {
  const missing = voiceReadiness(user);
  return (
    <div className="space-y-5">
      {missing.length ? (
        <Notice tone="warning">
          <span className="font-medium">Not ready for a phone number:</span>
          <ul className="mt-1 list-inside list-disc">
            {missing.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </Notice>
      ) : user.numbers.length === 0 ? (
        <Notice tone="info">Ready for a phone number: licensed for Teams Phone, with a usage location, and no number yet.</Notice>
      ) : null}
      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="voice-current">
        <Item label="Phone number">
          {user.numbers.length ? (
            <span className="space-y-0.5">
              {user.numbers.map((n) => (
                <span key={n.telephoneNumber} className="block">
                  <Link to="/tenants/$tenantId/numbers" params={{ tenantId }} search={{ search: n.telephoneNumber }} className="font-mono text-blue-700 hover:underline" data-testid="current-number">
                    {n.telephoneNumber}
                  </Link>
                  {n.assignmentCategory && n.assignmentCategory !== 'primary' ? <span className="text-xs text-zinc-500"> ({n.assignmentCategory})</span> : null}
                </span>
              ))}
            </span>
          ) : (
            <span className="text-zinc-500" data-testid="current-number">
              No number
            </span>
          )}
        </Item>
        <Item label="Licence">{yesNo(user.phoneSystem, 'Teams Phone (Phone System)', 'No Teams Phone licence')}</Item>
        <Item label="Usage location">{user.usageLocation ?? <span className="text-amber-900">Not set</span>}</Item>
        <Item label="Enterprise Voice">{yesNo(user.enterpriseVoice, 'On', 'Off')}</Item>
        <Item label="Account">
          {user.accountEnabled ? 'Enabled' : <Badge tone="red">Disabled</Badge>}
          {user.accountType ? <span className="text-xs text-zinc-500"> · {user.accountType}</span> : null}
        </Item>
        <Item label="Read from Teams">{formatDateTime(user.syncedAt)}</Item>
      </dl>
      <Table caption={`Effective policies of ${user.upn}`}>
        <thead>
          <tr>
            <Th>Policy</Th>
            <Th>Effective</Th>
            <Th>How</Th>
          </tr>
        </thead>
        <tbody className="bg-white" data-testid="voice-policies">
          {policyTypes.map((type) => {
            const p = user.policies[type];
            const how = assignmentLabel(p?.assignmentType);
            return (
              <tr key={type}>
                <Td className="font-medium text-zinc-800">{policyLabel(type)}</Td>
                <Td>{p?.name ?? <span className="text-zinc-400">Not reported</span>}</Td>
                <Td>{p ? <Badge tone={how.tone}>{how.label}</Badge> : null}</Td>
              </tr>
            );
          })}
        </tbody>
      </Table>
    </div>
  );
}

/** One Teams user: what they have now, the change form, the change being followed and their history. */
export function UserVoicePanel({ tenant, userId, canWrite }: { tenant: TenantDto; userId: string; canWrite: boolean }) {
  const queryClient = useQueryClient();
  const { isAdmin } = useRole();
  const live = useQuery({ ...teamsUserLiveQuery(tenant.id, userId), placeholderData: () => fromSearchCache(queryClient, tenant.id, userId) });
  const cached = useQuery({ ...teamsUserCachedQuery(tenant.id, userId), enabled: live.isError });
  const user = live.isError ? cached.data : live.data;
  const changes = useQuery(userChangesQuery(tenant.id, userId));
  const [followId, setFollowId] = useState<string | null>(null);
  const [settled, setSettled] = useState<string | null>(null);
  /** True once this person sent a change here: the outcome then takes keyboard focus. */
  const [sentHere, setSentHere] = useState(false);
  const pendingInHistory = changes.data?.find((c) => c.status === 'pending')?.id;
  // A change still pending when the page opens (reload, another tab) is followed too.
  useEffect(() => {
    if (pendingInHistory && followId === null) setFollowId(pendingInHistory);
  }, [pendingInHistory, followId]);
  const tracking = followId !== null && settled !== followId;

  const onRequested = useCallback(
    (change: VoiceChangeDto) => {
      queryClient.setQueryData(teamsKeys.change(tenant.id, change.id), change);
      setFollowId(change.id);
      setSentHere(true);
      void queryClient.invalidateQueries({ queryKey: teamsKeys.userChanges(tenant.id, userId) });
      // The number is held (reserved) for the user while Teams works.
      void queryClient.invalidateQueries({ queryKey: inventoryKeys.inventory(tenant.id) });
    },
    [queryClient, tenant.id, userId],
  );
  const onSettled = useCallback(
    (change: VoiceChangeDto) => {
      setSettled(change.id);
      void queryClient.invalidateQueries({ queryKey: teamsKeys.user(tenant.id, userId) });
      void queryClient.invalidateQueries({ queryKey: teamsKeys.userChanges(tenant.id, userId) });
      void queryClient.invalidateQueries({ queryKey: teamsKeys.users(tenant.id), refetchType: 'active' });
      void queryClient.invalidateQueries({ queryKey: inventoryKeys.inventory(tenant.id) });
      void queryClient.invalidateQueries({ queryKey: teamsKeys.policies(tenant.id) });
    },
    [queryClient, tenant.id, userId],
  );

  const auditLink = isAdmin ? (
    <Link to="/audit" search={{ action: 'voice.', targetId: userId }} className="rounded text-sm font-medium text-blue-700 underline">
      Audit trail
    </Link>
  ) : null;

  return (
    <div className="min-w-0 space-y-6">
      <section aria-labelledby="voice-user-heading" className="rounded-lg border border-zinc-200 bg-white shadow-xs">
        <div className="flex flex-wrap items-start justify-between gap-3 border-b border-zinc-200 px-5 py-4">
          <div className="min-w-0">
            <h2 id="voice-user-heading" className="text-base font-semibold text-zinc-900">
              {user ? user.displayName || user.upn : live.isPending || cached.isPending ? 'Loading…' : 'User'}
            </h2>
            {user ? <p className="truncate text-sm text-zinc-600">{user.upn}</p> : null}
          </div>
          <Button size="sm" onClick={() => void live.refetch()} busy={live.isFetching} aria-label="Read this user from Teams again">
            Refresh from Teams
          </Button>
        </div>
        <div className="space-y-4 px-5 py-4">
          {live.isError ? (
            <Notice tone="warning">
              Could not read this user from Teams just now: {live.error.message} {cached.data ? `Showing what was synced on ${formatDateTime(cached.data.syncedAt)}.` : ''}
            </Notice>
          ) : live.isPlaceholderData ? (
            <p className="text-xs text-zinc-500" aria-live="polite">
              Reading the latest from Teams…
            </p>
          ) : null}
          <ErrorAlert error={live.isError ? cached.error : null} />
          {user ? <CurrentSetup tenantId={tenant.id} user={user} /> : null}
        </div>
      </section>

      {followId ? <ChangeTracker tenantId={tenant.id} changeId={followId} onSettled={onSettled} focus={sentHere} canWrite={canWrite} /> : null}

      {canWrite && user ? (
        <section aria-labelledby="voice-change-heading" className="rounded-lg border border-zinc-200 bg-white shadow-xs">
          <div className="border-b border-zinc-200 px-5 py-4">
            <h2 id="voice-change-heading" className="text-base font-semibold text-zinc-900">
              Change
            </h2>
            <p className="mt-0.5 text-sm text-zinc-600">Assign, change or remove the number and set policies. Nothing is reported as done until Teams confirms it.</p>
          </div>
          <div className="space-y-5 px-5 py-4">
            <ApplyProfile tenantId={tenant.id} userId={userId} disabled={tracking || live.isPlaceholderData} onRequested={onRequested} />
            {/* A fresh form whenever the user's set-up changes (a finished change, or someone else's), starting from it. */}
            <VoiceChangeForm key={`${live.isPlaceholderData ? 'placeholder' : 'live'}-${setupKey(user)}`} tenant={tenant} user={user} disabled={tracking || live.isPlaceholderData} onRequested={onRequested} />
          </div>
        </section>
      ) : null}

      <ChangeHistory
        tenantId={tenant.id}
        changes={changes.data}
        error={changes.error}
        loading={changes.isPending}
        canWrite={canWrite}
        busy={tracking}
        auditLink={auditLink}
        onRequested={onRequested}
      />
    </div>
  );
}
