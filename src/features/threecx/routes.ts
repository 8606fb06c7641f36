import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ticketLogChoicesSchema } from '../kernel/ticket-work.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { deleteThreeCxConnection, getThreeCxConnection, saveThreeCxConnection, testThreeCxConnection } from './connection.ts';
import { threeCxNumberSource } from './reconcile.ts';
import { reconcileRoutes } from '../numbers/reconcile/routes.ts';
import { createDid, deleteDid, getTrunk, listDids, listTrunks, updateDid, updateTrunk } from './trunks.ts';
import { threeCxSystem } from './system.ts';
import { createExtension, deleteExtension, getExtension, listExtensionChanges, listExtensions, renumberExtension, revertExtensionChange, updateExtension } from './users.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { tenantParams } from '../../http/schemas.ts';
import {
  changeParams,
  changeSchema,
  connectionTestSchema,
  createExtensionInput,
  didParams,
  didSchema,
  extensionParams,
  extensionSchema,
  renumberExtensionInput,
  threeCxConnectionInput,
  threeCxConnectionSchema,
  threeCxSystemSchema,
  ticketId,
  trunkInput,
  trunkParams,
  trunkSchema,
  updateExtensionInput,
} from './schemas.ts';

export function threeCxRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['3cx'];

  r.get(
    '/api/tenants/:tenantId/connections/threecx',
    { config: { access: 'viewer' }, schema: { tags, summary: 'The 3CX connection (secrets are never returned)', params: tenantParams, response: { 200: threeCxConnectionSchema } } },
    async (request) => getThreeCxConnection(deps, actorOf(request), request.params.tenantId),
  );

  r.put(
    '/api/tenants/:tenantId/connections/threecx',
    { config: { access: 'admin' }, schema: { tags, summary: 'Save the PBX and its API client or admin sign-in (a secret left out keeps the stored one)', params: tenantParams, body: threeCxConnectionInput, response: { 200: threeCxConnectionSchema } } },
    async (request) => saveThreeCxConnection(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request)),
  );

  r.delete(
    '/api/tenants/:tenantId/connections/threecx',
    { config: { access: 'admin' }, schema: { tags, summary: 'Delete the 3CX connection and its secrets (audited); answers the now empty connection', params: tenantParams, response: { 200: threeCxConnectionSchema } } },
    async (request) => deleteThreeCxConnection(deps, actorOf(request), request.params.tenantId, requestInfo(request)),
  );

  r.post(
    '/api/tenants/:tenantId/connections/threecx/test',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: "Sign in and read the PBX; an admin with 2FA gives the current code here to open a session",
        params: tenantParams,
        body: z.object({ securityCode: z.string().trim().regex(/^[0-9A-Za-z]{4,12}$/, 'must be the 2FA code').optional() }).optional(),
        response: { 200: connectionTestSchema },
      },
    },
    async (request) => testThreeCxConnection(deps, actorOf(request), request.params.tenantId, { securityCode: request.body?.securityCode }, requestInfo(request)),
  );

  r.get(
    '/api/tenants/:tenantId/threecx/extensions',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'Extensions of the PBX, searched and paged on the PBX, with the inventory DID each holds',
        params: tenantParams,
        querystring: z.object({ search: z.string().trim().max(100).optional(), page: z.coerce.number().int().min(1).default(1), pageSize: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ extensions: z.array(extensionSchema), total: z.number(), page: z.number(), pageSize: z.number() }) },
      },
    },
    async (request) => listExtensions(deps, actorOf(request), request.params.tenantId, request.query),
  );

  r.post(
    '/api/tenants/:tenantId/threecx/extensions',
    { config: { access: 'operator' }, schema: { tags, summary: 'Create an extension, optionally with a DID from the inventory', params: tenantParams, body: createExtensionInput, response: { 201: extensionSchema } } },
    async (request, reply) => reply.code(201).send(await createExtension(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request))),
  );

  r.get(
    '/api/tenants/:tenantId/threecx/extensions/:extensionId',
    { config: { access: 'viewer' }, schema: { tags, summary: 'One extension', params: extensionParams, response: { 200: extensionSchema } } },
    async (request) => getExtension(deps, actorOf(request), request.params.tenantId, request.params.extensionId),
  );

  r.patch(
    '/api/tenants/:tenantId/threecx/extensions/:extensionId',
    { config: { access: 'operator' }, schema: { tags, summary: 'Update an extension; a changed DID goes through the inventory lifecycle', params: extensionParams, body: updateExtensionInput, response: { 200: extensionSchema } } },
    async (request) => updateExtension(deps, actorOf(request), request.params.tenantId, request.params.extensionId, request.body, requestInfo(request)),
  );

  r.post(
    '/api/tenants/:tenantId/threecx/extensions/:extensionId/renumber',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Give an extension another number: 3CX cannot change a number, so the new extension is created, the DID moved to it and the old one deleted (undone if 3CX refuses)', params: extensionParams, body: renumberExtensionInput, response: { 200: extensionSchema } },
    },
    async (request) => renumberExtension(deps, actorOf(request), request.params.tenantId, request.params.extensionId, request.body, requestInfo(request)),
  );

  r.delete(
    '/api/tenants/:tenantId/threecx/extensions/:extensionId',
    { config: { access: 'operator' }, schema: { tags, summary: "Delete an extension; its DID is released (cooling for the tenant's days)", params: extensionParams, querystring: z.object({ ticketId }), response: { 200: z.object({ deleted: extensionSchema }) } } },
    async (request) => deleteExtension(deps, actorOf(request), request.params.tenantId, request.params.extensionId, { ticketId: request.query.ticketId }, requestInfo(request)),
  );

  r.get(
    '/api/tenants/:tenantId/threecx/changes',
    { config: { access: 'viewer' }, schema: { tags, summary: 'Recent 3CX changes of the tenant, newest first', params: tenantParams, querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }), response: { 200: z.object({ changes: z.array(changeSchema) }) } } },
    async (request) => ({ changes: await listExtensionChanges(deps, actorOf(request), request.params.tenantId, request.query.limit) }),
  );

  r.post(
    '/api/tenants/:tenantId/threecx/changes/:changeId/revert',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Revert an extension change (update, deletion or creation)', params: changeParams, body: z.object({ ticketId, ticketLog: ticketLogChoicesSchema.optional() }).optional(), response: { 200: z.union([extensionSchema, z.object({ deleted: extensionSchema })]) } },
    },
    async (request) => revertExtensionChange(deps, actorOf(request), request.params.tenantId, request.params.changeId, { ticketId: request.body?.ticketId, ticketLog: request.body?.ticketLog }, requestInfo(request)),
  );

  r.get(
    '/api/tenants/:tenantId/threecx/dids',
    { config: { access: 'viewer' }, schema: { tags, summary: "The PBX's DIDs with the extension using each and its inventory record", params: tenantParams, response: { 200: z.object({ dids: z.array(didSchema), consoleUrl: z.string().nullable() }) } } },
    async (request) => listDids(deps, actorOf(request), request.params.tenantId),
  );

  r.post(
    '/api/tenants/:tenantId/threecx/dids',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Ask 3CX to create a DID (v20 answers 405: the answer explains where to add it instead)',
        params: tenantParams,
        body: z.object({ number: z.string().trim().min(3).max(30), trunkId: z.number().int().positive(), ticketId }),
        response: { 201: z.object({ created: z.literal(true), number: z.string(), trunkId: z.number() }) },
      },
    },
    async (request, reply) => reply.code(201).send(await createDid(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request))),
  );

  r.patch(
    '/api/tenants/:tenantId/threecx/dids/:did',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Move a DID to another trunk or correct its number', params: didParams, body: z.object({ number: z.string().trim().min(3).max(30).optional(), trunkId: z.number().int().positive().optional(), ticketId, ticketLog: ticketLogChoicesSchema.optional() }), response: { 200: trunkSchema } },
    },
    async (request) => updateDid(deps, actorOf(request), request.params.tenantId, request.params.did, request.body, requestInfo(request)),
  );

  r.delete(
    '/api/tenants/:tenantId/threecx/dids/:did',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: "Delete a DID: 3CX has no delete for a DID, so it is taken off its trunk's DidNumbers (refused while it is an extension's caller id)",
        params: didParams,
        body: z.object({ ticketId, ticketLog: ticketLogChoicesSchema.optional() }).optional(),
        response: { 200: trunkSchema },
      },
    },
    async (request) => deleteDid(deps, actorOf(request), request.params.tenantId, request.params.did, { ticketId: request.body?.ticketId, ticketLog: request.body?.ticketLog }, requestInfo(request)),
  );

  r.get(
    '/api/tenants/:tenantId/threecx/system',
    { config: { access: 'viewer' }, schema: { tags, summary: "The PBX's version (SystemStatus) and how many extensions, trunks and DIDs it holds", params: tenantParams, response: { 200: threeCxSystemSchema } } },
    async (request) => threeCxSystem(deps, actorOf(request), request.params.tenantId),
  );

  r.get(
    '/api/tenants/:tenantId/threecx/trunks',
    { config: { access: 'viewer' }, schema: { tags, summary: 'The SIP trunks of the PBX', params: tenantParams, response: { 200: z.object({ trunks: z.array(trunkSchema) }) } } },
    async (request) => ({ trunks: await listTrunks(deps, actorOf(request), request.params.tenantId) }),
  );

  r.get(
    '/api/tenants/:tenantId/threecx/trunks/:trunkId',
    { config: { access: 'viewer' }, schema: { tags, summary: 'One trunk', params: trunkParams, response: { 200: trunkSchema } } },
    async (request) => getTrunk(deps, actorOf(request), request.params.tenantId, request.params.trunkId),
  );

  r.patch(
    '/api/tenants/:tenantId/threecx/trunks/:trunkId',
    { config: { access: 'operator' }, schema: { tags, summary: 'Update the fields 3CX allows on a trunk: external number, simultaneous calls, direction, DID list', params: trunkParams, body: trunkInput, response: { 200: trunkSchema } } },
    async (request) => updateTrunk(deps, actorOf(request), request.params.tenantId, request.params.trunkId, request.body, requestInfo(request)),
  );

  reconcileRoutes(app, deps, threeCxNumberSource, tags);
}
