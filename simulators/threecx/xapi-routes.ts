import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestBaseUrl } from '../shared/sim-app.ts';
import { checkBearer } from './auth-routes.ts';
import { fieldError, sendODataError } from './errors.ts';
import { sendODataCollection } from './odata-query.ts';
import { userDefaults, VM_EMAIL_OPTIONS } from './state.ts';
import type { PbxUser, ThreeCxState, Trunk } from './state.ts';

// The XAPI under /xapi/v1/: OData keys in parentheses (Users(12)) do not suit Fastify's router,
// so one catch-all route dispatches on the path here.

const USER_WRITABLE = new Set(['Number', 'FirstName', 'LastName', 'DisplayName', 'EmailAddress', 'Mobile', 'OutboundCallerID', 'Language', 'Require2FA', 'SendEmailMissedCalls', 'VMEmailOptions', 'Enabled', 'Groups', 'AuthID']);
const TRUNK_WRITABLE = new Set(['Gateway', 'AuthID', 'ExternalNumber', 'SimultaneousCalls', 'Direction', 'DidNumbers']);
const VM_OPTIONS = new Set<string>(VM_EMAIL_OPTIONS);

type Body = Record<string, unknown>;
const asBody = (value: unknown): Body => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Body) : {});

function unknownProperty(reply: FastifyReply, body: Body, writable: ReadonlySet<string>, typeName: string): FastifyReply | null {
  const extra = Object.keys(body).find((key) => !writable.has(key) && key !== 'Id' && !key.startsWith('@odata.'));
  return extra ? sendODataError(reply, 400, `The property '${extra}' does not exist on type '${typeName}'. Make sure to only use property names that are defined by the type.`) : null;
}

/** The first invalid user field as [field, WARNINGS key], or null when the values are acceptable. */
function userProblem(state: ThreeCxState, values: Partial<PbxUser>, selfId: number | null): [string, string] | null {
  if (values.Number !== undefined) {
    if (typeof values.Number !== 'string' || !/^\d{2,10}$/.test(values.Number)) return ['Number', 'INVALID_EXTENSION_NUMBER'];
    const taken = state.users.some((user) => user.Number === values.Number && user.Id !== selfId) || state.trunks.some((trunk) => trunk.Number === values.Number);
    if (taken) return ['Number', 'ALREADY_IN_USE'];
  }
  if (values.EmailAddress !== undefined && values.EmailAddress !== '' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(values.EmailAddress))) return ['EmailAddress', 'INVALID_EMAIL'];
  if (values.VMEmailOptions !== undefined && !VM_OPTIONS.has(String(values.VMEmailOptions))) return ['VMEmailOptions', 'INVALID_VALUE'];
  return null;
}

function createUser(state: ThreeCxState, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const body = asBody(request.body);
  const unknown = unknownProperty(reply, body, USER_WRITABLE, 'Pbx.User');
  if (unknown) return unknown;
  if (body.Number === undefined || body.Number === '') return fieldError(reply, 'Number', 'REQUIRED');
  const problem = userProblem(state, body as Partial<PbxUser>, null);
  if (problem) return fieldError(reply, ...problem);
  const user: PbxUser = { ...userDefaults(state.nextUserId(), String(body.Number)), ...(body as Partial<PbxUser>) };
  if (!body.DisplayName) user.DisplayName = `${user.FirstName} ${user.LastName}`.trim();
  state.users.push(user);
  const location = `${requestBaseUrl(request)}/xapi/v1/Users(${user.Id})`;
  return reply.code(201).header('location', location).send({ '@odata.context': `${requestBaseUrl(request)}/xapi/v1/$metadata#Users/$entity`, ...user });
}

function patchUser(state: ThreeCxState, request: FastifyRequest, reply: FastifyReply, user: PbxUser): FastifyReply {
  const body = asBody(request.body);
  const unknown = unknownProperty(reply, body, USER_WRITABLE, 'Pbx.User');
  if (unknown) return unknown;
  // An extension's number is fixed once created (3cx/xapi-tutorial src/users.spec.ts "Should not
  // allow to change number"). The test only shows a refusal; its text is not documented, so the
  // simulator answers the swagger's ODataError shape naming the field.
  if (body.Number !== undefined && body.Number !== user.Number) return fieldError(reply, 'Number', 'INVALID_VALUE');
  const problem = userProblem(state, body as Partial<PbxUser>, user.Id);
  if (problem) return fieldError(reply, ...problem);
  const { Id: _ignored, ...changes } = body;
  Object.assign(user, changes);
  return reply.code(204).send();
}

function patchTrunk(state: ThreeCxState, request: FastifyRequest, reply: FastifyReply, trunk: Trunk): FastifyReply {
  const body = asBody(request.body);
  const unknown = unknownProperty(reply, body, TRUNK_WRITABLE, 'Pbx.Trunk');
  if (unknown) return unknown;
  if (body.DidNumbers !== undefined) {
    if (!Array.isArray(body.DidNumbers) || body.DidNumbers.some((did) => typeof did !== 'string' || !/^\+?\d{3,15}$/.test(did))) return fieldError(reply, 'DidNumbers', 'INVALID_VALUE');
    const elsewhere = new Set(state.trunks.filter((other) => other.Id !== trunk.Id).flatMap((other) => other.DidNumbers));
    if ((body.DidNumbers as string[]).some((did) => elsewhere.has(did))) return fieldError(reply, 'DidNumbers', 'ALREADY_IN_USE');
  }
  const { Id: _ignored, ...changes } = body;
  Object.assign(trunk, changes);
  return reply.code(204).send();
}

/**
 * Users/Pbx.BatchDelete as V20's swagger.yaml has it: body `{ "ids": [int] }` (lower-case), answer
 * 200 with `value: [UserDeleteError { ExtensionNumber, Error }]` for each user not deleted.
 */
function batchDelete(state: ThreeCxState, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const body = asBody(request.body);
  const unknown = Object.keys(body).find((key) => key !== 'ids');
  if (unknown) return sendODataError(reply, 400, `The parameter '${unknown}' does not exist on action 'BatchDelete'.`);
  const ids = body.ids;
  if (!Array.isArray(ids) || ids.some((id) => !Number.isInteger(id))) return sendODataError(reply, 400, "The parameter 'ids' is missing or invalid.");
  const errors: Array<{ ExtensionNumber: string; Error: string }> = [];
  const doomed = new Set<number>();
  for (const user of state.users) {
    if (!ids.includes(user.Id)) continue;
    const refusal = state.undeletable.get(user.Number);
    if (refusal) errors.push({ ExtensionNumber: user.Number, Error: refusal });
    else doomed.add(user.Id);
  }
  state.users = state.users.filter((user) => !doomed.has(user.Id));
  return reply.code(200).send({ '@odata.context': `${requestBaseUrl(request)}/xapi/v1/$metadata#Collection(Pbx.UserDeleteError)`, value: errors });
}

function entity(request: FastifyRequest, reply: FastifyReply, set: string, record: object | undefined): FastifyReply {
  if (!record) return sendODataError(reply, 404, `No ${set === 'Users' ? 'user' : 'trunk'} with the given key was found.`);
  return reply.send({ '@odata.context': `${requestBaseUrl(request)}/xapi/v1/$metadata#${set}/$entity`, ...record });
}

function methodNotAllowed(reply: FastifyReply, method: string, allow: string): FastifyReply {
  return reply.header('allow', allow).code(405).send({ error: { code: '', message: `The requested resource does not support http method '${method}'.` } });
}

/**
 * The SystemStatus singleton (V20 swagger.yaml `/SystemStatus`, operationId GetSystemStatus;
 * 3cx/xapi-tutorial src/system-information.spec.ts "Show system status"). The simulator fills the
 * Pbx.SystemStatus fields it can know; the counts come from its own users and trunks (phones do
 * not register with the simulator, so an enabled user counts as registered, an online trunk too).
 */
function systemStatus(state: ThreeCxState, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.send({
    '@odata.context': `${requestBaseUrl(request)}/xapi/v1/$metadata#SystemStatus`,
    Id: 0,
    FQDN: state.fqdn,
    Version: state.version,
    Activated: true,
    MaxSimCalls: 16,
    ExtensionsRegistered: state.users.filter((user) => user.Enabled !== false).length,
    ExtensionsTotal: state.users.length,
    UserExtensions: state.users.length,
    TrunksRegistered: state.trunks.filter((trunk) => trunk.IsOnline !== false).length,
    TrunksTotal: state.trunks.length,
    CallsActive: 0,
    OS: 'Linux',
  });
}

export function registerXapiRoutes(app: FastifyInstance, state: ThreeCxState): void {
  app.all('/xapi/v1/*', async (request, reply) => {
    if (!checkBearer(state, request, reply)) return reply;
    const path = (request.params as { '*': string })['*'];
    const method = request.method;
    const keyed = /^(Users|Trunks)\((\d+)\)$/.exec(path);

    if (path === 'Users' && method === 'GET') return sendODataCollection(request, reply, 'Users', 'Pbx.User', state.users as unknown as Array<Record<string, unknown>>);
    if (path === 'Users' && method === 'POST') return createUser(state, request, reply);
    if (path === 'Users/Pbx.BatchDelete' && method === 'POST') return batchDelete(state, request, reply);
    if (path === 'SystemStatus') return method === 'GET' ? systemStatus(state, request, reply) : methodNotAllowed(reply, method, 'GET');
    if (path === 'Trunks' && method === 'GET') return sendODataCollection(request, reply, 'Trunks', 'Pbx.Trunk', state.trunks as unknown as Array<Record<string, unknown>>);
    if (keyed) {
      const id = Number(keyed[2]);
      const record = keyed[1] === 'Users' ? state.users.find((user) => user.Id === id) : state.trunks.find((trunk) => trunk.Id === id);
      if (method === 'GET') return entity(request, reply, keyed[1] ?? '', record);
      if (method === 'PATCH') {
        if (!record) return entity(request, reply, keyed[1] ?? '', record);
        return keyed[1] === 'Users' ? patchUser(state, request, reply, record as PbxUser) : patchTrunk(state, request, reply, record as Trunk);
      }
      return methodNotAllowed(reply, method, 'GET, PATCH');
    }
    if (path === 'DidNumbers') {
      // DIDs belong to a trunk; the XAPI lists them but offers no way to create one on its own.
      if (method !== 'GET') return methodNotAllowed(reply, method, 'GET');
      // Pbx.DidNumber of V20's swagger.yaml: Number, TrunkId, TemplateFileName, RoutingRule (no TrunkNumber).
      const records = state.trunks.flatMap((trunk) => trunk.DidNumbers.map((number) => ({ Number: number, TrunkId: trunk.Id, TemplateFileName: null })));
      return sendODataCollection(request, reply, 'DidNumbers', 'Pbx.DidNumber', records);
    }
    return sendODataError(reply, 404, `No HTTP resource was found that matches the request URI '${request.url}'.`);
  });
}
