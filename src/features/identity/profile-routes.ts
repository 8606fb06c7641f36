import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createToken, listOwnTokens, revokeOwnToken } from './api-tokens.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { confirmTotpEnrolment, regenerateRecoveryCodes, startTotpEnrolment } from './mfa-enrolment.ts';
import { changeOwnPassword, getOperator, signOutEverywhere, updateOwnProfile } from './operators.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { apiTokenSchema, operatorSchema } from './schemas.ts';
import { dateInput, idParam } from '../../http/schemas.ts';
import { clearSessionCookie } from './session-cookie.ts';

export function profileRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['profile'];

  r.get(
    '/api/me',
    { config: { access: 'self' }, schema: { tags, summary: 'Your own account', response: { 200: operatorSchema.extend({ recoveryCodesLeft: z.number() }) } } },
    async (request) => getOperator(deps, actorOf(request).operatorId),
  );

  // Answered from the authenticated request alone (no table read in the handler): tells a script
  // which operator, role, scope and token access its credential carries. The api bench uses it as
  // the ceiling — authentication, logging and serialisation with no query of the route's own.
  r.get(
    '/api/me/access',
    {
      config: { access: 'viewer' },
      schema: {
        tags,
        summary: 'Who this request acts as: operator, role, tenant scope and, for an API token, its access',
        response: {
          200: z.object({
            operatorId: z.string(),
            email: z.string(),
            role: z.string(),
            allTenants: z.boolean(),
            tenantIds: z.array(z.string()),
            via: z.enum(['session', 'token']),
            tokenAccess: z.enum(['read', 'read-write']).nullable(),
          }),
        },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      return { operatorId: actor.operatorId, email: actor.email, role: actor.role, allTenants: actor.allTenants, tenantIds: actor.tenantIds, via: actor.via, tokenAccess: actor.tokenAccess ?? null };
    },
  );

  r.patch(
    '/api/me',
    { config: { access: 'self' }, schema: { tags, summary: 'Change your display name', body: z.object({ displayName: z.string().trim().min(1).max(120) }), response: { 200: operatorSchema } } },
    async (request) => updateOwnProfile(deps, actorOf(request), request.body.displayName, requestInfo(request)),
  );

  r.post(
    '/api/me/password',
    {
      config: { access: 'self', sessionOnly: true },
      schema: {
        tags,
        summary: 'Change your password (ends your other sessions)',
        body: z.object({ currentPassword: z.string().min(1, 'is required').max(256), newPassword: z.string().min(1, 'is required').max(256) }),
        response: { 200: z.object({ ok: z.literal(true) }) },
      },
    },
    async (request) => {
      await changeOwnPassword(deps, actorOf(request), request.body.currentPassword, request.body.newPassword, requestInfo(request), request.session?.token);
      return { ok: true as const };
    },
  );

  r.post(
    '/api/me/mfa/totp',
    {
      config: { access: 'self', sessionOnly: true },
      schema: { tags, summary: 'Start authenticator enrolment: returns the secret, otpauth URI and QR code', response: { 200: z.object({ secret: z.string(), uri: z.string(), qrSvg: z.string() }) } },
    },
    async (request) => startTotpEnrolment(deps, actorOf(request)),
  );

  r.post(
    '/api/me/mfa/totp/confirm',
    {
      config: { access: 'self', sessionOnly: true },
      schema: { tags, summary: 'Confirm enrolment with a code; returns 10 recovery codes, shown once', body: z.object({ code: z.string().trim().min(6).max(10) }), response: { 200: z.object({ recoveryCodes: z.array(z.string()) }) } },
    },
    async (request) => confirmTotpEnrolment(deps, actorOf(request), request.body.code, requestInfo(request)),
  );

  r.post(
    '/api/me/mfa/recovery-codes',
    { config: { access: 'self', sessionOnly: true }, schema: { tags, summary: 'Replace your recovery codes', response: { 200: z.object({ recoveryCodes: z.array(z.string()) }) } } },
    async (request) => regenerateRecoveryCodes(deps, actorOf(request), requestInfo(request)),
  );

  r.post(
    '/api/me/sign-out-everywhere',
    { config: { access: 'self' }, schema: { tags, summary: 'End all your sessions, this one included', response: { 200: z.object({ sessionsEnded: z.number() }) } } },
    async (request, reply) => {
      const actor = actorOf(request);
      const result = await signOutEverywhere(deps, actor, actor.operatorId, requestInfo(request));
      clearSessionCookie(reply, request, deps.config);
      return result;
    },
  );

  r.get(
    '/api/me/tokens',
    { config: { access: 'viewer' }, schema: { tags, summary: 'Your API tokens', response: { 200: z.object({ tokens: z.array(apiTokenSchema) }) } } },
    async (request) => ({ tokens: await listOwnTokens(deps, actorOf(request)) }),
  );

  r.post(
    '/api/me/tokens',
    {
      config: { access: 'viewer', sessionOnly: true },
      schema: {
        tags,
        summary: 'Create an API token; the token is in this answer only',
        body: z.object({
          name: z.string().trim().min(1, 'is required').max(80),
          access: z.enum(['read', 'read-write']),
          expiresAt: dateInput().optional(),
        }),
        response: { 201: z.object({ token: z.string(), apiToken: apiTokenSchema }) },
      },
    },
    async (request, reply) => {
      const created = await createToken(deps, actorOf(request), request.body, requestInfo(request));
      return reply.status(201).send(created);
    },
  );

  r.delete(
    '/api/me/tokens/:id',
    { config: { access: 'viewer', sessionOnly: true }, schema: { tags, summary: 'Revoke one of your API tokens', params: idParam, response: { 200: apiTokenSchema } } },
    async (request) => revokeOwnToken(deps, actorOf(request), request.params.id, requestInfo(request)),
  );
}
