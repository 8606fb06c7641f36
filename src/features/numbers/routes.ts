import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Readable } from 'node:stream';
import { ValidationError } from '../../core/errors.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { allocateNextNumber } from './number-allocator.ts';
import { deleteNumber, runBulkAction } from './number-bulk.ts';
import { exportNumbersCsv } from './number-export.ts';
import { importNumbers } from './number-import.ts';
import { createRange, getRange, listRanges } from './number-ranges.ts';
import { addNumber, getNumber, lifecycleAction, numberFacets, numberHistory, updateNumberAttributes } from './numbers.ts';
import { listNumbers } from './numbers-query.ts';
import { tenantUtilisation } from './utilisation.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { allocateBody, auditListSchema, bulkBody, bulkReportSchema, importReportSchema, kindSchema, lifecycleBody, numberAttributesBody, numberFilterQuery, numberPageQuery, numberParams, numberSchema, rangeParams, rangeSchema } from './schemas.ts';
import { tenantParams } from '../../http/schemas.ts';

const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

export function numberRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['numbers'];

  // CSV bodies reach the import as a stream, so a large file is parsed as it arrives.
  app.addContentTypeParser(['text/csv', 'application/csv'], { bodyLimit: MAX_IMPORT_BYTES }, (_request, payload, done) => done(null, payload));

  r.get(
    '/api/tenants/:tenantId/ranges',
    { config: { access: 'viewer' }, schema: { tags, summary: 'Ranges with counts by status', params: tenantParams, response: { 200: z.object({ ranges: z.array(rangeSchema) }) } } },
    async (request) => ({ ranges: await listRanges(deps, actorOf(request), request.params.tenantId) }),
  );

  r.post(
    '/api/tenants/:tenantId/ranges',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Create a range: start with end or count (all its numbers are created, as available), or a pattern such as +1555123xxxx (its numbers are created as they are allocated)',
        params: tenantParams,
        body: z
          .object({
            name: z.string().trim().min(1, 'is required').max(120),
            start: z.string().trim().min(1, 'is required').max(40).optional(),
            end: z.string().trim().max(40).optional(),
            pattern: z.string().trim().min(1, 'is required').max(40).optional().describe('+, the fixed digits, then an x for each free digit (at most 8), such as +1555123xxxx'),
            count: z.number().int().min(1).max(100_000).optional(),
            kind: kindSchema,
            carrier: z.string().trim().max(100).optional(),
            siteId: z.string().uuid().nullable().optional(),
          })
          .refine((b) => (b.pattern ? !b.start && !b.end && !b.count : Boolean(b.start) && Boolean(b.end) !== Boolean(b.count)), 'give start with either end or count, or a pattern alone'),
        response: { 201: rangeSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await createRange(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request))),
  );

  r.get(
    '/api/tenants/:tenantId/ranges/:rangeId',
    { config: { access: 'viewer' }, schema: { tags, summary: 'One range with its utilisation', params: rangeParams, response: { 200: rangeSchema } } },
    async (request) => getRange(deps, actorOf(request), request.params.tenantId, request.params.rangeId),
  );

  r.get(
    '/api/tenants/:tenantId/numbers',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'Search, filter and page through numbers (keyset paging: pass `next` as `after`)',
        params: tenantParams,
        querystring: numberPageQuery,
        response: { 200: z.object({ numbers: z.array(numberSchema), next: z.string().nullable(), total: z.number().optional() }) },
      },
    },
    async (request) => listNumbers(deps, actorOf(request), request.params.tenantId, request.query),
  );

  r.post(
    '/api/tenants/:tenantId/numbers',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Add one number by hand',
        params: tenantParams,
        body: z.object({ number: z.string().trim().min(1, 'is required').max(40), kind: kindSchema }).merge(numberAttributesBody.omit({ kind: true })),
        response: { 201: numberSchema },
      },
    },
    async (request, reply) => reply.status(201).send(await addNumber(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request))),
  );

  r.get(
    '/api/tenants/:tenantId/numbers/facets',
    { config: { access: 'viewer' }, schema: { tags, summary: 'Carriers and tags in use, for filters', params: tenantParams, response: { 200: z.object({ carriers: z.array(z.string()), tags: z.array(z.string()) }) } } },
    async (request) => numberFacets(deps, actorOf(request), request.params.tenantId),
  );

  r.get(
    '/api/tenants/:tenantId/numbers/export',
    {
      config: { access: 'viewer' },
      schema: { tags, summary: 'The filtered view as CSV (streamed; spreadsheet-safe)', params: tenantParams, querystring: numberFilterQuery, produces: ['text/csv'] },
    },
    async (request, reply) => {
      const { stream, fileName } = await exportNumbersCsv(deps, actorOf(request), request.params.tenantId, request.query, requestInfo(request));
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName}"`).send(stream);
    },
  );

  r.post(
    '/api/tenants/:tenantId/numbers/import',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Import numbers from CSV (body: text/csv). mode=preview checks every row; mode=apply imports all or nothing',
        params: tenantParams,
        querystring: z.object({ mode: z.enum(['preview', 'apply']).default('preview'), fileName: z.string().max(200).optional() }),
        consumes: ['text/csv'],
        response: { 200: importReportSchema },
      },
    },
    async (request) => {
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as Readable).pipe !== 'function') {
        throw new ValidationError('Send the CSV file as the request body with Content-Type: text/csv.', [{ field: 'file', message: 'Missing CSV body' }]);
      }
      return importNumbers(deps, actorOf(request), request.params.tenantId, body, request.query.mode, requestInfo(request), request.query.fileName);
    },
  );

  r.post(
    '/api/tenants/:tenantId/numbers/allocate',
    { config: { access: 'operator' }, schema: { tags, summary: 'Reserve the next available number of a range, site or tag (race-safe)', params: tenantParams, body: allocateBody, response: { 200: numberSchema } } },
    async (request) =>
      allocateNextNumber(
        deps,
        actorOf(request),
        request.params.tenantId,
        request.body.from,
        { action: 'reserve', reason: request.body.reason, until: request.body.until, ticketId: request.body.ticketId },
        requestInfo(request),
      ),
  );

  r.post(
    '/api/tenants/:tenantId/numbers/bulk',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Change status, kind, carrier, site, tags or notes of many numbers, or delete them: mode=preview shows what changes; mode=apply does all or nothing',
        params: tenantParams,
        body: bulkBody,
        response: { 200: bulkReportSchema },
      },
    },
    async (request) => runBulkAction(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request)),
  );

  r.delete(
    '/api/tenants/:tenantId/numbers/:numberId',
    { config: { access: 'operator' }, schema: { tags, summary: 'Delete a number that is not assigned (its history stays in the audit log)', params: numberParams, response: { 200: z.object({ ok: z.literal(true) }) } } },
    async (request) => {
      await deleteNumber(deps, actorOf(request), request.params.tenantId, request.params.numberId, requestInfo(request));
      return { ok: true as const };
    },
  );

  r.get(
    '/api/tenants/:tenantId/numbers/:numberId',
    { config: { access: 'viewer' }, schema: { tags, summary: 'One number', params: numberParams, response: { 200: numberSchema } } },
    async (request) => getNumber(deps, actorOf(request), request.params.tenantId, request.params.numberId),
  );

  r.patch(
    '/api/tenants/:tenantId/numbers/:numberId',
    { config: { access: 'operator' }, schema: { tags, summary: 'Change kind, carrier, site, range, tags or notes', params: numberParams, body: numberAttributesBody, response: { 200: numberSchema } } },
    async (request) => updateNumberAttributes(deps, actorOf(request), request.params.tenantId, request.params.numberId, request.body, requestInfo(request)),
  );

  r.post(
    '/api/tenants/:tenantId/numbers/:numberId/lifecycle',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Reserve, assign, release, block, retire… (illegal moves are refused with the reason)', params: numberParams, body: lifecycleBody, response: { 200: numberSchema } },
    },
    async (request) => lifecycleAction(deps, actorOf(request), request.params.tenantId, request.params.numberId, request.body, requestInfo(request)),
  );

  r.get(
    '/api/tenants/:tenantId/numbers/:numberId/history',
    { config: { access: 'viewer' }, schema: { tags, summary: "The number's timeline from the audit log", params: numberParams, response: { 200: z.object({ events: auditListSchema }) } } },
    async (request) => ({ events: await numberHistory(deps, actorOf(request), request.params.tenantId, request.params.numberId) }),
  );

  r.get(
    '/api/tenants/:tenantId/utilisation',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'Counts by status for the tenant and each range, and daily history',
        params: tenantParams,
        response: {
          200: z.object({
            counts: z.record(z.string(), z.number()),
            ranges: z.array(z.object({ id: z.string(), name: z.string(), size: z.number(), counts: z.record(z.string(), z.number()), utilisation: z.number() })),
            history: z.array(z.object({ day: z.string(), counts: z.record(z.string(), z.number()) })),
          }),
        },
      },
    },
    async (request) => tenantUtilisation(deps, actorOf(request), request.params.tenantId),
  );
}
