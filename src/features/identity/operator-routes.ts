import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../kernel/deps.ts';
import {
  approveOperator,
  createOperator,
  getOperator,
  listOperators,
  resetOperatorMfa,
  resetOperatorPassword,
  signOutEverywhere,
  unlockOperator,
  updateOperator,
} from './operators.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { emailSchema, idParam } from '../../http/schemas.ts';
import { operatorSchema, roleSchema } from './schemas.ts';

const scopeFields = {
  allTenants: z.boolean(),
  tenantIds: z.array(z.string().uuid('must be tenant ids')).max(1000),
};

export function operatorRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['operators'];
  const admin = { access: 'admin' as const };

  r.get('/api/operators', { config: admin, schema: { tags, summary: 'All operators', response: { 200: z.object({ operators: z.array(operatorSchema) }) } } }, async () => ({
    operators: await listOperators(deps),
  }));

  r.get(
    '/api/operators/:id',
    { config: admin, schema: { tags, summary: 'One operator', params: idParam, response: { 200: operatorSchema.extend({ recoveryCodesLeft: z.number() }) } } },
    async (request) => getOperator(deps, request.params.id),
  );

  r.post(
    '/api/operators',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Create an operator; the temporary password is in this answer only',
        description:
          'The tenant scope must be chosen: `allTenants: true` for every tenant, or `tenantIds` with the tenants the operator may work in (`[]` for none yet). Naming both, or neither, is refused with 400.',
        body: z.object({ email: emailSchema, displayName: z.string().trim().min(1, 'is required').max(120), role: roleSchema, allTenants: scopeFields.allTenants.optional(), tenantIds: scopeFields.tenantIds.optional() }),
        response: { 201: z.object({ operator: operatorSchema, temporaryPassword: z.string() }) },
      },
    },
    async (request, reply) => reply.status(201).send(await createOperator(deps, actorOf(request), request.body, requestInfo(request))),
  );

  r.patch(
    '/api/operators/:id',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Change name, role, status or tenant scope',
        description: '`tenantIds` alone limits the operator to exactly those tenants; `allTenants: true` gives every tenant and may not come with tenant ids.',
        params: idParam,
        body: z
          .object({ displayName: z.string().trim().min(1).max(120), role: roleSchema, status: z.enum(['active', 'disabled']), connectwiseMember: z.string().trim().min(1).max(60).nullable(), ...scopeFields })
          .partial()
          .refine((b) => Object.keys(b).length > 0, 'nothing to change'),
        response: { 200: operatorSchema },
      },
    },
    async (request) => updateOperator(deps, actorOf(request), request.params.id, request.body, requestInfo(request)),
  );

  r.post(
    '/api/operators/:id/approve',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Approve an operator waiting after first Entra ID sign-in, with a role and (optionally) their tenants; they start with none',
        params: idParam,
        body: z.object({ role: roleSchema, allTenants: scopeFields.allTenants.optional(), tenantIds: scopeFields.tenantIds.optional() }),
        response: { 200: operatorSchema },
      },
    },
    async (request) => approveOperator(deps, actorOf(request), request.params.id, request.body.role, requestInfo(request), request.body),
  );

  r.post(
    '/api/operators/:id/reset-mfa',
    { config: admin, schema: { tags, summary: "Remove an operator's authenticator and recovery codes", params: idParam, response: { 200: operatorSchema } } },
    async (request) => resetOperatorMfa(deps, actorOf(request), request.params.id, requestInfo(request)),
  );

  r.post(
    '/api/operators/:id/reset-password',
    { config: admin, schema: { tags, summary: 'Set a new temporary password, shown once', params: idParam, response: { 200: z.object({ temporaryPassword: z.string() }) } } },
    async (request) => resetOperatorPassword(deps, actorOf(request), request.params.id, requestInfo(request)),
  );

  r.post(
    '/api/operators/:id/unlock',
    { config: admin, schema: { tags, summary: 'Lift a sign-in lockout', params: idParam, response: { 200: operatorSchema } } },
    async (request) => unlockOperator(deps, actorOf(request), request.params.id, requestInfo(request)),
  );

  r.post(
    '/api/operators/:id/sign-out-everywhere',
    { config: admin, schema: { tags, summary: "End all of an operator's sessions", params: idParam, response: { 200: z.object({ sessionsEnded: z.number() }) } } },
    async (request) => signOutEverywhere(deps, actorOf(request), request.params.id, requestInfo(request)),
  );
}
