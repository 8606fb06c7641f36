import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../kernel/deps.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { tenantParams } from '../../http/schemas.ts';
import { getLifecycleJob, listLicences, listLifecycleJobs, planOffboarding, planOnboarding, retryLifecycleJob, startOffboarding, startOnboarding, undoLifecycleJob } from './lifecycle-jobs.ts';
import { licenceSchema, lifecycleJobSchema, offboardBody, onboardBody, planSchema } from './schemas.ts';

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
