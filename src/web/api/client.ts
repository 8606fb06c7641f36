/**
 * Thin fetch wrapper for the UCR Manager API: same-origin cookies, JSON in and out, the
 * session's CSRF token on every write, and one error type carrying the server's code,
 * message and per-field problems.
 */
export type FieldProblem = { field: string; message: string };

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldProblem[];
  readonly requestId: string | undefined;
  /** The server's extra data for some codes (e.g. bulk_refused lists the refusing numbers). */
  readonly details: unknown;

  constructor(status: number, code: string, message: string, fields: FieldProblem[] = [], requestId?: string, details?: unknown) {
    super(message);
    this.details = details;
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.requestId = requestId;
  }

  /** The server's message for one input, if it named that field. */
  fieldMessage(field: string): string | undefined {
    return this.fields.find((f) => f.field === field)?.message;
  }
}

let csrfToken: string | undefined;

/** Remember the CSRF token from the latest session, sign-in or MFA answer. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

type ErrorBody = { error?: { code?: string; message?: string; details?: { fields?: FieldProblem[] }; requestId?: string } };

export function csrfHeader(): Record<string, string> {
  return csrfToken ? { 'x-csrf-token': csrfToken } : {};
}

export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}), ...(signal ? { signal } : {}) });
  } catch (error) {
    // A cancelled request (a newer search replaced it) is not a failure to show.
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');
  }
  const text = await response.text();
  let data: unknown;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) throw apiErrorFrom(response.status, response.statusText, data);
  return data as T;
}

/** The error for a non-2xx answer whose body has already been read (fetch or XMLHttpRequest). */
export function apiErrorFrom(status: number, statusText: string, data: unknown): ApiError {
  const error = (data as ErrorBody | undefined)?.error;
  const fields = Array.isArray(error?.details?.fields) ? error.details.fields : [];
  return new ApiError(status, error?.code ?? `http_${status}`, error?.message ?? `The server answered ${status} ${statusText}.`, fields, error?.requestId, error?.details);
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, undefined, signal),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string, body?: unknown) => request<T>('DELETE', path, body),
};

/** Message to show a person for anything thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
