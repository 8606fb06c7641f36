import type { FastifyInstance } from 'fastify';
import { authContext, requirePermission } from '../auth.ts';
import { PERMISSIONS } from '../catalog.ts';
import { sendCollection, versionOf } from '../collection.ts';
import { sendGraphError } from '../errors.ts';
import { userConfigurationView } from '../views.ts';
import { applySelect, parseSelect, ODataQueryError } from '../../shared/odata-filter.ts';
import { requestBaseUrl } from '../../shared/sim-app.ts';

const PROPERTIES = new Set(['id', 'userPrincipalName', 'tenantId', 'accountType', 'isEnterpriseVoiceEnabled', 'featureTypes', 'telephoneNumbers', 'effectivePolicyAssignments', 'createdDateTime', 'modifiedDateTime']);

export function registerUserConfigurationRoutes(app: FastifyInstance): void {
  app.get('/admin/teams/userConfigurations', async (request, reply) => {
    if (!requirePermission(request, reply, PERMISSIONS.readUserConfigurations)) return reply;
    const { tenant } = authContext(request);
    // Only accounts hosted in Teams have a configuration (guests and the like are ineligible but listed).
    const records = [...tenant.users.values()].map((user) => userConfigurationView(tenant, user));
    return sendCollection(request, reply, records, { contextPath: 'admin/teams/userConfigurations', properties: PROPERTIES });
  });

  app.get<{ Params: { id: string } }>('/admin/teams/userConfigurations/:id', async (request, reply) => {
    if (!requirePermission(request, reply, PERMISSIONS.readUserConfigurations)) return reply;
    const { tenant } = authContext(request);
    const user = tenant.users.get(request.params.id);
    if (!user) return sendGraphError(request, reply, 404, 'NotFound', `User configuration for '${request.params.id}' was not found.`);
    let select: string[] | null;
    try {
      select = parseSelect((request.query as Record<string, string | undefined>).$select, PROPERTIES);
    } catch (error) {
      if (error instanceof ODataQueryError) return sendGraphError(request, reply, 400, 'BadRequest', error.message);
      throw error;
    }
    return {
      '@odata.context': `${requestBaseUrl(request)}/${versionOf(request)}/$metadata#admin/teams/userConfigurations/$entity`,
      ...applySelect(userConfigurationView(tenant, user), select),
    };
  });
}
