import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearch } from '@tanstack/react-router';
import { useEffect, useId, useRef, useState } from 'react';
import { directoryFreshnessQuery, teamsApi, teamsKeys, teamsUserSearchQuery, USER_SEARCH_LIMIT, type TeamsUserDto } from '../../api/teams.ts';
import { formatDateTime } from '../../lib/format.ts';
import { AssignSelected } from './AssignSelected.tsx';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { inputClass } from '../../components/Field.tsx';
import { useDebouncedValue } from '../../lib/debounce.ts';
import { plural } from '../../lib/inventory.ts';
import { useTenant } from '../tenants/tenant-context.ts';
import { UserVoicePanel } from './UserVoicePanel.tsx';
import type { VoiceSearch } from './voice-search.ts';

type Ticking = { ticked: Record<string, TeamsUserDto>; toggle: (user: TeamsUserDto) => void };

function UserRow({ tenantId, user, selected, ticking }: { tenantId: string; user: TeamsUserDto; selected: boolean; ticking: Ticking | undefined }) {
  const number = user.numbers[0]?.telephoneNumber;
  return (
    <li className="flex items-start gap-1">
      {ticking ? (
        <input
          type="checkbox"
          aria-label={`Tick ${user.upn} to assign with others`}
          checked={Boolean(ticking.ticked[user.userId])}
          onChange={() => ticking.toggle(user)}
          className="mt-3 ml-1 accent-blue-700"
          data-testid="user-tick"
        />
      ) : null}
      <Link
        to="/tenants/$tenantId/voice"
        params={{ tenantId }}
        search={{ user: user.userId }}
        aria-current={selected ? 'true' : undefined}
        data-testid="user-result"
        className="block min-w-0 flex-1 rounded-md border border-transparent px-3 py-2 text-sm hover:bg-zinc-50 aria-[current=true]:border-blue-300 aria-[current=true]:bg-blue-50"
      >
        <span className="block font-medium text-zinc-900">{user.displayName || user.upn}</span>
        <span className="block truncate text-xs text-zinc-600">{user.upn}</span>
        <span className="mt-1 flex flex-wrap items-center gap-1">
          {number ? <span className="font-mono text-xs text-zinc-800">{number}</span> : <span className="text-xs text-zinc-500">No number</span>}
          {!user.accountEnabled ? <Badge tone="red">Disabled</Badge> : null}
          {user.phoneSystem ? null : <Badge tone="amber">No Teams Phone licence</Badge>}
        </span>
      </Link>
    </li>
  );
}

/** When the list was last read from Teams; opening it refreshes a stale one in the background, and the list follows. */
function DirectoryFreshness({ tenantId }: { tenantId: string }) {
  const queryClient = useQueryClient();
  const freshness = useQuery(directoryFreshnessQuery(tenantId));
  const syncedAt = freshness.data?.syncedAt;
  const seen = useRef(syncedAt);
  useEffect(() => {
    if (seen.current !== undefined && seen.current !== syncedAt) void queryClient.invalidateQueries({ queryKey: teamsKeys.users(tenantId), predicate: (q) => q.queryKey[3] !== 'directory' });
    seen.current = syncedAt;
  }, [syncedAt, tenantId, queryClient]);
  if (!freshness.data) return <p className="text-xs text-zinc-600">From the directory synced from Teams.</p>;
  return (
    <p className="text-xs text-zinc-600" data-testid="directory-synced" aria-live="polite">
      {syncedAt ? `Synced from Teams ${formatDateTime(syncedAt)}.` : 'Not synced from Teams yet.'}
      {freshness.data.refreshing ? ' Refreshing in the background…' : ''}
    </p>
  );
}

function UserSearch({ tenantId, selectedId, canWrite, ticking }: { tenantId: string; selectedId: string | undefined; canWrite: boolean; ticking: Ticking | undefined }) {
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const term = useDebouncedValue(text.trim(), 250);
  const users = useQuery(teamsUserSearchQuery(tenantId, term));
  const inputId = useId();
  const hintId = useId();
  const sync = useMutation({
    mutationFn: () => teamsApi.sync(tenantId),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: teamsKeys.users(tenantId) });
      await queryClient.invalidateQueries({ queryKey: teamsKeys.policies(tenantId) });
    },
  });
  const list = term ? users.data : undefined;
  const status = !term
    ? ''
    : users.isFetching && !list
      ? 'Searching…'
      : list
        ? list.length === 0
          ? 'No users match.'
          : list.length >= USER_SEARCH_LIMIT
            ? `The first ${USER_SEARCH_LIMIT} matches; type more to narrow them down.`
            : `${plural(list.length, 'user')} found.`
        : '';

  return (
    <section aria-labelledby="voice-users-heading" className="rounded-lg border border-zinc-200 bg-white shadow-xs">
      <div className="border-b border-zinc-200 px-4 py-3">
        <h2 id="voice-users-heading" className="text-base font-semibold text-zinc-900">
          Users
        </h2>
        <DirectoryFreshness tenantId={tenantId} />
      </div>
      <div className="space-y-3 px-4 py-3">
        <form role="search" aria-label="Find a Teams user" onSubmit={(e) => e.preventDefault()} className="space-y-1">
          <label htmlFor={inputId} className="block text-sm font-medium text-zinc-800">
            Find a user
          </label>
          <input
            id={inputId}
            type="search"
            autoComplete="off"
            spellCheck={false}
            placeholder="Name, UPN or number"
            aria-describedby={hintId}
            className={inputClass}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <p id={hintId} className="text-xs text-zinc-600">
            Results appear as you type.
          </p>
        </form>
        <p aria-live="polite" className="text-xs text-zinc-600" data-testid="user-search-status">
          {status}
        </p>
        <ErrorAlert error={term ? users.error : null} />
        {list && list.length > 0 ? (
          <ul aria-label="Users found" className={`-mx-1 max-h-[60vh] space-y-0.5 overflow-y-auto ${users.isFetching ? 'opacity-70' : ''}`}>
            {list.map((u) => (
              <UserRow key={u.userId} tenantId={tenantId} user={u} selected={u.userId === selectedId} ticking={ticking} />
            ))}
          </ul>
        ) : null}
        {canWrite ? (
          <div className="space-y-2 border-t border-zinc-100 pt-3">
            <Button size="sm" onClick={() => sync.mutate()} busy={sync.isPending}>
              Sync users from Teams
            </Button>
            {sync.data ? (
              <Notice>
                Read {plural(sync.data.users, 'user')} from Teams{sync.data.removed ? `; ${plural(sync.data.removed, 'user')} no longer there left the directory` : ''}.
              </Notice>
            ) : null}
            <ErrorAlert error={sync.error} />
          </div>
        ) : null}
      </div>
    </section>
  );
}

/** Teams voice for one tenant: find a user on the left, see and change their voice set-up on the right. */
export function VoicePage() {
  const { tenant, canWrite } = useTenant();
  const search = useSearch({ strict: false }) as VoiceSearch;
  const userId = search.user;
  const [ticked, setTicked] = useState<Record<string, TeamsUserDto>>({});
  const ticking: Ticking | undefined = canWrite
    ? {
        ticked,
        toggle: (user) => {
          const { [user.userId]: was, ...rest } = ticked;
          setTicked(was ? rest : { ...ticked, [user.userId]: user });
        },
      }
    : undefined;
  const tickedUsers = Object.values(ticked);
  return (
    <div className="grid items-start gap-6 lg:grid-cols-[18rem_minmax(0,1fr)]">
      <UserSearch tenantId={tenant.id} selectedId={userId} canWrite={canWrite} ticking={ticking} />
      {tickedUsers.length > 0 ? (
        <AssignSelected
          tenantId={tenant.id}
          users={tickedUsers}
          onRemove={(id) => {
            const { [id]: _gone, ...rest } = ticked;
            setTicked(rest);
          }}
          onClear={() => setTicked({})}
        />
      ) : userId ? (
        <UserVoicePanel key={userId} tenant={tenant} userId={userId} canWrite={canWrite} />
      ) : (
        <div className="rounded-lg border border-dashed border-zinc-300 bg-white p-8 text-center text-sm text-zinc-600">
          <p className="font-medium text-zinc-900">Choose a user</p>
          <p className="mt-1">Search by name, UPN or phone number to see their number, licence and policies{canWrite ? ', and to change them' : ''}.</p>
        </div>
      )}
    </div>
  );
}
