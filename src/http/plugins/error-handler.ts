import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
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
