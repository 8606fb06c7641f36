import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendCwError } from './errors.ts';
import type { ApiKey, ConnectWiseState } from './state.ts';

// Manage API keys: `Authorization: Basic base64("{companyId}+{publicKey}:{privateKey}")`
// plus the mandatory `clientId` header of a registered integration.

const keys = new WeakMap<FastifyRequest, ApiKey>();

function parseBasic(header: string | undefined): { company: string; publicKey: string; privateKey: string } | null {
  if (!header?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const match = /^([^+:]+)\+([^:]+):(.*)$/.exec(decoded);
  return match ? { company: match[1] ?? '', publicKey: match[2] ?? '', privateKey: match[3] ?? '' } : null;
}

/** Company id from the Authorization header (unverified): the throttle bucket key. */
export const authCompany = (request: FastifyRequest): string => parseBasic(request.headers.authorization)?.company.toLowerCase() ?? 'anonymous';

/** Checks clientId and the API key; answers 400/401 and returns false when they are wrong. */
export function checkCredentials(state: ConnectWiseState, request: FastifyRequest, reply: FastifyReply): boolean {
  const clientId = request.headers.clientid;
  if (typeof clientId !== 'string' || clientId === '' || (state.clientIds && !state.clientIds.has(clientId))) {
    sendCwError(reply, 400, 'InvalidClientId', "A valid 'clientId' header is required. Register your integration at the ConnectWise Developer Network to obtain one.");
    return false;
  }
  const credentials = parseBasic(request.headers.authorization);
  const key = credentials && credentials.company.toLowerCase() === state.companyId.toLowerCase() ? state.apiKeys.find((candidate) => candidate.publicKey === credentials.publicKey && candidate.privateKey === credentials.privateKey) : undefined;
  if (!key) {
    sendCwError(reply, 401, 'Unauthorized', 'Unauthorized. Invalid credentials.');
    return false;
  }
  const path = (request.url.split('?')[0] ?? '').replace(/^.*?\/apis\/3\.0/, '');
  if (key.deniedPaths?.some((denied) => path.startsWith(denied))) {
    sendCwError(reply, 403, 'Forbidden', `You do not have permission to access ${path}. Ask your administrator to grant the API member's security role access to it.`);
    return false;
  }
  keys.set(request, key);
  const version = requestedApiVersion(request.headers.accept);
  state.apiVersions.set(version, (state.apiVersions.get(version) ?? 0) + 1);
  return true;
}

/**
 * The version named in `Accept: application/vnd.connectwise.com+json; version=2025.1` (also
 * inside a list, as connectwise-rest sends it with `, application/json`); 'latest' without one.
 * ConnectWise's versioning guide: "By default all requests will receive the latest version … we
 * encourage you to request a specific version using an Accept header". Any version is served
 * with the one model set the simulator has.
 */
export function requestedApiVersion(accept: string | undefined): string {
  const match = /application\/vnd\.connectwise\.com\+json\s*;\s*version\s*=\s*"?([^",;\s]+)"?/i.exec(accept ?? '');
  return match?.[1] ?? 'latest';
}

export function apiKeyOf(request: FastifyRequest): ApiKey {
  const key = keys.get(request);
  if (!key) throw new Error('route reached without credentials');
  return key;
}
