import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import { bulkFromSelection, bulkResultsCsv, cancelBulkJob, dryRunBulk, getBulkJob, listBulkJobs, retryFailedRows, startBulkJob } from './bulk-assignment.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { tenantParams } from '../../http/schemas.ts';
import { jobSchema, rowSchema, selectionBodySchema } from './schemas.ts';

const jobParams = tenantParams.extend({ jobId: z.string().uuid('must be a job id (UUID)') });
export const BULK_TEMPLATE = 'UserPrincipalName,PhoneNumber,PhoneNumberType,VoiceRoutingPolicy,DialPlan,Profile\r\nann@contoso.com,+14255551234,DirectRouting,US-International,US-Redmond,\r\nbob@contoso.com,next:Seattle DR block,DirectRouting,US-International,,\r\ncarol@contoso.com,,,,,US user\r\n';

export function bulkRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['bulk'];

  r.get(
    '/api/tenants/:tenantId/bulk-assignments/template.csv',
    { config: { access: 'viewer' }, schema: { tags, summary: 'A template CSV with the columns bulk assignment reads', params: tenantParams, produces: ['text/csv'] } },
    async (_request, reply) => reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="bulk-assignment-template.csv"').send(BULK_TEMPLATE),
  );

  r.post(
    '/api/tenants/:tenantId/bulk-assignments',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Upload a CSV (text/csv) and dry-run every row against the inventory and the live tenant; nothing changes yet',
        params: tenantParams,
        querystring: z.object({ fileName: z.string().max(200).optional(), ticketId: z.string().regex(/^\d{1,12}$/, 'must be a ticket number').optional() }),
        consumes: ['text/csv'],
        response: { 201: jobSchema.extend({ rows: z.array(rowSchema) }) },
      },
    },
    async (request, reply) => {
      const body = request.body as Readable | undefined;
      if (!body || typeof body.pipe !== 'function') throw new ValidationError('Send the CSV file as the request body with Content-Type: text/csv.', [{ field: 'file', message: 'Missing CSV body' }]);
      return reply.status(201).send(await dryRunBulk(deps, actorOf(request), request.params.tenantId, body, requestInfo(request), { fileName: request.query.fileName, ticketId: request.query.ticketId }));
    },
  );

  r.post(
    '/api/tenants/:tenantId/bulk-assignments/from-selection',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Assign users ticked in the Teams user list: the same dry run and job as a CSV upload; with run, starts at once only if every user passes',
        params: tenantParams,
        body: selectionBodySchema,
        response: { 201: jobSchema.extend({ rows: z.array(rowSchema) }) },
      },
    },
    async (request, reply) => reply.status(201).send(await bulkFromSelection(deps, actorOf(request), request.params.tenantId, request.body, requestInfo(request))),
  );

  r.get(
    '/api/tenants/:tenantId/bulk-assignments',
    {
      config: { access: 'viewer' },
      schema: { tags, summary: "The tenant's bulk jobs, newest first", params: tenantParams, querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }), response: { 200: z.object({ jobs: z.array(jobSchema) }) } },
    },
    async (request) => ({ jobs: await listBulkJobs(deps, actorOf(request), request.params.tenantId, request.query.limit) }),
  );

  r.get(
    '/api/tenants/:tenantId/bulk-assignments/:jobId',
    { config: { access: 'viewer' }, schema: { tags, summary: 'A bulk job with its progress and every row', params: jobParams, response: { 200: jobSchema.extend({ rows: z.array(rowSchema) }) } } },
    async (request) => getBulkJob(deps, actorOf(request), request.params.tenantId, request.params.jobId),
  );

  for (const [path, summary, action] of [
    ['run', 'Run the rows whose dry run passed (as a background job)', startBulkJob],
    ['cancel', 'Stop: rows not started are cancelled; rows in flight finish', cancelBulkJob],
    ['retry', 'Run the failed and cancelled rows again; succeeded rows are not touched', retryFailedRows],
  ] as const) {
    r.post(`/api/tenants/:tenantId/bulk-assignments/:jobId/${path}`, { config: { access: 'operator' }, schema: { tags, summary, params: jobParams, response: { 200: jobSchema } } }, async (request) =>
      action(deps, actorOf(request), request.params.tenantId, request.params.jobId, requestInfo(request)),
    );
  }

  r.get(
    '/api/tenants/:tenantId/bulk-assignments/:jobId/results.csv',
    { config: { access: 'viewer' }, schema: { tags, summary: 'Every row and its outcome as CSV', params: jobParams, produces: ['text/csv'] } },
    async (request, reply) =>
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="bulk-results-${request.params.jobId.slice(0, 8)}.csv"`)
        .send(await bulkResultsCsv(deps, actorOf(request), request.params.tenantId, request.params.jobId)),
  );
}
