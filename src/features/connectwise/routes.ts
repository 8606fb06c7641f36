import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deleteConnectWiseConnection, getConnectWiseConnection, saveConnectWiseConnection, searchTenantTickets, testConnectWiseConnection, ticketStatuses } from './connection.ts';
import { boardStatusChoices, connectWiseChoices, connectWiseMembers } from './lists.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { retryTicketLog } from './ticket-logger.ts';
import { ticketLogOptions, ticketWorkLogger } from './ticket-choices.ts';
import { registerTicketWorkLogger } from '../kernel/ticket-work.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { tenantParams } from '../../http/schemas.ts';
import { connectionSchema, defaultsSchema } from './schemas.ts';

export function connectWiseRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['connectwise'];
  // 3CX changes and number lifecycle actions log on tickets through the kernel's slot for the logger.
  registerTicketWorkLogger(ticketWorkLogger);

  r.get(
    '/api/tenants/:tenantId/connections/connectwise',
    { config: { access: 'viewer' }, schema: { tags, summary: 'The ConnectWise connection and ticket defaults (the private key is never returned)', params: tenantParams, response: { 200: connectionSchema } } },
    async (request) => getConnectWiseConnection(deps, actorOf(request), request.params.tenantId),
  );

  r.put(
    '/api/tenants/:tenantId/connections/connectwise',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Save the API member keys and the ticket defaults',
        params: tenantParams,
        body: z.object({
          site: z.string().trim().min(3).max(200),
          companyId: z.string().trim().min(1).max(100),
          publicKey: z.string().trim().min(1).max(200),
          privateKey: z.string().min(1).max(200).optional(),
          clientId: z.string().trim().min(1).max(100),
          baseUrl: z.string().url().optional(),
          defaults: defaultsSchema.partial().optional(),
        }),
        response: { 200: connectionSchema },
      },
    },
    async (request) => saveConnectWiseConnection(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request)),
  );

  r.delete(
    '/api/tenants/:tenantId/connections/connectwise',
    { config: { access: 'admin' }, schema: { tags, summary: 'Delete the ConnectWise connection and its private key (audited); answers the now empty connection', params: tenantParams, response: { 200: connectionSchema } } },
    async (request) => deleteConnectWiseConnection(deps, actorOf(request), request.params.tenantId, requestInfo(request)),
  );

  r.post(
    '/api/tenants/:tenantId/connections/connectwise/test',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Test the keys and the company mapping', params: tenantParams, response: { 200: z.object({ ok: z.boolean(), steps: z.array(z.object({ name: z.string(), ok: z.boolean(), message: z.string() })) }) } },
    },
    async (request) => testConnectWiseConnection(deps, actorOf(request), request.params.tenantId, requestInfo(request)),
  );

  r.get(
    '/api/tenants/:tenantId/connectwise/tickets',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: "Search the tenant's tickets (its mapped company and boards)",
        params: tenantParams,
        querystring: z.object({ search: z.string().max(100).optional(), ticketId: z.coerce.number().int().positive().optional(), openOnly: z.enum(['true', 'false']).default('true') }),
        response: {
          200: z.object({
            tickets: z.array(z.object({ id: z.number(), summary: z.string(), board: z.object({ id: z.number(), name: z.string() }).nullable(), status: z.object({ id: z.number(), name: z.string() }).nullable(), company: z.string().nullable(), closed: z.boolean() })),
          }),
        },
      },
    },
    async (request) => ({ tickets: await searchTenantTickets(deps, actorOf(request), request.params.tenantId, { text: request.query.search, ticketId: request.query.ticketId, openOnly: request.query.openOnly === 'true' }) }),
  );

  r.get(
    '/api/tenants/:tenantId/connectwise/tickets/:ticketId/statuses',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'The statuses this ticket may be moved to: not closed, not inactive, time entry allowed',
        params: tenantParams.extend({ ticketId: z.coerce.number().int().positive() }),
        response: { 200: z.object({ current: z.object({ id: z.number(), name: z.string() }).nullable(), offered: z.array(z.object({ id: z.number(), name: z.string() })) }) },
      },
    },
    async (request) => ticketStatuses(deps, actorOf(request), request.params.tenantId, request.params.ticketId),
  );

  const choice = z.object({ id: z.number(), name: z.string() });
  r.get(
    '/api/tenants/:tenantId/connectwise/choices',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'Active boards, work roles and work types as ConnectWise returns them: the choices for the ticket defaults',
        params: tenantParams,
        response: { 200: z.object({ boards: z.array(choice), workRoles: z.array(choice), workTypes: z.array(choice.extend({ billTime: z.string().nullable() })) }) },
      },
    },
    async (request) => connectWiseChoices(deps, actorOf(request), request.params.tenantId),
  );

  r.get(
    '/api/tenants/:tenantId/connectwise/boards/:boardId/statuses',
    {
      config: { access: 'viewer' },
      schema: { tags, summary: "A board's statuses a ticket may be moved to: not closed, not inactive, time entry allowed", params: tenantParams.extend({ boardId: z.coerce.number().int().positive() }), response: { 200: z.object({ statuses: z.array(choice) }) } },
    },
    async (request) => ({ statuses: await boardStatusChoices(deps, actorOf(request), request.params.tenantId, request.params.boardId) }),
  );

  r.get(
    '/api/tenants/:tenantId/connectwise/tickets/:ticketId/log-options',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: "What a change form offers for logging on this ticket: its board's open statuses, active work roles, types and members, with your remembered choices or the tenant's defaults",
        params: tenantParams.extend({ ticketId: z.coerce.number().int().positive() }),
        response: {
          200: z.object({
            ticket: z.object({ id: z.number(), summary: z.string(), board: choice.nullable(), status: choice.nullable() }),
            statuses: z.array(choice),
            workRoles: z.array(choice),
            workTypes: z.array(choice),
            members: z.array(z.object({ identifier: z.string(), name: z.string() })),
            tenantMinutes: z.number().nullable().describe("The tenant's default minutes; null: the time the change took"),
            defaults: z.object({ minutes: z.number().nullable(), statusId: z.number().nullable(), workRoleId: z.number().nullable(), workTypeId: z.number().nullable(), member: z.string().nullable() }),
          }),
        },
      },
    },
    async (request) => ticketLogOptions(deps, actorOf(request), request.params.tenantId, request.params.ticketId),
  );

  r.get(
    '/api/connectwise/members',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Active ConnectWise members of the Manage sites tenants are connected to, for mapping operators',
        querystring: z.object({ search: z.string().max(60).optional() }),
        response: { 200: z.object({ sites: z.number(), members: z.array(z.object({ identifier: z.string(), name: z.string() })), problems: z.array(z.string()) }) },
      },
    },
    async (request) => connectWiseMembers(deps, request.query.search),
  );

  r.post(
    '/api/tenants/:tenantId/voice-changes/:changeId/ticket-log/retry',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Try the ticket logging of a change again after it failed (steps already done are not repeated)', params: tenantParams.extend({ changeId: z.string().uuid() }), response: { 202: z.object({ ok: z.literal(true) }) } },
    },
    async (request, reply) => {
      await retryTicketLog(deps, actorOf(request), request.params.tenantId, request.params.changeId, requestInfo(request));
      return reply.status(202).send({ ok: true as const });
    },
  );
}
