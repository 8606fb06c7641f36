import type { FastifyInstance } from 'fastify';
import { authContext, requirePermission } from '../auth.ts';
import { PERMISSIONS, SERVICE_PLANS, SKUS, skuNameById, type SkuName } from '../catalog.ts';
import { versionOf } from '../collection.ts';
import { sendGraphError } from '../errors.ts';
import { consumedUnits, findUser, type GraphTenant } from '../state.ts';
import { userView } from '../views.ts';
import { requestBaseUrl } from '../../shared/sim-app.ts';

/**
 * Licences, as Microsoft Graph documents them:
 * - subscribedSku (learn.microsoft.com/graph/api/resources/subscribedsku): skuId, skuPartNumber,
 *   appliesTo, capabilityStatus, consumedUnits ("the number of licenses that have been assigned"),
 *   prepaidUnits (licenseUnitsDetail: enabled, suspended, warning, lockedOut) and servicePlans
 *   (servicePlanInfo: servicePlanId, servicePlanName, provisioningStatus, appliesTo).
 * - user: assignLicense (learn.microsoft.com/graph/api/user-assignlicense): POST
 *   /users/{id | userPrincipalName}/assignLicense with addLicenses (assignedLicense: skuId,
 *   disabledPlans) and removeLicenses (skuIds), both required; 200 OK with the user.
 * - Update user (learn.microsoft.com/graph/api/user-update): PATCH usageLocation, 204 No Content.
 *   usageLocation is "required for users that are assigned licenses" — a user without one cannot be licensed.
 * The error wordings are those Graph sends for these cases as seen in the field (e.g. "License assignment
 * cannot be done for user with invalid usage location."); the pages do not list them.
 */
function skuView(tenant: GraphTenant, sku: SkuName): Record<string, unknown> {
  const info = SKUS[sku];
  return {
    id: `${tenant.id}_${info.skuId}`,
    accountId: tenant.id,
    accountName: tenant.domain,
    appliesTo: 'User',
    capabilityStatus: 'Enabled',
    consumedUnits: consumedUnits(tenant, sku),
    prepaidUnits: { enabled: tenant.subscriptions.get(sku)?.enabled ?? 0, suspended: 0, warning: 0, lockedOut: 0 },
    servicePlans: info.servicePlans.map((plan) => ({ servicePlanId: SERVICE_PLANS[plan], servicePlanName: plan, provisioningStatus: 'Success', appliesTo: 'User' })),
    skuId: info.skuId,
    skuPartNumber: info.skuPartNumber,
  };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerLicenceRoutes(app: FastifyInstance): void {
  app.get('/subscribedSkus', async (request, reply) => {
    if (!requirePermission(request, reply, PERMISSIONS.readLicences)) return reply;
    const { tenant } = authContext(request);
    return { '@odata.context': `${requestBaseUrl(request)}/${versionOf(request)}/$metadata#subscribedSkus`, value: [...tenant.subscriptions.keys()].map((sku) => skuView(tenant, sku)) };
  });

  app.post<{ Params: { id: string }; Body: unknown }>('/users/:id/assignLicense', async (request, reply) => {
    if (!requirePermission(request, reply, PERMISSIONS.assignLicences)) return reply;
    const { tenant } = authContext(request);
    const user = findUser(tenant, request.params.id);
    if (!user) return sendGraphError(request, reply, 404, 'Request_ResourceNotFound', `Resource '${request.params.id}' does not exist or one of its queried reference-property objects are not present.`);
    const body = (request.body ?? {}) as { addLicenses?: unknown; removeLicenses?: unknown };
    if (!Array.isArray(body.addLicenses) || !Array.isArray(body.removeLicenses)) return sendGraphError(request, reply, 400, 'Request_BadRequest', 'Invalid value specified for property \'addLicenses\' or \'removeLicenses\' of resource \'User\'.');
    const add: SkuName[] = [];
    for (const entry of body.addLicenses as Array<{ skuId?: unknown }>) {
      const skuId = typeof entry?.skuId === 'string' ? entry.skuId : '';
      if (!GUID.test(skuId)) return sendGraphError(request, reply, 400, 'Request_BadRequest', `Invalid value specified for property 'skuId' of resource 'AssignedLicense'.`);
      const sku = skuNameById(skuId);
      if (!sku || !tenant.subscriptions.has(sku)) return sendGraphError(request, reply, 400, 'Request_BadRequest', `License ${skuId} does not correspond to a valid company License.`);
      add.push(sku);
    }
    const remove: SkuName[] = [];
    for (const skuId of body.removeLicenses as unknown[]) {
      const sku = typeof skuId === 'string' ? skuNameById(skuId) : undefined;
      if (!sku || !user.licenses.includes(sku)) return sendGraphError(request, reply, 400, 'Request_BadRequest', `User does not have a corresponding license.`);
      remove.push(sku);
    }
    if (add.length && !user.usageLocation) return sendGraphError(request, reply, 400, 'Request_BadRequest', 'License assignment cannot be done for user with invalid usage location.');
    for (const sku of add) {
      if (user.licenses.includes(sku)) continue;
      if (consumedUnits(tenant, sku) >= (tenant.subscriptions.get(sku)?.enabled ?? 0)) return sendGraphError(request, reply, 400, 'Request_BadRequest', `Subscription ${SKUS[sku].skuId} does not have any available licenses.`);
    }
    user.licenses = [...user.licenses.filter((sku) => !remove.includes(sku)), ...add.filter((sku) => !user.licenses.includes(sku))];
    user.modifiedDateTime = new Date().toISOString();
    return { '@odata.context': `${requestBaseUrl(request)}/${versionOf(request)}/$metadata#users/$entity`, ...userView(user) };
  });

  app.patch<{ Params: { id: string }; Body: unknown }>('/users/:id', async (request, reply) => {
    if (!requirePermission(request, reply, PERMISSIONS.writeUsers)) return reply;
    const { tenant } = authContext(request);
    const user = findUser(tenant, request.params.id);
    if (!user) return sendGraphError(request, reply, 404, 'Request_ResourceNotFound', `Resource '${request.params.id}' does not exist or one of its queried reference-property objects are not present.`);
    const body = (request.body ?? {}) as Record<string, unknown>;
    if ('usageLocation' in body) {
      const value = body.usageLocation;
      if (value !== null && (typeof value !== 'string' || !/^[A-Z]{2}$/.test(value))) return sendGraphError(request, reply, 400, 'Request_BadRequest', `Invalid value specified for property 'usageLocation' of resource 'User'.`);
      user.usageLocation = value as string | null;
    }
    user.modifiedDateTime = new Date().toISOString();
    return reply.code(204).send();
  });
}
