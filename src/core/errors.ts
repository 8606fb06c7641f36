/**
 * Errors the app raises on purpose. Each carries the HTTP status it maps to and a message
 * written for the person using the app; anything else that escapes is an internal error
 * whose details stay in the log.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export type FieldProblem = { field: string; message: string };

export class ValidationError extends AppError {
  constructor(message: string, fields: FieldProblem[] = []) {
    super(400, 'validation_failed', message, { fields });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Sign in to continue.', code = 'unauthenticated') {
    super(401, code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Your role does not allow this action.', code = 'forbidden') {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'not_found', `${what} was not found.`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

export class TooManyAttemptsError extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(429, 'too_many_attempts', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
