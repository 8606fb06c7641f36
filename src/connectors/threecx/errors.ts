import { AppError } from '../../core/errors.ts';

/**
 * A 3CX failure in words a voice engineer acts on. `code` is stable for the UI and tests;
 * `detail` keeps 3CX's own message for support.
 */
export type ThreeCxErrorCode =
  | 'authentication_failed'
  | 'two_factor_required'
  | 'forbidden'
  | 'not_found'
  | 'validation'
  | 'not_supported'
  | 'throttled'
  | 'unavailable'
  | 'unexpected_answer';

/** How a 3CX failure answers our own API: the caller's input is 400/404/409, 3CX's side is 502. */
const httpStatus: Partial<Record<ThreeCxErrorCode, number>> = {
  two_factor_required: 409,
  not_found: 404,
  validation: 400,
  not_supported: 409,
};

export class ThreeCxError extends AppError {
  readonly reason: ThreeCxErrorCode;
  readonly pbxStatus: number | undefined;
  readonly detail: string | undefined;

  constructor(reason: ThreeCxErrorCode, message: string, extra: { status?: number | undefined; detail?: string | undefined; field?: string | undefined; details?: Record<string, unknown> } = {}) {
    super(httpStatus[reason] ?? 502, `threecx_${reason}`, message, { ...(extra.field ? { fields: [{ field: extra.field, message }] } : {}), ...(extra.details ?? {}) });
    this.reason = reason;
    this.pbxStatus = extra.status;
    this.detail = extra.detail;
  }
}

/** What 3CX's WARNINGS.XAPI.* keys mean, in words. */
const warnings: Record<string, string> = {
  ALREADY_IN_USE: 'is already in use on this PBX',
  INVALID_EXTENSION_NUMBER: 'is not a valid extension number (2 to 10 digits)',
  INVALID_EMAIL: 'is not a valid email address',
  INVALID_VALUE: 'has a value 3CX does not accept',
  REQUIRED: 'is required',
  DUPLICATED: 'is already in use on this PBX',
};

const fieldNames: Record<string, string> = {
  Number: 'Extension number',
  EmailAddress: 'Email address',
  FirstName: 'First name',
  LastName: 'Last name',
  OutboundCallerID: 'Outbound caller ID',
  VMEmailOptions: 'Voicemail email option',
  DidNumbers: 'DID numbers',
  SimultaneousCalls: 'Simultaneous calls',
};

type ODataErrorBody = { error?: { code?: string; message?: string; details?: Array<{ code?: string; message?: string; target?: string }> } };

/** 3CX's OData error JSON (or anything else) turned into a ThreeCxError. */
export function mapXapiError(status: number, text: string, method: string): ThreeCxError {
  let body: ODataErrorBody | undefined;
  try {
    body = JSON.parse(text) as ODataErrorBody;
  } catch {
    body = undefined;
  }
  const message = body?.error?.message ?? '';
  const detail = [message, ...(body?.error?.details ?? []).map((d) => `${d.target ?? ''}: ${d.message ?? ''}`)].filter(Boolean).join(' | ').slice(0, 500) || undefined;
  if (status === 401) return new ThreeCxError('authentication_failed', '3CX refused the sign-in token. Check the API client (or admin) credentials under the tenant\'s 3CX connection.', { status, detail });
  if (status === 403) return new ThreeCxError('forbidden', 'The 3CX API client\'s role does not allow this. Give it the System Owner or System Admin role (see the admin guide).', { status, detail });
  if (status === 404) return new ThreeCxError('not_found', '3CX does not know that item; it may have been removed on the PBX.', { status, detail });
  if (status === 405) return new ThreeCxError('not_supported', `3CX does not offer this through its API (${method} answered 405 Method Not Allowed).`, { status, detail });
  if (status === 429) return new ThreeCxError('throttled', '3CX is limiting requests right now; try again in a minute.', { status, detail });
  if (status === 400 || status === 409 || status === 422) {
    const first = body?.error?.details?.[0];
    const key = /WARNINGS\.XAPI\.([A-Z_]+)/.exec(first?.message ?? message)?.[1];
    const field = first?.target ?? /^(\w+):/.exec(message)?.[1];
    if (key && field) {
      const words = warnings[key] ?? `was refused (${key})`;
      return new ThreeCxError('validation', `${fieldNames[field] ?? field} ${words}. Nothing was changed.`, { status, detail, field });
    }
    return new ThreeCxError('validation', `3CX refused the request: ${message || 'invalid request'}. Nothing was changed.`, { status, detail });
  }
  return new ThreeCxError('unavailable', `3CX had a problem (HTTP ${status}); try again later.`, { status, detail });
}
