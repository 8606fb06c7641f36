import { AppError, ConflictError, ValidationError } from './errors.ts';

/**
 * Database errors that only input can cause, as the answer the person should get. The edge
 * (the routes' schemas) refuses bad values first; this is the safety net for one that gets
 * through, so that no user input is ever answered as an internal error. Errors that can come
 * from the app or the database itself (a lost connection, a deadlock, a syntax error) are not
 * here and stay internal.
 *
 * Both drivers (node-postgres and PGlite) put the SQLSTATE on the error as `code`; drizzle wraps
 * a failed query in its own error with the driver's as `cause`.
 */
export type DatabaseErrorFields = { code?: unknown; message?: unknown; detail?: unknown; constraint?: unknown; table?: unknown; column?: unknown };

/** The driver's error inside whatever wraps it (drizzle's DrizzleQueryError, a transaction's rethrow), if any. */
export function findDatabaseError(error: unknown): DatabaseErrorFields | undefined {
  let at: unknown = error;
  for (let depth = 0; depth < 6 && at && typeof at === 'object'; depth += 1) {
    if (at instanceof AppError) return undefined;
    const code = (at as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return at as DatabaseErrorFields;
    at = (at as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A table's name as a person says it, for "The site was not found." */
const tableWords: Record<string, string> = {
  tenants: 'tenant',
  sites: 'site',
  number_ranges: 'range',
  phone_numbers: 'number',
  operators: 'operator',
  api_tokens: 'API token',
  sessions: 'session',
  voice_changes: 'voice change',
  voice_profiles: 'voice profile',
  teams_users: 'Teams user',
  teams_policies: 'policy',
  bulk_jobs: 'bulk job',
  tenant_connections: 'connection',
};

const columnOf = (text: string): string | undefined => /Key \(([^)]+)\)=/.exec(text)?.[1];

/** The answer for a database error input can cause, or undefined when it is not one. */
export function appErrorForDatabaseError(error: unknown): AppError | undefined {
  const db = findDatabaseError(error);
  if (!db) return undefined;
  const code = String(db.code);
  const message = typeof db.message === 'string' ? db.message : '';
  const detail = typeof db.detail === 'string' ? db.detail : '';
  const column = typeof db.column === 'string' ? db.column : columnOf(detail);
  const fields = column ? [{ field: column, message: 'is not valid' }] : [];
  switch (code) {
    case '22P02': {
      // invalid_text_representation: 'invalid input syntax for type uuid: "x"'
      const type = /for type ([\w ]+?)(?::|$)/.exec(message)?.[1];
      return new ValidationError(`A value is not in the form it needs to be${type ? ` (expected ${type === 'uuid' ? 'an id (UUID)' : `a ${type}`})` : ''}.`, fields);
    }
    case '22003':
      return new ValidationError('A number is out of the range that can be stored.', fields);
    case '22001':
      return new ValidationError('A text value is too long to be stored.', fields);
    case '22007':
    case '22008':
      return new ValidationError('A date or time is not valid, or out of the range that can be stored.', fields);
    case '22021':
    case '22P05':
      return new ValidationError('A text value has characters that cannot be stored (such as a NUL or half of a surrogate pair).', fields);
    case '22023':
      return new ValidationError('A value is not valid.', fields);
    case '54000':
      return new ValidationError('A value is too large to be stored.', fields);
    case '23503': {
      // foreign_key_violation. Inserting or updating a row that names a missing one: the id the
      // person sent points at nothing. Deleting a row others still name: it is in use.
      const table = /is not present in table "([^"]+)"/.exec(detail)?.[1];
      if (table) return new AppError(404, 'not_found', `The ${tableWords[table] ?? 'item'} it refers to${column ? ` (${column})` : ''} was not found.`, { fields });
      const referencing = /is still referenced from table "([^"]+)"/.exec(detail)?.[1];
      return new ConflictError(`It is still in use${referencing ? ` by a ${tableWords[referencing] ?? 'record'}` : ''}, so it cannot be removed.`, 'in_use');
    }
    case '23505':
      // unique_violation: 'Key (email)=(a@b.c) already exists.' The value is the person's own; only the field is named.
      return new ConflictError(`That already exists${column ? ` (the same ${column.replace(/lower\(|\)/g, '')} is in use)` : ''}.`, 'already_exists');
    default:
      return undefined;
  }
}
