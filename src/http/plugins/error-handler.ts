import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { appErrorForDatabaseError } from '../../core/database-errors.ts';
import { AppError, TooManyAttemptsError } from '../../core/errors.ts';

export type ErrorBody = { error: { code: string; message: string; details?: unknown; requestId: string } };

/**
 * One shape for every error: `{ error: { code, message, details?, requestId } }`. Messages of
 * unexpected errors never reach the client (no stack traces, SQL or secrets); the request id
 * ties the answer to the full entry in the log.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const requestId = String(request.id);
    // A database error only input can cause (a value of the wrong type, out of range, an id of
    // nothing, a duplicate) is the person's to fix: answered as such, and logged, because the
    // route's schema should have refused the value first.
    const fromDatabase = error instanceof AppError ? undefined : appErrorForDatabaseError(error);
    if (fromDatabase) {
      request.log.warn({ err: error, status: fromDatabase.status }, 'database refused a value from the request');
      const body: ErrorBody = { error: { code: fromDatabase.code, message: fromDatabase.message, requestId, ...(fromDatabase.details ? { details: fromDatabase.details } : {}) } };
      return reply.status(fromDatabase.status).send(body);
    }
    if (error instanceof AppError) {
      // Our own limits and a vendor's (Teams throttling) both say how long to wait.
      const wait = error instanceof TooManyAttemptsError ? error.retryAfterSeconds : (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      if (typeof wait === 'number') reply.header('retry-after', String(wait));
      const body: ErrorBody = { error: { code: error.code, message: error.message, requestId, ...(error.details ? { details: error.details } : {}) } };
      return reply.status(error.status).send(body);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const fields = error.validation.map((v) => ({
        field: [error.validationContext, ...String(v.instancePath).split('/').filter(Boolean)].filter((p) => p !== 'body').join('.') || String(error.validationContext),
        message: v.message ?? 'is not valid',
      }));
      const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
      return reply.status(400).send({ error: { code: 'validation_failed', message: `Some fields are not valid: ${summary}`, details: { fields }, requestId } });
    }
    const status = error.statusCode ?? 500;
    if (status === 429) {
      return reply.status(429).send({ error: { code: 'rate_limited', message: 'Too many requests. Wait a moment and try again.', requestId } });
    }
    if (status >= 400 && status < 500) {
      // Fastify's own client errors (bad JSON, wrong content type, body too large) are safe to describe.
      return reply.status(status).send({ error: { code: error.code ?? 'bad_request', message: error.message, requestId } });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: `Something went wrong on our side. It has been logged with request id ${requestId}.`, requestId } });
  });
}

/**
 * Errors Fastify raises before a route runs (a bad URL encoding, a path parameter over the
 * length limit): the same error shape as everything else.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A value in the address is too long.' : error.code === 'FST_ERR_BAD_URL' ? 'The address is not valid (bad encoding).' : 'The request is not valid.';
  void reply.status(status).send({ error: { code: 'bad_request', message, requestId: String(request.id) } });
}

/**
 * A request Node's HTTP parser refuses (headers too large, a malformed request line) never
 * reaches Fastify's routing; it still gets the JSON error shape.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'The request headers (or the address) are too large.']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'The request took too long to arrive.']
        : [400, 'Bad Request', 'The request could not be read.'];
  const body = JSON.stringify({ error: { code: 'bad_request', message, requestId: 'none' } });
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy(error);
}
