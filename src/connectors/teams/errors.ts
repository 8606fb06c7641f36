import { AppError } from '../../core/errors.ts';

/**
 * A Teams/Graph failure in words a voice engineer acts on. `reason` is stable for the code that
 * handles it; the API answers with the code `teams_<reason>` (as 3CX's are `threecx_<reason>`), so
 * every error code says which system it came from. `detail` keeps Graph's own message and request id.
 */
export type TeamsErrorCode =
  | 'authentication_failed'
  | 'app_not_found'
  | 'tenant_not_found'
  | 'permission_missing'
  | 'user_not_found'
  | 'not_licensed'
  | 'no_usage_location'
  | 'number_already_assigned'
  | 'number_not_found'
  | 'policy_not_found'
  | 'throttled'
  | 'unavailable'
  | 'bad_request'
  | 'unexpected_answer'
  /** The PowerShell bridge: pwsh is not at the configured path. */
  | 'powershell_not_found'
  /** The PowerShell bridge: pwsh runs but the MicrosoftTeams module is not installed. */
  | 'module_missing'
  /** The PowerShell bridge: a *-CsOnlineApplicationInstance cmdlet refused app-only sign-in. */
  | 'app_auth_unsupported'
  /** The PowerShell bridge: a cmdlet ran and failed; its own message is passed on. */
  | 'cmdlet_failed'
  /** Teams refused a number for a resource account (no usage location or Teams Phone Resource Account licence). */
  | 'resource_account_refused'
  | 'unknown';

/** How a Teams failure answers our own API: 409 for problems with the user or number, 502 for Microsoft's side. */
const httpStatus: Partial<Record<TeamsErrorCode, number>> = {
  not_licensed: 409,
  no_usage_location: 409,
  resource_account_refused: 409,
  number_already_assigned: 409,
  number_not_found: 409,
  policy_not_found: 409,
  user_not_found: 404,
  bad_request: 400,
  // Graph asked to wait: our own answer says so (503 + Retry-After) rather than hang or blame Graph.
  throttled: 503,
};

export class TeamsError extends AppError {
  readonly reason: TeamsErrorCode;
  /** Graph's HTTP status, when Graph answered. */
  readonly graphStatus: number | undefined;
  readonly detail: string | undefined;
  readonly requestId: string | undefined;
  /** Graph never answered but may have received the request: a write may still take effect. */
  readonly outcomeUnknown: boolean;
  /** Throttled: how long Graph asked this tenant to wait (our 503 answer's Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: TeamsErrorCode, message: string, extra: { status?: number; detail?: string; requestId?: string; outcomeUnknown?: boolean; retryAfterSeconds?: number } = {}) {
    super(httpStatus[code] ?? 502, `teams_${code}`, message, extra.requestId ? { graphRequestId: extra.requestId } : undefined);
    this.reason = code;
    this.graphStatus = extra.status;
    this.detail = extra.detail;
    this.requestId = extra.requestId;
    this.outcomeUnknown = extra.outcomeUnknown ?? false;
    this.retryAfterSeconds = extra.retryAfterSeconds;
  }
}

/** Maps a failure text (Graph error message or operation statusDetail) to what it means. */
export function classifyFailure(text: string): { code: TeamsErrorCode; message: string } | undefined {
  const t = text.toLowerCase();
  if (/licen[cs]e|phone ?system|not enabled for enterprise voice|feature/.test(t)) return { code: 'not_licensed', message: 'The user has no Teams Phone licence (Phone System). Assign the licence in Microsoft 365, wait for it to apply, then try again.' };
  if (/usage ?location/.test(t)) return { code: 'no_usage_location', message: 'The user has no usage location. Set it in Entra ID (user › Properties › Usage location), then try again.' };
  if (/already assigned|assigned to (another|a different)|in use/.test(t)) return { code: 'number_already_assigned', message: 'Teams says this number is already assigned to someone else.' };
  // Direct Routing numbers need no upload: assigning one uploads it ("Enable users for Direct
  // Routing"). So a number Teams does not have is a Calling Plan or Operator Connect number.
  if (/not (be )?found|does not exist|not uploaded|not in the tenant|unknown number/.test(t) && /number/.test(t)) return { code: 'number_not_found', message: 'Teams does not have this number. Calling Plan and Operator Connect numbers must be in the tenant (acquired, ported or provisioned by the operator) before they can be assigned.' };
  return undefined;
}
