import type { FastifyInstance } from 'fastify';
import { requestBaseUrl } from '../../shared/sim-app.ts';
import { authContext, requirePermission } from '../auth.ts';
import { canonicalPolicyType, PERMISSIONS, POLICY_TYPES } from '../catalog.ts';
import type { PolicyType } from '../catalog.ts';
import { versionOf } from '../collection.ts';
import { sendGraphError } from '../errors.ts';
import type { GraphTenant, GraphUser } from '../state.ts';

interface Entry {
  user: GraphUser;
  policyType: PolicyType;
  policyId: string | null;
}

/** Validates every entry of `{ value: [...] }` before changing anything; returns an error message. */
function parseEntries(tenant: GraphTenant, body: unknown, withPolicyId: boolean): Entry[] | string {
  const value = (body as { value?: unknown } | null)?.value;
  if (!Array.isArray(value) || value.length === 0) return "The request body must contain a non-empty 'value' array.";
  const entries: Entry[] = [];
  for (const raw of value as Array<Record<string, unknown>>) {
    const policyType = canonicalPolicyType(raw?.policyType);
    if (!policyType) return `Invalid policyType '${String(raw?.policyType)}'. Supported policy types: ${POLICY_TYPES.join(', ')}.`;
    const user = typeof raw.userId === 'string' ? tenant.users.get(raw.userId) : undefined;
    if (!user) return `User '${String(raw.userId)}' was not found in the tenant.`;
    let policyId: string | null = null;
    if (withPolicyId) {
      if (typeof raw.policyId !== 'string') return "The parameter 'policyId' is missing.";
      if (!tenant.policies.get(policyType)?.some((policy) => policy.policyId === raw.policyId)) return `Policy '${raw.policyId}' of type '${policyType}' was not found in the tenant.`;
      policyId = raw.policyId;
    }
    entries.push({ user, policyType, policyId });
  }
  return entries;
}

/** `getPolicyId(type='X',name='Y')` with or without the namespace, parameters in any order. */
function parsePolicyIdCall(segment: string): { type: string; name: string } | null {
  const match = /^(?:microsoft\.graph\.teamsAdministration\.)?getPolicyId\((.*)\)$/.exec(segment);
  if (!match) return null;
  const args: Record<string, string> = {};
  for (const pair of (match[1] ?? '').matchAll(/(\w+)\s*=\s*'((?:[^']|'')*)'/g)) args[pair[1] ?? ''] = (pair[2] ?? '').replace(/''/g, "'");
  return args.type !== undefined && args.name !== undefined ? { type: args.type, name: args.name } : null;
}

export function registerPolicyRoutes(app: FastifyInstance): void {
  app.post('/admin/teams/policy/userAssignments/assign', async (request, reply) => {
    if (!requirePermission(request, reply, PERMISSIONS.assignPolicies)) return reply;
    const entries = parseEntries(authContext(request).tenant, request.body, true);
    if (typeof entries === 'string') return sendGraphError(request, reply, 400, 'BadRequest', entries);
    for (const { user, policyType, policyId } of entries) {
      user.policies.set(policyType, { policyId: policyId ?? '', assignmentType: 'direct', groupId: null });
      user.modifiedDateTime = new Date().toISOString();
    }
    return reply.code(204).send();
  });

  app.post('/admin/teams/policy/userAssignments/unassign', async (request, reply) => {
    if (!requirePermission(request, reply, PERMISSIONS.assignPolicies)) return reply;
    const entries = parseEntries(authContext(request).tenant, request.body, false);
    if (typeof entries === 'string') return sendGraphError(request, reply, 400, 'BadRequest', entries);
    for (const { user, policyType } of entries) {
      user.policies.delete(policyType);
      user.modifiedDateTime = new Date().toISOString();
    }
    return reply.code(204).send();
  });

  app.get<{ Params: { '*': string } }>('/admin/teams/policy/*', async (request, reply) => {
    const raw = request.params['*'];
    const call = parsePolicyIdCall(raw.includes('%') ? decodeURIComponent(raw) : raw);
    if (!call) return sendGraphError(request, reply, 400, 'BadRequest', `Resource not found for the segment '${raw}'.`);
    if (!requirePermission(request, reply, PERMISSIONS.assignPolicies)) return reply;
    const policyType = canonicalPolicyType(call.type);
    if (!policyType) return sendGraphError(request, reply, 400, 'BadRequest', `Invalid policy type '${call.type}'. Supported policy types: ${POLICY_TYPES.join(', ')}.`);
    const policy = authContext(request).tenant.policies.get(policyType)?.find((candidate) => candidate.name.toLowerCase() === call.name.toLowerCase());
    if (!policy) return sendGraphError(request, reply, 404, 'NotFound', `Policy '${call.name}' of type '${policyType}' was not found.`);
    return {
      '@odata.context': `${requestBaseUrl(request)}/${versionOf(request)}/$metadata#Collection(microsoft.graph.teamsAdministration.policyIdentifierDetail)`,
      value: [{ policyId: policy.policyId, name: policy.name }],
    };
  });
}
