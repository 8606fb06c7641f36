import { ApiError } from '../api/client.ts';

/**
 * The server's message for one input, written as a sentence ("Must be a domain name…").
 * `codes` maps error codes that concern one field (e.g. a name already taken) to that field.
 */
export function fieldError(error: unknown, field: string, codes: Record<string, string> = {}): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const message = error.fieldMessage(field) ?? (codes[error.code] === field ? error.message : undefined);
  return message ? message.charAt(0).toUpperCase() + message.slice(1) : undefined;
}
