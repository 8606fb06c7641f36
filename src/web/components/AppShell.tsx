import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate, useRouter } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { gateOf, sessionQuery, signOut } from '../api/session.ts';
import { roleLabel } from '../lib/format.ts';
import { Logo } from './AuthLayout.tsx';
import { Badge } from './Badge.tsx';
import { Button } from './Button.tsx';
import { GlobalSearch } from './GlobalSearch.tsx';
import { SideNav } from './SideNav.tsx';

/** Header, navigation and the current page, for a fully signed-in operator. */
export function AppShell() {
  const { data: session } = useQuery(sessionQuery);
  const queryClient = useQueryClient();
  const router = useRouter();
  const navigate = useNavigate();
  const [signingOut, setSigningOut] = useState(false);

  // The session can end under us (expiry, sign out elsewhere): let the route guards decide again.
  const gate = session ? gateOf(session) : '/sign-in';
  useEffect(() => {
    if (gate !== null) void router.invalidate();
  }, [gate, router]);

  const operator = session?.operator;
  if (!operator || gate !== null) return null;

  async function onSignOut() {
    setSigningOut(true);
    try {
      await signOut(queryClient);
    } finally {
      setSigningOut(false);
      await navigate({ to: '/sign-in' });
    }
  }

  return (
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="sr-only rounded bg-white px-3 py-2 text-sm focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-10">
        Skip to content
      </a>
      <header className="flex h-14 shrink-0 items-center justify-between border-b border-zinc-200 bg-white px-4">
        <Link to="/" className="flex items-center gap-2 rounded text-base font-semibold tracking-tight text-zinc-900">
          <Logo />
          UCR Manager
        </Link>
        <GlobalSearch />
        <div className="flex shrink-0 items-center gap-3 text-sm">
          <span className="hidden text-right sm:block">
            <span className="block font-medium text-zinc-900" data-testid="signed-in-operator">
              {operator.displayName}
            </span>
            <span className="block text-xs text-zinc-600">{operator.email}</span>
          </span>
          <Badge tone={operator.role === 'admin' ? 'blue' : 'neutral'}>{roleLabel(operator.role)}</Badge>
          <Button size="sm" onClick={() => void onSignOut()} busy={signingOut}>
            Sign out
          </Button>
        </div>
      </header>
      <div className="flex flex-1">
        <SideNav role={operator.role} />
        <main id="main" tabIndex={-1} className="min-w-0 flex-1 px-6 py-6 lg:px-8">
          <div className="mx-auto max-w-6xl">
            <Outlet />
          </div>
        </main>
      </div>
    </div>
  );
}
