import { useQuery } from '@tanstack/react-query';
import { rangesQuery, sitesQuery } from '../../api/inventory.ts';
import type { NumberSourceDto, VoiceProfileDto } from '../../api/teams.ts';
import { policyLabel, policyTypes } from '../../lib/teams.ts';

/** Where a profile takes its number from, in words. */
export function useSourceText(tenantId: string): (source: NumberSourceDto | null) => string {
  const ranges = useQuery(rangesQuery(tenantId));
  const sites = useQuery(sitesQuery(tenantId));
  return (source) => {
    if (!source) return 'No number (policies only)';
    if ('rangeId' in source) return `Next free number in range ${ranges.data?.find((r) => r.id === source.rangeId)?.name ?? '(deleted range)'}`;
    if ('siteId' in source) return `Next free number at site ${sites.data?.find((s) => s.id === source.siteId)?.name ?? '(deleted site)'}`;
    return `Next free number tagged “${source.tag}”`;
  };
}

/** The policies a profile sets, in the usual order; a type it leaves out stays as the user has it. */
export function profilePolicyLines(profile: Pick<VoiceProfileDto, 'policies'>): string[] {
  return policyTypes.filter((t) => t in profile.policies).map((t) => `${policyLabel(t)}: ${profile.policies[t] ?? 'no direct assignment (inherit)'}`);
}

export function ProfileSummary({ tenantId, profile }: { tenantId: string; profile: VoiceProfileDto }) {
  const sourceText = useSourceText(tenantId);
  const lines = profilePolicyLines(profile);
  return (
    <ul className="space-y-0.5 text-sm text-zinc-700">
      <li>{sourceText(profile.numberSource)}</li>
      {lines.length ? lines.map((l) => <li key={l}>{l}</li>) : <li className="text-zinc-500">No policies: the user keeps theirs.</li>}
    </ul>
  );
}
