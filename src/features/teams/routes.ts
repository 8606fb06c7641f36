import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ticketLogChoicesSchema } from '../kernel/ticket-work.ts';
import { policyTypeNames } from '../../core/policy-types.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { deleteTeamsConnection, generateTeamsCertificate, getTeamsConnection, saveTeamsConnection, teamsCertificatePem, testTeamsConnection, uploadTeamsCertificate } from './connection.ts';
import { getTeamsUser, openAndSearchDirectory, openDirectory, syncTeamsDirectoryFor } from './directory.ts';
import { addTeamsPolicy, listTeamsPolicies, refreshPoliciesWithPowerShell } from './policies.ts';
import { teamsNumberSource } from './reconcile.ts';
import { reconcileRoutes } from '../numbers/reconcile/routes.ts';
import { getVoiceChange, listVoiceChanges, requestVoiceChange, revertVoiceChange } from './voice-changes.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { tenantParams } from '../../http/schemas.ts';
import { changeParams, connectionCheckSchema, directoryFreshnessSchema, policyCatalogSchema, teamsConnectionInput, teamsConnectionSchema, teamsUserSchema, userParams, voiceChangeInput, voiceChangeListQuery, voiceChangeSchema } from './schemas.ts';
import { decodeVoiceChangeCursor } from '../../core/voice-change-cursor.ts';

export function teamsRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['teams'];

  r.get(
    '/api/tenants/:tenantId/connections/teams',
    { config: { access: 'viewer' }, schema: { tags, summary: 'The Teams connection (secrets are never returned)', params: tenantParams, response: { 200: teamsConnectionSchema } } },
    async (request) => getTeamsConnection(deps, actorOf(request), request.params.tenantId),
  );

  r.put(
    '/api/tenants/:tenantId/connections/teams',
    {
      config: { access: 'admin' },
      schema: { tags, summary: 'Save the app registration (client id, certificate or secret authentication, cloud)', params: tenantParams, body: teamsConnectionInput, response: { 200: teamsConnectionSchema } },
    },
    async (request) => saveTeamsConnection(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request)),
  );

  r.delete(
    '/api/tenants/:tenantId/connections/teams',
    { config: { access: 'admin' }, schema: { tags, summary: 'Delete the Teams connection and its secrets (audited); answers the now empty connection', params: tenantParams, response: { 200: teamsConnectionSchema } } },
    async (request) => deleteTeamsConnection(deps, actorOf(request), request.params.tenantId, requestInfo(request)),
  );

  r.post(
    '/api/tenants/:tenantId/connections/teams/certificate',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Upload the certificate with its private key (PFX as base64 with password, or PEM)',
        params: tenantParams,
        body: z.union([z.object({ pfxBase64: z.string().min(10).max(200_000), password: z.string().max(500).optional() }), z.object({ certificatePem: z.string().min(50).max(50_000), privateKeyPem: z.string().min(50).max(50_000) })]),
        response: { 200: teamsConnectionSchema },
      },
    },
    async (request) => uploadTeamsCertificate(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request)),
  );

  r.post(
    '/api/tenants/:tenantId/connections/teams/certificate/generate',
    {
      config: { access: 'admin' },
      schema: { tags, summary: 'Generate a key pair and certificate here; upload the certificate to the app registration', params: tenantParams, response: { 200: z.object({ certificatePem: z.string(), thumbprint: z.string(), connection: teamsConnectionSchema }) } },
    },
    async (request) => generateTeamsCertificate(deps, actorOf(request), request.params.tenantId, requestInfo(request)),
  );

  r.get(
    '/api/tenants/:tenantId/connections/teams/certificate.cer',
    { config: { access: 'viewer' }, schema: { tags, summary: 'Download the public certificate (PEM) for Entra ID', params: tenantParams, produces: ['application/x-pem-file'] } },
    async (request, reply) =>
      reply
        .header('content-type', 'application/x-pem-file')
        .header('content-disposition', 'attachment; filename="ucr-manager-teams.cer"')
        .send(await teamsCertificatePem(deps, actorOf(request), request.params.tenantId)),
  );

  r.post(
    '/api/tenants/:tenantId/connections/teams/test',
    { config: { access: 'operator' }, schema: { tags, summary: 'Test sign-in, Graph permissions (missing ones named) and reachability', params: tenantParams, response: { 200: connectionCheckSchema } } },
    async (request) => testTeamsConnection(deps, actorOf(request), request.params.tenantId, requestInfo(request)),
  );

  r.post(
    '/api/tenants/:tenantId/teams/sync',
    { config: { access: 'operator' }, schema: { tags, summary: "Read the tenant's users and their voice configuration from Teams", params: tenantParams, response: { 200: z.object({ users: z.number(), removed: z.number() }) } } },
    async (request) => syncTeamsDirectoryFor(deps, actorOf(request), request.params.tenantId, requestInfo(request)),
  );

  r.get(
    '/api/tenants/:tenantId/teams/users',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'Search the synced user directory (name, UPN or number)',
        params: tenantParams,
        querystring: z.object({ search: z.string().max(100).optional(), limit: z.coerce.number().int().min(1).max(200).default(25) }),
        response: { 200: z.object({ users: z.array(teamsUserSchema), directory: directoryFreshnessSchema }) },
      },
    },
    async (request) => openAndSearchDirectory(deps, actorOf(request), request.params.tenantId, request.query.search, request.query.limit),
  );

  r.get(
    '/api/tenants/:tenantId/teams/directory',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: "When the tenant's users were last read from Teams; a stale directory is refreshed in the background (the answer does not wait for it)",
        params: tenantParams,
        response: { 200: directoryFreshnessSchema },
      },
    },
    async (request) => openDirectory(deps, actorOf(request), request.params.tenantId),
  );

  r.get(
    '/api/tenants/:tenantId/teams/users/:userId',
    {
      config: { access: 'viewer' },
      schema: { tags, summary: "One user's voice configuration (live=true reads it from Teams now)", params: userParams, querystring: z.object({ live: z.enum(['true', 'false']).default('false') }), response: { 200: teamsUserSchema } },
    },
    async (request) => getTeamsUser(deps, actorOf(request), request.params.tenantId, request.params.userId, { live: request.query.live === 'true' }),
  );

  r.post(
    '/api/tenants/:tenantId/teams/users/:userId/voice',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Assign, change or remove the number and set policies; answers with the change (pending until Teams confirms)',
        params: userParams,
        body: voiceChangeInput,
        response: { 202: voiceChangeSchema },
      },
    },
    async (request, reply) => reply.status(202).send(await requestVoiceChange(deps, actorOf(request), request.params.tenantId, { userId: request.params.userId, ...request.body }, requestInfo(request))),
  );

  r.get(
    '/api/tenants/:tenantId/voice-changes',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: "The tenant's voice changes, newest first: filter by user, operator, ticket, status and time; paged by nextCursor",
        params: tenantParams,
        querystring: voiceChangeListQuery,
        response: { 200: z.object({ changes: z.array(voiceChangeSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (request) => {
      const q = request.query;
      return listVoiceChanges(deps, actorOf(request), request.params.tenantId, {
        userId: q.userId,
        user: q.user,
        operatorId: q.operator,
        ticketId: q.ticket,
        status: q.status,
        from: q.from,
        to: q.to,
        ids: q.ids,
        cursor: q.cursor === undefined ? undefined : (decodeVoiceChangeCursor(q.cursor) ?? undefined),
        limit: q.limit,
      });
    },
  );

  r.get(
    '/api/tenants/:tenantId/voice-changes/:changeId',
    { config: { access: 'viewer' }, schema: { tags, summary: 'One voice change and its state', params: changeParams, response: { 200: voiceChangeSchema } } },
    async (request) => getVoiceChange(deps, actorOf(request), request.params.tenantId, request.params.changeId),
  );

  r.post(
    '/api/tenants/:tenantId/voice-changes/:changeId/revert',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Put back the number and policies the user had before this change (refused with the reason when the old number was taken)',
        params: changeParams,
        body: z.object({ ticketId: z.string().trim().regex(/^\d{1,12}$/).nullable().optional(), ticketLog: ticketLogChoicesSchema.optional() }).default({}),
        response: { 202: voiceChangeSchema },
      },
    },
    async (request, reply) => reply.status(202).send(await revertVoiceChange(deps, actorOf(request), request.params.tenantId, request.params.changeId, requestInfo(request), request.body.ticketId, request.body.ticketLog)),
  );

  r.get(
    '/api/tenants/:tenantId/teams/policies',
    { config: { access: 'viewer' }, schema: { tags, summary: "The tenant's policy catalog, by type", params: tenantParams, response: { 200: z.object({ types: policyCatalogSchema, refreshedAt: z.string().nullable(), powershellBridge: z.boolean() }) } } },
    async (request) => listTeamsPolicies(deps, actorOf(request), request.params.tenantId),
  );

  r.post(
    '/api/tenants/:tenantId/teams/policies',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Add a policy name to the catalog (checked against the tenant)',
        params: tenantParams,
        body: z.object({ policyType: z.enum(policyTypeNames), name: z.string().trim().min(1).max(200), description: z.string().max(500).optional() }),
        response: { 201: z.object({ id: z.string(), name: z.string(), policyId: z.string().nullable(), source: z.string(), description: z.string() }) },
      },
    },
    async (request, reply) => reply.status(201).send(await addTeamsPolicy(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request))),
  );

  r.post(
    '/api/tenants/:tenantId/teams/policies/refresh',
    {
      config: { access: 'admin' },
      schema: { tags, summary: 'Read every policy of the tenant through the optional PowerShell bridge', params: tenantParams, response: { 200: z.object({ added: z.number(), byType: z.record(z.string(), z.number()), refreshedAt: z.string() }) } },
    },
    async (request) => refreshPoliciesWithPowerShell(deps, actorOf(request), request.params.tenantId, requestInfo(request)),
  );

  reconcileRoutes(app, deps, teamsNumberSource, tags);
}
