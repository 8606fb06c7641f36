/** The voice page's address: the user whose panel is open, so it can be shared or bookmarked. */
export type VoiceSearch = { user?: string };

export function validateVoiceSearch(raw: Record<string, unknown>): VoiceSearch {
  return typeof raw.user === 'string' && raw.user ? { user: raw.user } : {};
}
