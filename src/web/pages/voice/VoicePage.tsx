import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearch } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { teamsApi, teamsKeys, teamsUserSearchQuery, USER_SEARCH_LIMIT, type TeamsUserDto } from '../../api/teams.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { inputClass } from '../../components/Field.tsx';
import { useDebouncedValue } from '../../lib/debounce.ts';
import { plural } from '../../lib/inventory.ts';
import { useTenant } from '../tenants/tenant-context.ts';
import { UserVoicePanel } from './UserVoicePanel.tsx';
import type { VoiceSearch } from './voice-search.ts';

function UserRow({ tenantId, user, selected }: { tenantId: string; user: TeamsUserDto; selected: boolean }) {
  const number = user.numbers[0]?.telephoneNumber;
  return (
    <li>
      <Link
        to="/tenants/$tenantId/voice"
        params={{ tenantId }}
        search={{ user: user.userId }}
        aria-current={selected ? 'true' : undefined}
        data-testid="user-result"
        className="block rounded-md border border-transparent px-3 py-2 text-sm hover:bg-zinc-50 aria-[current=true]:border-blue-300 aria-[current=true]:bg-blue-50"
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

function UserSearch({ tenantId, selectedId, canWrite }: { tenantId: string; selectedId: string | undefined; canWrite: boolean }) {
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
        <p className="text-xs text-zinc-600">From the directory synced from Teams.</p>
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
              <UserRow key={u.userId} tenantId={tenantId} user={u} selected={u.userId === selectedId} />
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
  return (
    <div className="grid items-start gap-6 lg:grid-cols-[18rem_minmax(0,1fr)]">
      <UserSearch tenantId={tenant.id} selectedId={userId} canWrite={canWrite} />
      {userId ? (
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
