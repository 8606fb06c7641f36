import { TenantSectionHome } from '../tenants/TenantSectionHome.tsx';

/** "Voice" in the menu: only tenants with Teams switched on. */
export function VoiceHomePage() {
  return (
    <TenantSectionHome
      section={{
        to: '/tenants/$tenantId/voice',
        title: 'Voice',
        description: "Choose a tenant to manage its Teams users' numbers and policies.",
        empty: 'No tenant has Microsoft Teams switched on.',
        includes: (t) => t.features.teams,
      }}
    />
  );
}
