import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppDeps } from '../kernel/deps.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { tenantParams } from '../../http/schemas.ts';
import { voiceChangeSchema } from '../teams/schemas.ts';
import { getResourceAccountJob, startResourceAccountJob } from './create-resource-account.ts';
import { assignResourceAccountNumber, removeResourceAccountNumber } from './resource-account-numbers.ts';
import { newResourceAccountBody, removeResourceAccountNumberBody, resourceAccountJobParams, resourceAccountJobSchema, resourceAccountNumberBody, resourceAccountParams } from './resource-account-schemas.ts';

/** The write side of voice apps: creating resource accounts and their service numbers. */
export function resourceAccountRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['voice-apps'];

  r.post(
    '/api/tenants/:tenantId/voice-apps/resource-accounts',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Create a resource account (PowerShell bridge): one durable job — create, wait for Graph, usage location and licence, number, association. UPN, licence pool, number and target are checked first; a refusal creates nothing',
        params: tenantParams,
        body: newResourceAccountBody,
        response: { 202: resourceAccountJobSchema },
      },
    },
    async (request, reply) => reply.status(202).send(await startResourceAccountJob(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request))),
  );

  r.get(
    '/api/tenants/:tenantId/voice-apps/resource-accounts/jobs/:jobId',
    { config: { access: 'viewer' }, schema: { tags, summary: 'A resource account creation job and its steps', params: resourceAccountJobParams, response: { 200: resourceAccountJobSchema } } },
    async (request) => getResourceAccountJob(deps, actorOf(request), request.params.tenantId, request.params.jobId),
  );

  r.post(
    '/api/tenants/:tenantId/voice-apps/resource-accounts/:objectId/number',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Assign a service number from the inventory to a resource account, as a voice change (pending until Teams confirms; revert it like any voice change)',
        params: resourceAccountParams,
        body: resourceAccountNumberBody,
        response: { 202: voiceChangeSchema },
      },
    },
    async (request, reply) => reply.status(202).send(await assignResourceAccountNumber(deps, actorOf(request), request.params.tenantId, request.params.objectId, request.body, requestInfo(request))),
  );

  r.delete(
    '/api/tenants/:tenantId/voice-apps/resource-accounts/:objectId/number',
    {
      config: { access: 'operator' },
      schema: { tags, summary: "Remove a resource account's number, as a voice change (the number rests in cooling)", params: resourceAccountParams, body: removeResourceAccountNumberBody, response: { 202: voiceChangeSchema } },
    },
    async (request, reply) => reply.status(202).send(await removeResourceAccountNumber(deps, actorOf(request), request.params.tenantId, request.params.objectId, request.body ?? {}, requestInfo(request))),
  );
}
