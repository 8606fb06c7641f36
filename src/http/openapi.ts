import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { Access } from '../core/roles.ts';

type TransformInput = Parameters<typeof jsonSchemaTransform>[0];
type JsonSchemaRecord = Record<string, unknown>;

/** The one error shape of every route (see plugins/error-handler.ts). */
const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string', description: 'Stable machine-readable code, e.g. validation_failed, not_found, token_read_only' },
        message: { type: 'string', description: 'What went wrong, written for a person' },
        details: { description: 'Extra data for some codes; validation_failed has { fields: [{ field, message }] }' },
        requestId: { type: 'string', description: 'Also in the x-request-id header and the server log' },
      },
    },
  },
};

// Always JSON, also on routes that answer a file on success.
const errorResponses = {
  '4XX': { description: 'Refused: bad input (400), not signed in (401), not allowed (403), not found or out of scope (404), conflict (409), too many attempts (429)', content: { 'application/json': { schema: errorBody } } },
  '5XX': { description: 'Unexpected error; the details are in the server log under the request id', content: { 'application/json': { schema: errorBody } } },
};

const accessNotes: Record<Access, string> = {
  public: 'Access: public (no authentication).',
  session: 'Access: any session, also one still waiting for its MFA code.',
  self: 'Access: any signed-in operator, for their own account.',
  viewer: 'Access: viewer, operator or admin (read-only API tokens are enough for GET).',
  operator: 'Access: operator or admin, with a read-write API token or a session.',
  admin: 'Access: admin, with a read-write API token or a session.',
};

/**
 * Turns the zod route schemas into OpenAPI (fastify-type-provider-zod) and adds what the zod
 * schemas cannot say: which credentials a route takes (from its declared access level), the
 * shared error shape, and the raw CSV/PEM bodies of upload and download routes. Documentation
 * only: nothing here changes how a request is validated or answered.
 */
export function openApiTransform(input: TransformInput): ReturnType<typeof jsonSchemaTransform> {
  const result = jsonSchemaTransform(input);
  const schema = { ...(result.schema as JsonSchemaRecord) };
  if (schema.hide) return result;
  const config = (input.route.config ?? {}) as { access?: Access; sessionOnly?: boolean };
  const access = config.access ?? 'public';

  if (access === 'public') schema.security = [];
  else if (config.sessionOnly) schema.security = [{ session: [] }];

  const notes = [accessNotes[access], config.sessionOnly ? 'Needs a signed-in browser session: API tokens cannot do this.' : undefined];
  schema.description = [schema.description, ...notes].filter(Boolean).join('\n\n');

  const consumes = schema.consumes as string[] | undefined;
  if (consumes && !schema.body) schema.body = { type: 'string', description: `The file itself as the request body (${consumes.join(' or ')})` };

  const response = { ...((schema.response as JsonSchemaRecord | undefined) ?? {}) };
  const produces = schema.produces as string[] | undefined;
  if (produces && !Object.keys(response).some((code) => code.startsWith('2'))) {
    response['200'] = { description: 'The file', content: Object.fromEntries(produces.map((type) => [type, { schema: { type: 'string' } }])) };
  }
  schema.response = { ...response, ...errorResponses };
  return { ...result, schema };
}
