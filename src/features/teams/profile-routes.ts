import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../kernel/deps.ts';
import { applyVoiceProfile, deleteVoiceProfile, listVoiceProfiles, saveVoiceProfile } from './voice-profiles.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { tenantParams } from '../../http/schemas.ts';
import { profileInput, profileSchema, userParams, voiceChangeSchema } from './schemas.ts';

const profileParams = tenantParams.extend({ profileId: z.string().uuid('must be a profile id (UUID)') });

export function voiceProfileRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['teams'];

  r.get(
    '/api/tenants/:tenantId/voice-profiles',
    { config: { access: 'viewer' }, schema: { tags, summary: 'Saved voice profiles (number source + policies)', params: tenantParams, response: { 200: z.object({ profiles: z.array(profileSchema) }) } } },
    async (request) => ({ profiles: await listVoiceProfiles(deps, actorOf(request), request.params.tenantId) }),
  );

  r.post(
    '/api/tenants/:tenantId/voice-profiles',
    { config: { access: 'operator' }, schema: { tags, summary: 'Create a voice profile', params: tenantParams, body: profileInput, response: { 201: profileSchema } } },
    async (request, reply) => reply.status(201).send(await saveVoiceProfile(deps, actorOf(request), request.params.tenantId, null, request.body, requestInfo(request))),
  );

  r.put(
    '/api/tenants/:tenantId/voice-profiles/:profileId',
    { config: { access: 'operator' }, schema: { tags, summary: 'Change a voice profile', params: profileParams, body: profileInput, response: { 200: profileSchema } } },
    async (request) => saveVoiceProfile(deps, actorOf(request), request.params.tenantId, request.params.profileId, request.body, requestInfo(request)),
  );

  r.delete(
    '/api/tenants/:tenantId/voice-profiles/:profileId',
    { config: { access: 'operator' }, schema: { tags, summary: 'Delete a voice profile', params: profileParams, response: { 200: z.object({ ok: z.literal(true) }) } } },
    async (request) => {
      await deleteVoiceProfile(deps, actorOf(request), request.params.tenantId, request.params.profileId, requestInfo(request));
      return { ok: true as const };
    },
  );

  r.post(
    '/api/tenants/:tenantId/teams/users/:userId/apply-profile',
    {
      config: { access: 'operator' },
      schema: {
        tags,
        summary: "Apply a profile to a user: next free number from the profile's source plus its policies",
        params: userParams,
        body: z.object({ profileId: z.string().uuid(), ticketId: z.string().trim().regex(/^\d{1,12}$/).nullable().optional() }),
        response: { 202: voiceChangeSchema },
      },
    },
    async (request, reply) => reply.status(202).send(await applyVoiceProfile(deps, actorOf(request), request.params.tenantId, request.params.userId, request.body.profileId, requestInfo(request), request.body.ticketId)),
  );
}
