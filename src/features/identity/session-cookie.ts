import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config/env.ts';

export const SESSION_COOKIE = 'ucr_session';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Secure whenever the browser will accept it: over HTTPS (directly or behind a trusted proxy)
 * and on localhost, which browsers treat as secure. Only plain HTTP on another host goes
 * without, and the server warns about that set-up at start.
 */
export function cookieIsSecure(request: FastifyRequest, config: Config): boolean {
  return request.protocol === 'https' || config.publicUrl?.startsWith('https:') === true || LOCAL_HOSTS.has(request.hostname.replace(/:\d+$/, ''));
}

export function setSessionCookie(reply: FastifyReply, request: FastifyRequest, config: Config, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookieIsSecure(request, config),
    maxAge: config.sessionAbsoluteMinutes * 60,
  });
}

export function clearSessionCookie(reply: FastifyReply, request: FastifyRequest, config: Config): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: cookieIsSecure(request, config) });
}
