import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConflictError, UnauthenticatedError } from '../../core/errors.ts';
import { readSettings } from '../settings/app-settings.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { operatorView } from './operators.ts';
import { csrfTokenFor, deleteSession, findLiveSession } from './sessions.ts';
import { completeMfa, signInWithPassword } from './sign-in.ts';
import { pendingObligation } from './authentication.ts';
import { requestInfo } from '../kernel/request-info.ts';
import { emailSchema } from '../../http/schemas.ts';
import { sessionStateSchema } from './schemas.ts';
import { clearSessionCookie, setSessionCookie } from './session-cookie.ts';

export function authRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  // Per client address, on top of the per-account lockout: slows password spraying across accounts.
  const signInRateLimit = { max: deps.config.signInRateLimit, timeWindow: '1 minute' };

  async function sessionState(token: string) {
    const found = await findLiveSession(deps, token);
    if (!found) return { signedIn: false };
    const obligation = found.session.stage === 'full' ? (pendingObligation(found.operator, await readSettings(deps.db), found.session.authMethod) ?? null) : null;
    return { signedIn: true, stage: found.session.stage, csrfToken: csrfTokenFor(token), obligation, operator: operatorView(found.operator) };
  }

  r.post(
    '/api/auth/login',
    {
      config: { access: 'public', rateLimit: signInRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        description: 'Starts a session (cookie). When the operator has MFA, the session is in stage "mfa" until POST /api/auth/mfa.',
        body: z.object({ email: emailSchema, password: z.string().min(1, 'is required').max(256) }),
        response: { 200: sessionStateSchema },
      },
    },
    async (request, reply) => {
      const result = await signInWithPassword(deps, request.body.email, request.body.password, requestInfo(request));
      setSessionCookie(reply, request, deps.config, result.token);
      return sessionState(result.token);
    },
  );

  r.post(
    '/api/auth/mfa',
    {
      config: { access: 'session', rateLimit: signInRateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Complete sign-in with a TOTP code or a recovery code',
        body: z
          .object({ code: z.string().trim().max(10).optional(), recoveryCode: z.string().trim().max(20).optional() })
          .refine((b) => Boolean(b.code) !== Boolean(b.recoveryCode), 'give either code or recoveryCode'),
        response: { 200: sessionStateSchema },
      },
    },
    async (request, reply) => {
      const session = request.session;
      if (!session) throw new UnauthenticatedError();
      if (session.row.stage !== 'mfa') throw new ConflictError('This session has already completed sign-in.');
      const result = await completeMfa(deps, session.token, session.operator, request.body, requestInfo(request));
      setSessionCookie(reply, request, deps.config, result.token);
      return sessionState(result.token);
    },
  );

  r.post(
    '/api/auth/logout',
    { config: { access: 'session' }, schema: { tags: ['auth'], summary: 'Sign out of this session', response: { 200: z.object({ ok: z.literal(true) }) } } },
    async (request, reply) => {
      if (request.session) {
        const { token, operator } = request.session;
        await deps.db.transaction(async (tx) => {
          await deleteSession(tx, token);
          await recordAudit(tx, { action: 'auth.sign_out', actor: { operatorId: operator.id, label: operator.email }, targetType: 'operator', targetId: operator.id, request: requestInfo(request) });
        });
      }
      clearSessionCookie(reply, request, deps.config);
      return { ok: true as const };
    },
  );

  r.get(
    '/api/auth/session',
    {
      config: { access: 'public' },
      schema: { tags: ['auth'], summary: 'Who is signed in, the CSRF token for writes, and what must happen first', response: { 200: sessionStateSchema } },
    },
    async (request) => (request.session ? sessionState(request.session.token) : { signedIn: false }),
  );
}
