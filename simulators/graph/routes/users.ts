import type { FastifyInstance } from 'fastify';
import { authContext, requirePermission } from '../auth.ts';
import { PERMISSIONS } from '../catalog.ts';
import { sendCollection, versionOf } from '../collection.ts';
import { sendGraphError } from '../errors.ts';
import { findUser } from '../state.ts';
import { USER_DEFAULT_PROPERTIES, userView } from '../views.ts';
import { applySelect, parseSelect, ODataQueryError } from '../../shared/odata-filter.ts';
import { requestBaseUrl } from '../../shared/sim-app.ts';

const USER_PROPERTIES = new Set(['id', 'userPrincipalName', 'displayName', 'givenName', 'surname', 'mail', 'jobTitle', 'accountEnabled', 'usageLocation', 'assignedLicenses', 'createdDateTime', 'businessPhones', 'mobilePhone', 'officeLocation', 'preferredLanguage']);
const SEARCHABLE = new Set(['displayName', 'userPrincipalName', 'mail', 'givenName', 'surname']);

/** `$search="displayName:ada" OR "mail:ada"`: word-prefix matching like the directory's tokenized search. */
function compileSearch(text: string): ((record: Record<string, unknown>) => boolean) | string {
  const clauses = text.split(/\s+(?:OR|AND)\s+/);
  const joiner = /\s+AND\s+/.test(text) ? 'and' : 'or';
  const tests: Array<(record: Record<string, unknown>) => boolean> = [];
  for (const clause of clauses) {
    const match = /^"([A-Za-z]+):([^"]*)"$/.exec(clause.trim());
    if (!match || !SEARCHABLE.has(match[1] ?? '')) return `Syntax error: character '${clause.trim()[0] ?? ''}' is not valid in $search '${text}'.`;
    const [property = '', term = ''] = [match[1], match[2]?.toLowerCase()];
    tests.push((record) => {
      const value = String(record[property] ?? '').toLowerCase();
      return value.startsWith(term) || value.split(/[\s.@_-]+/).some((word) => word.startsWith(term));
    });
  }
  return (record) => (joiner === 'and' ? tests.every((test) => test(record)) : tests.some((test) => test(record)));
}

export function registerUserRoutes(app: FastifyInstance): void {
  app.get('/users', async (request, reply) => {
    if (!requirePermission(request, reply, PERMISSIONS.readUsers)) return reply;
    const { tenant } = authContext(request);
    const query = request.query as Record<string, string | undefined>;
    const eventual = request.headers.consistencylevel === 'eventual';
    // Advanced query capabilities need ConsistencyLevel: eventual, as on the real directory.
    if (query.$search !== undefined && !eventual)
      return sendGraphError(request, reply, 400, 'Request_UnsupportedQuery', "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");
    if (query.$filter && !eventual && /\b(endswith|ne|not)\b/i.test(query.$filter)) return sendGraphError(request, reply, 400, 'Request_UnsupportedQuery', 'Unsupported or invalid query filter clause specified for property.');
    if (query.$count === 'true' && !eventual) return sendGraphError(request, reply, 400, 'Request_BadRequest', '$count is not currently supported.');
    let extraFilter: ((record: Record<string, unknown>) => boolean) | undefined;
    if (query.$search !== undefined) {
      const search = compileSearch(query.$search);
      if (typeof search === 'string') return sendGraphError(request, reply, 400, 'Request_UnsupportedQuery', search);
      extraFilter = search;
    }
    const records = [...tenant.users.values()].map(userView);
    return sendCollection(request, reply, records, { contextPath: 'users', properties: USER_PROPERTIES, defaultSelect: USER_DEFAULT_PROPERTIES, extraFilter, withCount: query.$count === 'true' });
  });

  app.get<{ Params: { id: string } }>('/users/:id', async (request, reply) => {
    if (!requirePermission(request, reply, PERMISSIONS.readUsers)) return reply;
    const user = findUser(authContext(request).tenant, request.params.id);
    if (!user) return sendGraphError(request, reply, 404, 'Request_ResourceNotFound', `Resource '${request.params.id}' does not exist or one of its queried reference-property objects are not present.`);
    const query = request.query as Record<string, string | undefined>;
    let select: string[] | null;
    try {
      select = parseSelect(query.$select, USER_PROPERTIES) ?? USER_DEFAULT_PROPERTIES;
    } catch (error) {
      if (error instanceof ODataQueryError) return sendGraphError(request, reply, 400, 'BadRequest', error.message);
      throw error;
    }
    return { '@odata.context': `${requestBaseUrl(request)}/${versionOf(request)}/$metadata#users/$entity`, ...applySelect(userView(user), select) };
  });
}
