import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../kernel/deps.ts';
import { createSite, listSites, updateSite } from './sites.ts';
import { resolveMicrosoftTenant } from './microsoft-tenant.ts';
import { createTenant, getTenant, listTenants, setTenantStatus, updateTenant } from './tenants.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { loginBaseUrl, resolvedMicrosoftTenantSchema, siteParams, siteSchema, tenantInput, tenantSchema } from './schemas.ts';
import { tenantParams } from '../../http/schemas.ts';

export function tenantRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['tenants'];

  r.get(
    '/api/tenants',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'Tenants in your scope',
        querystring: z.object({ includeArchived: z.enum(['true', 'false']).default('false') }),
        response: { 200: z.object({ tenants: z.array(tenantSchema) }) },
      },
    },
    async (request) => ({ tenants: await listTenants(deps, actorOf(request), { includeArchived: request.query.includeArchived === 'true' }) }),
  );

  r.post(
    '/api/tenants',
    { config: { access: 'admin' }, schema: { tags, summary: 'Create a tenant', body: tenantInput, response: { 201: tenantSchema } } },
    async (request, reply) => reply.status(201).send(await createTenant(deps, actorOf(request), request.body, requestInfo(request))),
  );

  r.post(
    '/api/tenants/resolve-microsoft-tenant',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Look up a Microsoft tenant by tenant id or verified domain (its OpenID configuration); stores nothing",
        body: z.object({ tenant: z.string().trim().min(1, 'is required').max(300), loginBaseUrl: loginBaseUrl.optional() }),
        response: { 200: resolvedMicrosoftTenantSchema },
      },
    },
    async (request) => resolveMicrosoftTenant(deps, request.body),
  );

  r.get(
    '/api/tenants/:tenantId',
    { config: { access: 'viewer' }, schema: { tags, summary: 'One tenant with its effective feature flags', params: tenantParams, response: { 200: tenantSchema } } },
    async (request) => getTenant(deps, actorOf(request), request.params.tenantId),
  );

  r.patch(
    '/api/tenants/:tenantId',
    {
      config: { access: 'admin' },
      schema: { tags, summary: 'Change a tenant; null overrides fall back to the global defaults', params: tenantParams, body: tenantInput.partial(), response: { 200: tenantSchema } },
    },
    async (request) => updateTenant(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request)),
  );

  for (const [path, status] of [
    ['archive', 'archived'],
    ['restore', 'active'],
  ] as const) {
    r.post(
      `/api/tenants/:tenantId/${path}`,
      { config: { access: 'admin' }, schema: { tags, summary: `${path === 'archive' ? 'Archive' : 'Restore'} a tenant`, params: tenantParams, response: { 200: tenantSchema } } },
      async (request) => setTenantStatus(deps, actorOf(request), request.params.tenantId, status, requestInfo(request)),
    );
  }

  r.get(
    '/api/tenants/:tenantId/sites',
    { config: { access: 'viewer' }, schema: { tags, summary: "A tenant's sites", params: tenantParams, response: { 200: z.object({ sites: z.array(siteSchema) }) } } },
    async (request) => ({ sites: await listSites(deps, actorOf(request), request.params.tenantId) }),
  );

  r.post(
    '/api/tenants/:tenantId/sites',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Add a site', params: tenantParams, body: z.object({ name: z.string().trim().min(1, 'is required').max(120), address: z.string().max(500).optional() }), response: { 201: siteSchema } },
    },
    async (request, reply) => reply.status(201).send(await createSite(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request))),
  );

  r.patch(
    '/api/tenants/:tenantId/sites/:siteId',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Rename a site or change its address', params: siteParams, body: z.object({ name: z.string().trim().min(1).max(120), address: z.string().max(500) }).partial(), response: { 200: siteSchema } },
    },
    async (request) => updateSite(deps, actorOf(request), request.params.tenantId, request.params.siteId, request.body, requestInfo(request)),
  );
}
