import { TenantSectionHome } from '../tenants/TenantSectionHome.tsx';

/** "3CX" in the menu: only tenants with 3CX switched on. */
export function ThreeCxHomePage() {
  return (
    <TenantSectionHome
      section={{
        to: '/tenants/$tenantId/threecx',
        title: '3CX',
        description: "Choose a tenant to manage its 3CX extensions, DIDs and trunks.",
        empty: 'No tenant has 3CX switched on.',
        includes: (t) => t.features.threecx,
      }}
    />
  );
}
