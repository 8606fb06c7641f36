import type { QueryClient } from '@tanstack/react-query';
import { useQuery } from '@tanstack/react-query';
import { createRootRouteWithContext, createRoute, createRouter, lazyRouteComponent, Outlet, redirect } from '@tanstack/react-router';
import { gateOf, safeRedirect, sessionQuery, type Gate } from './api/session.ts';
import { AppShell } from './components/AppShell.tsx';
import { AuditPage } from './pages/AuditPage.tsx';
import { ForcedMfaPage } from './pages/auth/ForcedMfaPage.tsx';
import { ForcedPasswordPage } from './pages/auth/ForcedPasswordPage.tsx';
import { MfaChallengePage } from './pages/auth/MfaChallengePage.tsx';
import { PendingApprovalPage } from './pages/auth/PendingApprovalPage.tsx';
import { SignInPage } from './pages/auth/SignInPage.tsx';
import { OverviewPage } from './pages/OverviewPage.tsx';
import { validateReportsSearch } from './pages/reports-search.ts';
import { validateNumbersSearch } from './pages/numbers/numbers-search.ts';
import { validateVoiceSearch } from './pages/voice/voice-search.ts';
import { validateBulkSearch } from './pages/voice/bulk-search.ts';
import { validateAuditSearch } from './pages/audit-search.ts';
import { AdminOnly, NotFoundPage } from './pages/NotFoundPage.tsx';
import { OperatorsPage } from './pages/admin/OperatorsPage.tsx';
import { SettingsPage } from './pages/admin/SettingsPage.tsx';
import { ProfilePage } from './pages/profile/ProfilePage.tsx';

type RouterContext = { queryClient: QueryClient };
type RedirectSearch = { redirect?: string };

const validateRedirect = (search: Record<string, unknown>): RedirectSearch => (typeof search.redirect === 'string' ? { redirect: search.redirect } : {});
/** The sign-in page also carries the code of a refused Microsoft sign-in (`?error=`). */
const validateSignInSearch = (search: Record<string, unknown>): RedirectSearch & { error?: string } => ({
  ...validateRedirect(search),
  ...(typeof search.error === 'string' ? { error: search.error } : {}),
});

/**
 * Every route first asks where the session belongs (sign-in, second factor, forced password
 * change, forced MFA enrolment, or the app) and sends the person there if they are elsewhere.
 */
async function guard(context: RouterContext, expected: Exclude<Gate, null>, search: RedirectSearch) {
  const gate = gateOf(await context.queryClient.ensureQueryData(sessionQuery));
  if (gate === expected) return;
  if (gate === null) throw redirect({ href: safeRedirect(search.redirect) });
  if (gate === '/sign-in' || gate === '/sign-in/mfa') throw redirect({ to: gate, search: search.redirect ? { redirect: search.redirect } : {} });
  throw redirect({ to: gate });
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFoundPage,
});

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  validateSearch: validateSignInSearch,
  beforeLoad: ({ context, search }) => guard(context, '/sign-in', search),
  component: SignInPage,
});

const mfaRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in/mfa',
  validateSearch: validateRedirect,
  beforeLoad: ({ context, search }) => guard(context, '/sign-in/mfa', search),
  component: MfaChallengePage,
});

/** After a first Entra ID sign-in: no session yet, an admin must approve. Open to anyone. */
const pendingApprovalRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/pending-approval',
  component: PendingApprovalPage,
});

const setupPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/setup/password',
  beforeLoad: ({ context }) => guard(context, '/setup/password', {}),
  component: ForcedPasswordPage,
});

const setupMfaRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/setup/mfa',
  beforeLoad: ({ context }) => guard(context, '/setup/mfa', {}),
  component: ForcedMfaPage,
});

/** Everything behind sign-in lives under this layout. */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'app',
  beforeLoad: async ({ context, location }) => {
    const gate = gateOf(await context.queryClient.ensureQueryData(sessionQuery));
    if (gate === '/sign-in' || gate === '/sign-in/mfa') {
      const here = location.href;
      throw redirect({ to: gate, search: here && here !== '/' ? { redirect: here } : {} });
    }
    if (gate !== null) throw redirect({ to: gate });
  },
  component: AppShell,
});

const homeRoute = createRoute({ getParentRoute: () => appRoute, path: '/', component: OverviewPage });
const profileRoute = createRoute({ getParentRoute: () => appRoute, path: '/profile', component: ProfilePage });

function AdminGate() {
  const { data } = useQuery(sessionQuery);
  return data?.operator?.role === 'admin' ? <Outlet /> : <AdminOnly />;
}

// The inventory pages load on first visit, keeping the sign-in bundle small.
const tenantsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/tenants',
  component: lazyRouteComponent(() => import('./pages/tenants/TenantsPage.tsx'), 'TenantsPage'),
});
const numbersHomeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/numbers',
  component: lazyRouteComponent(() => import('./pages/numbers/NumbersHomePage.tsx'), 'NumbersHomePage'),
});
const tenantRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/tenants/$tenantId',
  component: lazyRouteComponent(() => import('./pages/tenants/TenantLayout.tsx'), 'TenantLayout'),
});
const tenantOverviewRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: '/',
  component: lazyRouteComponent(() => import('./pages/tenants/TenantOverviewPage.tsx'), 'TenantOverviewPage'),
});
const tenantNumbersRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'numbers',
  validateSearch: validateNumbersSearch,
  component: lazyRouteComponent(() => import('./pages/numbers/NumbersPage.tsx'), 'NumbersPage'),
});
const tenantRangesRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'ranges',
  component: lazyRouteComponent(() => import('./pages/tenants/RangesPage.tsx'), 'RangesPage'),
});
const tenantSitesRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'sites',
  component: lazyRouteComponent(() => import('./pages/tenants/SitesPage.tsx'), 'SitesPage'),
});
const tenantImportRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'import',
  component: lazyRouteComponent(() => import('./pages/numbers/ImportPage.tsx'), 'ImportPage'),
});

// Teams voice: loaded on first visit too.
const voiceHomeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/voice',
  component: lazyRouteComponent(() => import('./pages/voice/VoiceHomePage.tsx'), 'VoiceHomePage'),
});
const tenantVoiceRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'voice',
  validateSearch: validateVoiceSearch,
  component: lazyRouteComponent(() => import('./pages/voice/VoicePage.tsx'), 'VoicePage'),
});
const tenantBulkRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'bulk',
  validateSearch: validateBulkSearch,
  component: lazyRouteComponent(() => import('./pages/voice/BulkPage.tsx'), 'BulkPage'),
});
const tenantLifecycleRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'lifecycle',
  component: lazyRouteComponent(() => import('./pages/voice/LifecyclePage.tsx'), 'LifecyclePage'),
});
const tenantScheduledRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'scheduled',
  component: lazyRouteComponent(() => import('./pages/voice/ScheduledPage.tsx'), 'TenantScheduledPage'),
});
const scheduledRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/scheduled',
  component: lazyRouteComponent(() => import('./pages/voice/ScheduledPage.tsx'), 'ScheduledPage'),
});
const tenantPoliciesRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'policies',
  component: lazyRouteComponent(() => import('./pages/voice/PoliciesPage.tsx'), 'PoliciesPage'),
});
const tenantProfilesRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'profiles',
  component: lazyRouteComponent(() => import('./pages/voice/ProfilesPage.tsx'), 'ProfilesPage'),
});
const tenantEmergencyRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'emergency',
  component: lazyRouteComponent(() => import('./pages/tenants/EmergencyPage.tsx'), 'EmergencyPage'),
});
const tenantReconcileRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'reconcile',
  component: lazyRouteComponent(() => import('./pages/voice/ReconcilePage.tsx'), 'ReconcilePage'),
});
const tenantVoiceAppsRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'voice-apps',
  component: lazyRouteComponent(() => import('./pages/voice-apps/VoiceAppsPage.tsx'), 'VoiceAppsPage'),
});
const threeCxHomeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/threecx',
  component: lazyRouteComponent(() => import('./pages/threecx/ThreeCxHomePage.tsx'), 'ThreeCxHomePage'),
});
const tenantThreeCxRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'threecx',
  component: lazyRouteComponent(() => import('./pages/threecx/ThreeCxPage.tsx'), 'ThreeCxPage'),
});
const tenantConnectionsRoute = createRoute({
  getParentRoute: () => tenantRoute,
  path: 'connections',
  component: lazyRouteComponent(() => import('./pages/connections/ConnectionsPage.tsx'), 'ConnectionsPage'),
});

const adminRoute = createRoute({ getParentRoute: () => appRoute, id: 'admin', component: AdminGate });
// Every role reads the audit log; the server answers each operator with their own tenants' events only.
const auditRoute = createRoute({ getParentRoute: () => appRoute, path: '/audit', validateSearch: validateAuditSearch, component: AuditPage });
// Every role reads reports; the server limits each to the operator's tenants.
const reportsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/reports',
  validateSearch: validateReportsSearch,
  component: lazyRouteComponent(() => import('./pages/ReportsPage.tsx'), 'ReportsPage'),
});
const operatorsRoute = createRoute({ getParentRoute: () => adminRoute, path: '/admin/operators', component: OperatorsPage });
const settingsRoute = createRoute({ getParentRoute: () => adminRoute, path: '/admin/settings', component: SettingsPage });

const routeTree = rootRoute.addChildren([
  signInRoute,
  mfaRoute,
  pendingApprovalRoute,
  setupPasswordRoute,
  setupMfaRoute,
  appRoute.addChildren([
    homeRoute,
    profileRoute,
    tenantsRoute,
    numbersHomeRoute,
    voiceHomeRoute,
    threeCxHomeRoute,
    scheduledRoute,
    tenantRoute.addChildren([
      tenantOverviewRoute,
      tenantNumbersRoute,
      tenantRangesRoute,
      tenantSitesRoute,
      tenantImportRoute,
      tenantVoiceRoute,
      tenantBulkRoute,
      tenantLifecycleRoute,
      tenantScheduledRoute,
      tenantPoliciesRoute,
      tenantProfilesRoute,
      tenantEmergencyRoute,
      tenantReconcileRoute,
      tenantVoiceAppsRoute,
      tenantThreeCxRoute,
      tenantConnectionsRoute,
    ]),
    auditRoute,
    reportsRoute,
    adminRoute.addChildren([operatorsRoute, settingsRoute]),
  ]),
]);

export function makeRouter(queryClient: QueryClient) {
  return createRouter({ routeTree, context: { queryClient }, defaultPreload: false, scrollRestoration: true });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof makeRouter>;
  }
}
