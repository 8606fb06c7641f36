import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { tenantParams } from '../../http/schemas.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { voiceAppsExportHtml } from './export.ts';
import { voiceAppsSchema } from './schemas.ts';
import { getVoiceApps, refreshVoiceApps } from './voice-apps.ts';

export function voiceAppRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['teams'];
  const base = '/api/tenants/:tenantId/voice-apps';

  r.get(
    base,
    { config: { access: 'viewer' }, schema: { tags, summary: 'Resource accounts, auto attendants and call queues as last read from Teams, with the time of the read and what the PowerShell bridge needs', params: tenantParams, response: { 200: voiceAppsSchema } } },
    async (request) => getVoiceApps(deps, actorOf(request), request.params.tenantId),
  );
  r.post(
    `${base}/refresh`,
    { config: { access: 'operator' }, schema: { tags, summary: 'Read them again: resource accounts from Graph, auto attendants and call queues through the PowerShell bridge where it is set up', params: tenantParams, response: { 200: voiceAppsSchema } } },
    async (request) => refreshVoiceApps(deps, actorOf(request), request.params.tenantId, requestInfo(request)),
  );
  r.get(
    `${base}/export`,
    { config: { access: 'viewer' }, schema: { tags, summary: 'The documentation of the voice apps as one printable, self-contained HTML page (call flows, hours, holidays, queues, accounts)', params: tenantParams, produces: ['text/html'] } },
    async (request, reply) => {
      const html = await voiceAppsExportHtml(deps, actorOf(request), request.params.tenantId);
      return reply.header('content-type', 'text/html; charset=utf-8').send(html);
    },
  );
}
