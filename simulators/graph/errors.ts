import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

// Graph's error envelope and its request-id / client-request-id correlation headers.

const ids = new WeakMap<FastifyRequest, { requestId: string; clientRequestId: string }>();

/** request-id (ours) and client-request-id (echoed, or generated when the client sent none). */
export function requestIds(request: FastifyRequest): { requestId: string; clientRequestId: string } {
  let entry = ids.get(request);
  if (!entry) {
    const header = request.headers['client-request-id'];
    entry = { requestId: randomUUID(), clientRequestId: typeof header === 'string' && header ? header : randomUUID() };
    ids.set(request, entry);
  }
  return entry;
}

/** Graph's innerError date has no fractional seconds. */
const graphDate = (): string => new Date().toISOString().replace(/\.\d+Z$/, '');

export function sendGraphError(request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string, extra: Record<string, unknown> = {}): FastifyReply {
  const { requestId, clientRequestId } = requestIds(request);
  return reply
    .code(status)
    .header('content-type', 'application/json')
    .send({ error: { code, message, innerError: { date: graphDate(), 'request-id': requestId, 'client-request-id': clientRequestId, ...extra } } });
}
