/**
 * The keyset cursor of the voice-change list (newest first): the last row's creation time, to the
 * microsecond as PostgreSQL keeps it, and its id, which breaks ties. It comes back from the client,
 * so both parts are checked before they reach SQL: a forged cursor is a 400, never a database error.
 */
export type VoiceChangeCursor = { createdAt: string; id: string };

const timestampPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeVoiceChangeCursor(cursor: VoiceChangeCursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeVoiceChangeCursor(text: string): VoiceChangeCursor | null {
  const parts = Buffer.from(text, 'base64url').toString('utf8').split('|');
  if (parts.length !== 2) return null;
  const [createdAt, id] = parts as [string, string];
  if (!timestampPattern.test(createdAt) || Number.isNaN(Date.parse(createdAt)) || !uuidPattern.test(id)) return null;
  return { createdAt, id };
}
