import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** An Entra ID (AADSTS) failure: OAuth error name, HTTP status, AADSTS number and text. */
export interface AadError {
  status: 400 | 401 | 404 | 429 | 500 | 503;
  error: string;
  code: number;
  message: string;
}

export const aad = (status: AadError['status'], error: string, code: number, message: string): AadError => ({ status, error, code, message });

/** Entra's timestamp format: "2025-01-31 12:34:56Z". */
const entraTimestamp = (date = new Date()): string => date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');

export function sendAadError(request: FastifyRequest, reply: FastifyReply, failure: AadError): FastifyReply {
  const traceId = randomUUID();
  const header = request.headers['client-request-id'];
  const correlationId = typeof header === 'string' && header ? header : randomUUID();
  const timestamp = entraTimestamp();
  return reply
    .code(failure.status)
    .header('x-ms-request-id', traceId)
    .header('client-request-id', correlationId)
    .header('cache-control', 'no-store, no-cache')
    .send({
      error: failure.error,
      error_description: `AADSTS${failure.code}: ${failure.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [failure.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${failure.code}`,
    });
}

export const tenantNotFound = (tenant: string): AadError =>
  aad(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);

export const appNotFound = (clientId: string, tenant: string): AadError =>
  aad(
    400,
    'unauthorized_client',
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  );

export const missingParameter = (name: string): AadError => aad(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);
