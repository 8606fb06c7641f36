import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { changeSettings, readSettings } from './app-settings.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { settingsSchemaDto } from './schemas.ts';

export function settingsRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['settings'];

  r.get('/api/settings', { config: { access: 'admin' }, schema: { tags, summary: 'Security settings', response: { 200: settingsSchemaDto } } }, async () => readSettings(deps.db));

  r.patch(
    '/api/settings',
    {
      config: { access: 'admin' },
      schema: { tags, summary: 'Change security settings (MFA required for everyone, lockout)', body: settingsSchemaDto.partial(), response: { 200: settingsSchemaDto } },
    },
    async (request) => changeSettings(deps, actorOf(request), request.body, requestInfo(request)),
  );
}
