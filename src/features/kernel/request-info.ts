import type { FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../../core/errors.ts';
import type { Actor, RequestInfo } from './deps.ts';

export function requestInfo(request: FastifyRequest): RequestInfo {
  return { requestId: String(request.id), ip: request.ip, userAgent: request.headers['user-agent'] };
}

/** The signed-in operator; routes that declare an access level above "public" always have one. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new UnauthenticatedError();
  return request.actor;
}
