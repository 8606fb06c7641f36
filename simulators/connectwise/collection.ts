import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestBaseUrl } from '../shared/sim-app.ts';
import { compileConditions, ConditionsError } from './conditions.ts';
import { sendCwError } from './errors.ts';

// Listing as Manage does it: conditions, orderBy, fields, page/pageSize (default 25, max 1000)
// and a Link header with rel="first"/"prev"/"next"/"last".

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 1000;

type Query = Record<string, string | undefined>;

function readPath(record: unknown, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** A field is known when some record of the collection has its top-level key (nested parts may be null). */
function knownFieldChecker(records: readonly object[], extra: readonly string[]): (path: string[]) => boolean {
  const keys = new Set<string>(extra);
  for (const record of records.slice(0, 50)) for (const key of Object.keys(record)) keys.add(key);
  return (path) => keys.has(path[0] ?? '');
}

/** `fields=id,board/name`: keeps only those (nested) fields. */
export function project(record: object, fields: string[][]): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const path of fields) {
    const value = readPath(record, path);
    if (value === undefined) continue;
    let target = result;
    path.slice(0, -1).forEach((segment) => {
      target[segment] = (target[segment] as Record<string, unknown> | undefined) ?? {};
      target = target[segment] as Record<string, unknown>;
    });
    target[path[path.length - 1] ?? ''] = value;
  }
  return result;
}

function comparator(orderBy: string): (a: object, b: object) => number {
  const keys = orderBy.split(',').map((part) => {
    const [field = '', direction = 'asc'] = part.trim().split(/\s+/);
    if (!/^(asc|desc)$/i.test(direction) || !field) throw new ConditionsError(`Invalid orderBy '${orderBy}'.`);
    return { path: field.split('/'), sign: direction.toLowerCase() === 'desc' ? -1 : 1 };
  });
  return (a, b) => {
    for (const key of keys) {
      const [x, y] = [readPath(a, key.path), readPath(b, key.path)];
      if (x === y) continue;
      if (x === undefined || x === null) return -key.sign;
      if (y === undefined || y === null) return key.sign;
      const order = typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y) : (x as number) < (y as number) ? -1 : 1;
      if (order !== 0) return order * key.sign;
    }
    return 0;
  };
}

function pageLink(request: FastifyRequest, page: number, rel: string): string {
  const [path = '', queryString = ''] = request.url.split('?');
  const kept = queryString.split('&').filter((part) => part && !/^page=/i.test(part));
  return `<${requestBaseUrl(request)}${path}?${[...kept, `page=${page}`].join('&')}>; rel="${rel}"`;
}

/** Filters, sorts, projects and pages `records`, answering Manage's 400 for a bad query. */
export function sendList(request: FastifyRequest, reply: FastifyReply, records: readonly object[], extraFields: readonly string[] = []): FastifyReply {
  const query = request.query as Query;
  let items = [...records];
  try {
    if (query.conditions) items = items.filter(compileConditions(query.conditions, knownFieldChecker(records, extraFields)));
    items.sort(comparator(query.orderBy ?? query.orderby ?? 'id asc'));
  } catch (error) {
    if (error instanceof ConditionsError) return sendCwError(reply, 400, 'InvalidObject', error.message, [{ code: 'InvalidCondition', message: error.message, resource: 'conditions', field: 'conditions' }]);
    throw error;
  }
  const page = query.page === undefined ? 1 : Number(query.page);
  const requestedSize = query.pageSize === undefined ? DEFAULT_PAGE_SIZE : Number(query.pageSize);
  if (!Number.isInteger(page) || page < 1) return sendCwError(reply, 400, 'InvalidObject', 'page must be a whole number of 1 or more');
  if (!Number.isInteger(requestedSize) || requestedSize < 1) return sendCwError(reply, 400, 'InvalidObject', 'pageSize must be a whole number of 1 or more');
  // Manage silently caps pageSize at 1000.
  const pageSize = Math.min(requestedSize, MAX_PAGE_SIZE);
  const lastPage = Math.max(1, Math.ceil(items.length / pageSize));
  const links: string[] = [];
  if (page > 1) links.push(pageLink(request, 1, 'first'), pageLink(request, page - 1, 'prev'));
  if (page < lastPage) links.push(pageLink(request, page + 1, 'next'), pageLink(request, lastPage, 'last'));
  if (links.length > 0) reply.header('link', links.join(', '));
  const fields = query.fields ? query.fields.split(',').map((field) => field.trim().split('/')) : null;
  const slice = items.slice((page - 1) * pageSize, page * pageSize);
  return reply.send(fields ? slice.map((item) => project(item, fields)) : slice);
}
