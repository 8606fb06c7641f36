import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../kernel/deps.ts';
import { readPreference, writePreference } from './operator-preferences.ts';
import { actorOf } from '../kernel/request-info.ts';

const keyParam = z.object({ key: z.string().regex(/^[a-z0-9.-]{1,60}$/, 'must be a preference name like numbers.columns') });

export function preferenceRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['profile'];
  r.get(
    '/api/me/preferences/:key',
    { config: { access: 'viewer' }, schema: { tags, summary: 'One of your UI preferences (null when unset)', params: keyParam, response: { 200: z.object({ value: z.unknown() }) } } },
    async (request) => ({ value: await readPreference(deps, actorOf(request), request.params.key) }),
  );
  r.put(
    '/api/me/preferences/:key',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'Save one of your UI preferences (e.g. visible columns)',
        params: keyParam,
        body: z.object({ value: z.unknown() }).refine((b) => JSON.stringify(b.value ?? null).length <= 10_000, 'value is too large'),
        response: { 200: z.object({ value: z.unknown() }) },
      },
    },
    async (request) => {
      await writePreference(deps, actorOf(request), request.params.key, request.body.value);
      return { value: request.body.value };
    },
  );
}
