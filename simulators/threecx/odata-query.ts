import type { FastifyReply, FastifyRequest } from 'fastify';
import { applySelect, compileFilter, compileOrderBy, ODataQueryError, parseSelect } from '../shared/odata-filter.ts';
import { requestBaseUrl } from '../shared/sim-app.ts';
import { sendODataError } from './errors.ts';

// XAPI collection answers: $filter, $orderby, $skip, $top, $select, $count=true.

type Query = Record<string, string | undefined>;

export function sendODataCollection(request: FastifyRequest, reply: FastifyReply, entitySet: string, typeName: string, records: Array<Record<string, unknown>>): FastifyReply {
  const query = request.query as Query;
  const properties = new Set(Object.keys(records[0] ?? {}));
  let items = records;
  let select: string[] | null;
  try {
    if (query.$filter) items = items.filter(compileFilter(query.$filter, { allowedProperties: properties }));
    if (query.$orderby) items = [...items].sort(compileOrderBy(query.$orderby, properties));
    select = parseSelect(query.$select, properties);
  } catch (error) {
    if (error instanceof ODataQueryError) return sendODataError(reply, 400, `The query specified in the URI is not valid. ${error.message.replace('on type', `on type '${typeName}'`)}`);
    throw error;
  }
  const skip = query.$skip === undefined ? 0 : Number(query.$skip);
  const top = query.$top === undefined ? items.length : Number(query.$top);
  if (!Number.isInteger(skip) || skip < 0 || !Number.isInteger(top) || top < 0) return sendODataError(reply, 400, 'The query specified in the URI is not valid. $top and $skip must be non-negative integers.');
  const body: Record<string, unknown> = { '@odata.context': `${requestBaseUrl(request)}/xapi/v1/$metadata#${entitySet}${query.$select ? `(${query.$select})` : ''}` };
  if (query.$count === 'true') body['@odata.count'] = items.length;
  body.value = items.slice(skip, skip + top).map((item) => applySelect(item, select));
  return reply.send(body);
}
