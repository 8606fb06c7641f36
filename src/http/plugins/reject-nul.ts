import type { FastifyInstance } from 'fastify';
import { ValidationError, type FieldProblem } from '../../core/errors.ts';

/** Where in a parsed value a string holds U+0000, as field paths like "querystring.search" or "tags.2". */
function nulFields(value: unknown, path: string[], out: FieldProblem[]): void {
  if (out.length >= 10) return;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) out.push({ field: path.join('.') || 'body', message: 'must not contain a NUL character (\\u0000)' });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => nulFields(item, [...path, String(i)], out));
  } else if (value && typeof value === 'object' && !Buffer.isBuffer(value) && typeof (value as { pipe?: unknown }).pipe !== 'function') {
    for (const [key, item] of Object.entries(value)) nulFields(item, [...path, key], out);
  }
}

/**
 * PostgreSQL text cannot hold U+0000: such a value would fail deep in a query as an internal
 * error. It is refused up front instead, with the field named, before any route runs. (Binary
 * uploads and streamed CSV bodies are not parsed here; the CSV import checks its own cells.)
 */
export function registerRejectNul(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const problems: FieldProblem[] = [];
    nulFields(request.params, ['params'], problems);
    nulFields(request.query, ['querystring'], problems);
    nulFields(request.body, [], problems);
    if (problems.length > 0) throw new ValidationError(`Some fields are not valid: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
  });
}
