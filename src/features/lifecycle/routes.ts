import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../kernel/deps.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { tenantParams } from '../../http/schemas.ts';
import { getLifecycleJob, listLicences, listLifecycleJobs, planOffboarding, planOnboarding, retryLifecycleJob, startOffboarding, startOnboarding, undoLifecycleJob } from './lifecycle-jobs.ts';
import { ValidationError } from '../../core/errors.ts';
import { voiceChangeInput } from '../teams/schemas.ts';
import { onboardFromCsv, ONBOARD_TEMPLATE } from './onboard-csv.ts';
import { cancelScheduled, listScheduled, scheduleChange, updateScheduled } from './scheduled-changes.ts';
import { csvResultSchema, licenceSchema, lifecycleJobSchema, offboardBody, onboardBody, planSchema, scheduleBody, scheduledSchema, scheduleUpdateBody } from './schemas.ts';

const jobParams = tenantParams.extend({ jobId: z.string().uuid('must be a job id (UUID)') });

export function lifecycleRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['lifecycle'];

  r.post(
    '/api/tenants/:tenantId/lifecycle/onboard',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Onboard a user (joiner): dryRun answers what would change, checked against the live tenant; otherwise starts the durable job', params: tenantParams, body: onboardBody, response: { 200: planSchema, 202: lifecycleJobSchema } },
    },
    async (request, reply) => {
      const { dryRun, ...input } = request.body;
      if (dryRun) return reply.status(200).send(await planOnboarding(deps, actorOf(request), request.params.tenantId, input));
      return reply.status(202).send(await startOnboarding(deps, actorOf(request), request.params.tenantId, input, requestInfo(request)));
    },
  );

  r.post(
    '/api/tenants/:tenantId/lifecycle/offboard',
    {
      config: { access: 'operator' },
      schema: { tags, summary: 'Offboard a user (leaver): number first, then policies, the number into cooling (or reserved), licence last; dryRun answers what would change', params: tenantParams, body: offboardBody, response: { 200: planSchema, 202: lifecycleJobSchema } },
    },
    async (request, reply) => {
      const { dryRun, ...input } = request.body;
      if (dryRun) return reply.status(200).send(await planOffboarding(deps, actorOf(request), request.params.tenantId, input));
      return reply.status(202).send(await startOffboarding(deps, actorOf(request), request.params.tenantId, input, requestInfo(request)));
    },
  );

  r.get(
    '/api/tenants/:tenantId/lifecycle/onboard-template.csv',
    { config: { access: 'viewer' }, schema: { tags, summary: 'A template CSV with the columns onboarding from CSV reads', params: tenantParams, produces: ['text/csv'] } },
    async (_request, reply) => reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="onboarding-template.csv"').send(ONBOARD_TEMPLATE),
  );

  r.post(
    '/api/tenants/:tenantId/lifecycle/onboard.csv',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: 'Onboard the joiners of a CSV (text/csv): every row checked against the live tenant; with run=true a job starts for each row that passed',
        params: tenantParams,
        querystring: z.object({ run: z.enum(['true', 'false']).default('false') }),
        consumes: ['text/csv'],
        response: { 200: csvResultSchema },
      },
    },
    async (request) => {
      const body = request.body as Readable | undefined;
      if (!body || typeof body.pipe !== 'function') throw new ValidationError('Send the CSV file as the request body with Content-Type: text/csv.', [{ field: 'file', message: 'Missing CSV body' }]);
      return onboardFromCsv(deps, actorOf(request), request.params.tenantId, body, requestInfo(request), { run: request.query.run === 'true' });
    },
  );

  r.get(
    '/api/tenants/:tenantId/lifecycle/licences',
    { config: { access: 'viewer' }, schema: { tags, summary: "The tenant's subscriptions (Graph subscribedSkus) with free units and whether they bring Teams Phone or a Calling Plan", params: tenantParams, response: { 200: z.object({ licences: z.array(licenceSchema) }) } } },
    async (request) => ({ licences: await listLicences(deps, actorOf(request), request.params.tenantId) }),
  );

  r.get(
    '/api/tenants/:tenantId/lifecycle/jobs',
    {
      config: { access: 'viewer' },
      schema: { tags, summary: "The tenant's joiner and leaver jobs, newest first", params: tenantParams, querystring: z.object({ userId: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }), response: { 200: z.object({ jobs: z.array(lifecycleJobSchema) }) } },
    },
    async (request) => ({ jobs: await listLifecycleJobs(deps, actorOf(request), request.params.tenantId, { userId: request.query.userId, limit: request.query.limit }) }),
  );

  r.get(
    '/api/tenants/:tenantId/lifecycle/jobs/:jobId',
    { config: { access: 'viewer' }, schema: { tags, summary: 'A joiner or leaver job with every step and its state', params: jobParams, response: { 200: lifecycleJobSchema } } },
    async (request) => getLifecycleJob(deps, actorOf(request), request.params.tenantId, request.params.jobId),
  );

  for (const [path, summary, action] of [
    ['retry', 'Run a failed job again from the step that failed; the steps done are not repeated', retryLifecycleJob],
    ['undo', 'Undo what the job did, last step first', undoLifecycleJob],
  ] as const) {
    r.post(`/api/tenants/:tenantId/lifecycle/jobs/:jobId/${path}`, { config: { access: 'operator' }, schema: { tags, summary, params: jobParams, response: { 202: lifecycleJobSchema } } }, async (request, reply) =>
      reply.status(202).send(await action(deps, actorOf(request), request.params.tenantId, request.params.jobId, requestInfo(request))),
    );
  }
}

const scheduledParams = tenantParams.extend({ scheduledId: z.string().uuid('must be a scheduled change id (UUID)') });
const statusFilter = z.object({ status: z.string().regex(/^(scheduled|running|done|failed|cancelled)(,(scheduled|running|done|failed|cancelled))*$/).optional(), limit: z.coerce.number().int().min(1).max(500).default(200) });
const inputSchemas = {
  voice_change: voiceChangeInput.extend({ userId: z.string().min(1).max(200) }),
  onboard: onboardBody.omit({ dryRun: true }),
  offboard: offboardBody.omit({ dryRun: true }),
  bulk_run: z.object({ jobId: z.string().uuid('must be a bulk job id (UUID)') }),
} as const;

function checkInput(kind: keyof typeof inputSchemas, input: unknown): Record<string, unknown> {
  const parsed = inputSchemas[kind].safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({ field: ['input', ...i.path].join('.'), message: i.message }));
    throw new ValidationError(`The change is not valid: ${fields.map((f) => `${f.field} ${f.message}`).join('; ')}.`, fields);
  }
  return parsed.data as Record<string, unknown>;
}

export function scheduledRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['lifecycle'];
  const statuses = (s: string | undefined) => (s ? (s.split(',') as Array<'scheduled' | 'running' | 'done' | 'failed' | 'cancelled'>) : undefined);

  r.post(
    '/api/tenants/:tenantId/scheduled-changes',
    { config: { access: 'operator' }, schema: { tags, summary: 'Schedule a voice change, an onboarding, an offboarding or a bulk run for a future time', params: tenantParams, body: scheduleBody, response: { 201: scheduledSchema } } },
    async (request, reply) => {
      const input = checkInput(request.body.kind, request.body.input);
      return reply.status(201).send(await scheduleChange(deps, actorOf(request), request.params.tenantId, { kind: request.body.kind, runAt: new Date(request.body.runAt), timeZone: request.body.timeZone, input }, requestInfo(request)));
    },
  );
  r.get(
    '/api/tenants/:tenantId/scheduled-changes',
    { config: { access: 'viewer' }, schema: { tags, summary: "The tenant's scheduled changes, soonest first", params: tenantParams, querystring: statusFilter, response: { 200: z.object({ changes: z.array(scheduledSchema) }) } } },
    async (request) => ({ changes: await listScheduled(deps, actorOf(request), { tenantId: request.params.tenantId, status: statuses(request.query.status), limit: request.query.limit }) }),
  );
  r.get(
    '/api/scheduled-changes',
    { config: { access: 'viewer' }, schema: { tags, summary: 'Scheduled changes across the tenants you may see, soonest first', querystring: statusFilter, response: { 200: z.object({ changes: z.array(scheduledSchema) }) } } },
    async (request) => ({ changes: await listScheduled(deps, actorOf(request), { status: statuses(request.query.status), limit: request.query.limit }) }),
  );
  r.patch(
    '/api/tenants/:tenantId/scheduled-changes/:scheduledId',
    { config: { access: 'operator' }, schema: { tags, summary: 'Move a scheduled change or change what it does, until it starts', params: scheduledParams, body: scheduleUpdateBody, response: { 200: scheduledSchema } } },
    async (request) => {
      const [current] = await listScheduled(deps, actorOf(request), { tenantId: request.params.tenantId, limit: 500 }).then((all) => all.filter((c) => c.id === request.params.scheduledId));
      const input = request.body.input && current ? checkInput(current.kind, request.body.input) : undefined;
      return updateScheduled(deps, actorOf(request), request.params.tenantId, request.params.scheduledId, { runAt: request.body.runAt ? new Date(request.body.runAt) : undefined, timeZone: request.body.timeZone, input }, requestInfo(request));
    },
  );
  r.post(
    '/api/tenants/:tenantId/scheduled-changes/:scheduledId/cancel',
    { config: { access: 'operator' }, schema: { tags, summary: 'Cancel a scheduled change before it starts; nothing of it happens', params: scheduledParams, response: { 200: scheduledSchema } } },
    async (request) => cancelScheduled(deps, actorOf(request), request.params.tenantId, request.params.scheduledId, requestInfo(request)),
  );
}
