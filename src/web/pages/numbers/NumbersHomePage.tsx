import { TenantSectionHome } from '../tenants/TenantSectionHome.tsx';

/** "Numbers" in the menu. */
export function NumbersHomePage() {
  return <TenantSectionHome section={{ to: '/tenants/$tenantId/numbers', title: 'Numbers', description: 'Choose a tenant to see its phone-number inventory.', empty: 'There are no tenants yet.' }} />;
}
