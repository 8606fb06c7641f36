import type { FastifyReply, FastifyRequest } from 'fastify';
import { applySelect, compileFilter, compileOrderBy, ODataQueryError, parseSelect } from '../shared/odata-filter.ts';
import { requestBaseUrl } from '../shared/sim-app.ts';
import { sendGraphError } from './errors.ts';

// One listing path for every Graph collection: $filter, $orderby, $select, $top, and either
// opaque $skiptoken paging with absolute @odata.nextLink URLs (users, userConfigurations) or
// $top/$skip paging without any nextLink (numberAssignments), and optional @odata.count.

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

/**
 * How a collection pages. `skiptoken`: server-driven, @odata.nextLink on every page but the last.
 * `skip`: client-driven `$top`/`$skip` only, as "List numberAssignments" documents it (default 500,
 * at most 1,000 per query, Example 3 `?$top=100&$skip=200`) with no @odata.nextLink at all.
 */
export type Paging = { mode: 'skiptoken' } | { mode: 'skip'; defaultTop: number; maxTop: number };

type Query = Record<string, string | undefined>;

export interface CollectionOptions {
  /** The @odata.context fragment, e.g. "users" or "admin/teams/userConfigurations". */
  contextPath: string;
  properties: ReadonlySet<string>;
  /** Properties returned when there is no $select (default: all). */
  defaultSelect?: readonly string[];
  /** Extra predicate (e.g. $search) applied before paging. */
  extraFilter?: (record: Record<string, unknown>) => boolean;
  withCount?: boolean;
  /** Default: skiptoken paging, 100 per page, at most 999. */
  paging?: Paging;
}

const encodeSkipToken = (offset: number): string => Buffer.from(`ucrsim:${offset}:${(offset * 2654435761) % 1000003}`).toString('base64url');

function decodeSkipToken(token: string): number | null {
  const match = /^ucrsim:(\d+):(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match) return null;
  const offset = Number(match[1]);
  return (offset * 2654435761) % 1000003 === Number(match[2]) ? offset : null;
}

export function versionOf(request: FastifyRequest): string {
  return request.url.startsWith('/beta') ? 'beta' : 'v1.0';
}

/** Sends a page of the collection, or the Graph error for a bad query. */
export function sendCollection(request: FastifyRequest, reply: FastifyReply, records: Array<Record<string, unknown>>, options: CollectionOptions): FastifyReply {
  const query = request.query as Query;
  let items = records;
  let select: string[] | null;
  try {
    if (query.$filter) items = items.filter(compileFilter(query.$filter, { caseInsensitive: true, allowedProperties: options.properties }));
    if (options.extraFilter) items = items.filter(options.extraFilter);
    if (query.$orderby) items = [...items].sort(compileOrderBy(query.$orderby, options.properties));
    select = parseSelect(query.$select, options.properties) ?? (options.defaultSelect ? [...options.defaultSelect] : null);
  } catch (error) {
    if (error instanceof ODataQueryError) return sendGraphError(request, reply, 400, 'BadRequest', error.message);
    throw error;
  }
  const paging = options.paging ?? { mode: 'skiptoken' };
  if (paging.mode === 'skip') return sendSkipPage(request, reply, items, select, paging, options);
  const top = query.$top === undefined ? DEFAULT_PAGE_SIZE : Number(query.$top);
  if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE_SIZE)
    return sendGraphError(request, reply, 400, 'Request_BadRequest', `Invalid page size specified: '${query.$top}'. Must be between 1 and ${MAX_PAGE_SIZE} inclusive.`);
  const offset = query.$skiptoken === undefined ? 0 : decodeSkipToken(query.$skiptoken);
  if (offset === null) return sendGraphError(request, reply, 400, 'Request_BadRequest', 'Invalid paging token.');

  const base = requestBaseUrl(request);
  const version = versionOf(request);
  const page = items.slice(offset, offset + top).map((item) => applySelect(item, select));
  const body: Record<string, unknown> = { '@odata.context': `${base}/${version}/$metadata#${options.contextPath}${query.$select ? `(${query.$select})` : ''}` };
  if (options.withCount) body['@odata.count'] = items.length;
  if (offset + top < items.length) {
    // Keep the caller's query verbatim (as Graph does) and swap in the new $skiptoken.
    const [path = '', queryString = ''] = request.url.split('?');
    const kept = queryString.split('&').filter((part) => part && !/^(\$|%24)skiptoken=/i.test(part));
    body['@odata.nextLink'] = `${base}${path}?${[...kept, `$skiptoken=${encodeSkipToken(offset + top)}`].join('&')}`;
  }
  body.value = page;
  return reply.send(body);
}

/** `$top`/`$skip` paging (both spellings of the documented `$Top`/`$Skip`); never a nextLink. */
function sendSkipPage(request: FastifyRequest, reply: FastifyReply, items: Array<Record<string, unknown>>, select: string[] | null, paging: Extract<Paging, { mode: 'skip' }>, options: CollectionOptions): FastifyReply {
  const query = request.query as Query;
  const rawTop = query.$top ?? query.$Top;
  const rawSkip = query.$skip ?? query.$Skip;
  const top = rawTop === undefined ? paging.defaultTop : Number(rawTop);
  if (!/^\d+$/.test(rawTop ?? '1') || !Number.isInteger(top) || top < 1 || top > paging.maxTop)
    return sendGraphError(request, reply, 400, 'BadRequest', `Invalid value '${rawTop}' for $top: at most ${paging.maxTop} entries are allowed per query.`);
  const skip = rawSkip === undefined ? 0 : Number(rawSkip);
  if (!/^\d+$/.test(rawSkip ?? '0') || !Number.isInteger(skip)) return sendGraphError(request, reply, 400, 'BadRequest', `Invalid value '${rawSkip}' for $skip: it must be a whole number of entries.`);
  const body: Record<string, unknown> = { '@odata.context': `${requestBaseUrl(request)}/${versionOf(request)}/$metadata#${options.contextPath}${query.$select ? `(${query.$select})` : ''}` };
  if (options.withCount) body['@odata.count'] = items.length;
  body.value = items.slice(skip, skip + top).map((item) => applySelect(item, select));
  return reply.send(body);
}
