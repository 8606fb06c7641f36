import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Knobs } from '../../shared/knobs.ts';
import { requestBaseUrl } from '../../shared/sim-app.ts';
import { authContext, requirePermission } from '../auth.ts';
import { ASSIGNMENT_CATEGORIES, NUMBER_TYPES, PERMISSIONS } from '../catalog.ts';
import type { NumberType } from '../catalog.ts';
import { sendCollection, versionOf } from '../collection.ts';
import { sendGraphError } from '../errors.ts';
import { applyNumberUpdate, startNumberOrder } from '../number-orders.ts';
import type { NumberOrder } from '../number-orders.ts';
import type { GraphState, GraphTenant } from '../state.ts';
import { numberView } from '../views.ts';

const ROOT = '/admin/teams/telephoneNumberManagement';
const PROPERTIES = new Set([
  'id', 'telephoneNumber', 'numberType', 'activationState', 'assignmentStatus', 'assignmentTargetId', 'assignmentCategory', 'isoCountryCode', 'capabilities',
  'locationId', 'civicAddressId', 'networkSiteId', 'operatorId', 'city', 'portInStatus', 'numberSource', 'reverseNumberLookupOptions', 'supportedCustomerActions',
]);

type Body = Record<string, unknown>;

export const NUMBER_PAGING = { mode: 'skip', defaultTop: 500, maxTop: 1000 } as const;

/** Teams accepts numbers with or without the leading +; the inventory keys on E.164 with it. */
function normaliseNumber(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (!/^\+?\d{7,15}$/.test(trimmed)) return null;
  return trimmed.startsWith('+') ? trimmed : `+${trimmed}`;
}

/** Synchronous request validation, as Graph does before it accepts an order; returns an error message. */
function parseOrder(kind: NumberOrder['kind'], body: Body): NumberOrder | string {
  const telephoneNumber = normaliseNumber(body.telephoneNumber);
  if (!telephoneNumber) return "The parameter 'telephoneNumber' is missing or is not a valid telephone number.";
  const order: NumberOrder = { kind, telephoneNumber };
  if (kind !== 'update') {
    if (!NUMBER_TYPES.includes(body.numberType as NumberType)) return `The parameter 'numberType' must be one of ${NUMBER_TYPES.join(', ')}.`;
    order.numberType = body.numberType as NumberType;
  }
  if (kind === 'assign') {
    if (typeof body.assignmentTargetId !== 'string' || body.assignmentTargetId === '') return "The parameter 'assignmentTargetId' is missing.";
    order.assignmentTargetId = body.assignmentTargetId;
    if (body.assignmentCategory !== undefined && !ASSIGNMENT_CATEGORIES.includes(body.assignmentCategory as never))
      return `The parameter 'assignmentCategory' must be one of ${ASSIGNMENT_CATEGORIES.join(', ')}.`;
    order.assignmentCategory = body.assignmentCategory as NumberOrder['assignmentCategory'];
  }
  if (kind === 'assign' && body.locationId !== undefined && body.locationId !== null) order.locationId = String(body.locationId);
  if (kind === 'update') {
    // updateNumber: an empty string clears the value; null or an absent field keeps it (Graph v1.0 "numberAssignment: updateNumber").
    if (body.locationId !== undefined && body.locationId !== null) order.locationId = body.locationId === '' ? null : String(body.locationId);
    if (body.networkSiteId !== undefined && body.networkSiteId !== null) order.networkSiteId = body.networkSiteId === '' ? null : String(body.networkSiteId);
    // The documented parameter is reverseNumberLookupOptions; CONTRACTS.md's reverseNumberLookup is accepted too.
    const options = body.reverseNumberLookupOptions ?? body.reverseNumberLookup;
    if (options !== undefined) {
      if (!Array.isArray(options)) return "The parameter 'reverseNumberLookupOptions' must be an array.";
      order.reverseNumberLookupOptions = options.map(String);
    }
  }
  return order;
}

/**
 * A locationId the tenant's Location Information Service does not have. Graph's documentation of
 * assignNumber and updateNumber does not say how it answers one; the simulator refuses it at
 * once, 400 BadRequest, before any order starts (docs/external-apis.md), and the app's connector
 * passes whatever Graph says on to the operator.
 */
function unknownLocation(tenant: GraphTenant, order: NumberOrder): string | null {
  if (typeof order.locationId !== 'string' || tenant.locations.has(order.locationId)) return null;
  return `The location '${order.locationId}' was not found in the tenant.`;
}

export function registerNumberRoutes(app: FastifyInstance, state: GraphState, knobs: Knobs): void {
  app.get(`${ROOT}/numberAssignments`, async (request, reply) => {
    if (!requirePermission(request, reply, PERMISSIONS.readNumbers)) return reply;
    const records = [...authContext(request).tenant.numbers.values()].map(numberView);
    // "List numberAssignments" (Graph v1.0): $top defaults to 500, at most 1,000; $skip pages; no nextLink.
    return sendCollection(request, reply, records, { contextPath: 'admin/teams/telephoneNumberManagement/numberAssignments', properties: PROPERTIES, paging: NUMBER_PAGING });
  });

  const numberEntity = (request: FastifyRequest, reply: FastifyReply, id: string) => {
    const number = [...authContext(request).tenant.numbers.values()].find((candidate) => candidate.id === id);
    if (!number) return sendGraphError(request, reply, 404, 'NotFound', `Number assignment '${id}' was not found.`);
    return reply.send({ '@odata.context': `${requestBaseUrl(request)}/${versionOf(request)}/$metadata#admin/teams/telephoneNumberManagement/numberAssignments/$entity`, ...numberView(number) });
  };
  app.get<{ Params: { id: string } }>(`${ROOT}/numberAssignments/:id`, async (request, reply) => {
    if (!requirePermission(request, reply, PERMISSIONS.readNumbers)) return reply;
    return numberEntity(request, reply, request.params.id);
  });

  const order = (kind: 'assign' | 'unassign') => async (request: FastifyRequest, reply: FastifyReply) => {
    if (!requirePermission(request, reply, PERMISSIONS.writeNumbers)) return reply;
    const body = (typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body) ? request.body : {}) as Body;
    const parsed = parseOrder(kind, body);
    if (typeof parsed === 'string') return sendGraphError(request, reply, 400, 'BadRequest', parsed);
    const badLocation = unknownLocation(authContext(request).tenant, parsed);
    if (badLocation) return sendGraphError(request, reply, 400, 'BadRequest', badLocation);
    const root = `${requestBaseUrl(request)}/${versionOf(request)}${ROOT}`;
    const skip = knobs.skipNextOrders > 0;
    if (skip) knobs.skipNextOrders -= 1;
    const operation = startNumberOrder(state, authContext(request).tenant, { ...parsed, kind }, knobs.operationDelayMs, { number: (id) => `${root}/numberAssignments/${id}` }, { skip });
    return reply.code(202).header('location', `${root}/operations('${operation.id}')`).send();
  };
  app.post(`${ROOT}/numberAssignments/assignNumber`, order('assign'));
  app.post(`${ROOT}/numberAssignments/unassignNumber`, order('unassign'));
  // updateNumber is synchronous: 200 OK with no body once the number carries the new values
  // (Graph v1.0 "numberAssignment: updateNumber", every example answers HTTP/1.1 200 OK).
  app.post(`${ROOT}/numberAssignments/updateNumber`, async (request, reply) => {
    if (!requirePermission(request, reply, PERMISSIONS.writeNumbers)) return reply;
    const body = (typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body) ? request.body : {}) as Body;
    const parsed = parseOrder('update', body);
    if (typeof parsed === 'string') return sendGraphError(request, reply, 400, 'BadRequest', parsed);
    const badLocation = unknownLocation(authContext(request).tenant, parsed);
    if (badLocation) return sendGraphError(request, reply, 400, 'BadRequest', badLocation);
    const failure = applyNumberUpdate(authContext(request).tenant, parsed);
    if (failure) return sendGraphError(request, reply, 404, 'NotFound', failure);
    return reply.code(200).send();
  });

  const operationEntity = (request: FastifyRequest, reply: FastifyReply, id: string) => {
    const operation = authContext(request).tenant.operations.get(id);
    if (!operation) return sendGraphError(request, reply, 404, 'NotFound', `Operation '${id}' was not found.`);
    return reply.send({
      '@odata.context': `${requestBaseUrl(request)}/${versionOf(request)}/$metadata#admin/teams/telephoneNumberManagement/operations/$entity`,
      id: operation.id,
      createdDateTime: operation.createdDateTime,
      status: operation.status,
      numbers: operation.numbers.map((number) => ({ ...number })),
    });
  };
  app.get<{ Params: { id: string } }>(`${ROOT}/operations/:id`, async (request, reply) => {
    if (!requirePermission(request, reply, PERMISSIONS.readNumbers)) return reply;
    return operationEntity(request, reply, request.params.id);
  });
  // OData key syntax, as Graph's Location header uses it: operations('{id}'), numberAssignments('{id}').
  app.get<{ Params: { segment: string } }>(`${ROOT}/:segment`, async (request, reply) => {
    const keyed = /^(operations|numberAssignments)\('([^']+)'\)$/.exec(request.params.segment);
    if (!keyed) return sendGraphError(request, reply, 400, 'BadRequest', `Resource not found for the segment '${request.params.segment}'.`);
    if (!requirePermission(request, reply, PERMISSIONS.readNumbers)) return reply;
    return keyed[1] === 'operations' ? operationEntity(request, reply, keyed[2] ?? '') : numberEntity(request, reply, keyed[2] ?? '');
  });
}
