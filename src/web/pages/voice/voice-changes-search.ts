import type { VoiceChangeFilters } from '../../api/teams.ts';

/** The Voice changes page's address: its filters, so a filtered list can be shared or bookmarked. */
export type VoiceChangesSearch = VoiceChangeFilters;

const keys = ['user', 'operator', 'ticket', 'status', 'from', 'to'] as const;

export function validateVoiceChangesSearch(raw: Record<string, unknown>): VoiceChangesSearch {
  const out: VoiceChangesSearch = {};
  for (const key of keys) {
    const value = raw[key];
    // A ticket number in the address comes back as a number: keep it as the text it was.
    if ((typeof value === 'string' && value) || typeof value === 'number') out[key] = String(value);
  }
  return out;
}
