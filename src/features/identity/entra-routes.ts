import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config/env.ts';
import { EntraSignInError, newFlowSecrets, type EntraFailureReason } from '../../connectors/entra/oidc.ts';
import { currentEntraSignIn, ENTRA_CALLBACK_PATH } from '../settings/entra-sign-in.ts';
import { AppError } from '../../core/errors.ts';
import type { SignInMessageCode } from '../../core/sign-in-messages.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { signInWithEntra } from './entra-sign-in.ts';
import { safeEqual } from './tokens.ts';
import { clearFlowCookie, ENTRA_FLOW_COOKIE, openFlow, sealFlow, setFlowCookie } from './entra-flow-cookie.ts';
import { requestInfo } from '../kernel/request-info.ts';
import { setSessionCookie } from './session-cookie.ts';

export { ENTRA_CALLBACK_PATH };

/**
 * The redirect URI set in Settings, else `<UCR_PUBLIC_URL>/api/auth/entra/callback`, else built
 * from the request's protocol and host.
 */
export function entraRedirectUri(request: FastifyRequest, config: Config, configured: string | null = null): string {
  if (configured) return configured;
  const base = config.publicUrl ? config.publicUrl.replace(/\/+$/, '') : `${request.protocol}://${request.host}`;
  return `${base}${ENTRA_CALLBACK_PATH}`;
}

/** Only a same-origin app path is opened after sign-in; anything else becomes `/`. */
export function safeReturnPath(value: string | undefined): string {
  if (!value || value.length > 1000 || !value.startsWith('/') || value.startsWith('//') || value.includes('\\') || [...value].some((c) => c <= ' ' || c === '\u007f')) return '/';
  if (/^\/(api|sign-in|setup|pending-approval)(\/|\?|#|$)/.test(value)) return '/';
  const resolved = new URL(value, 'http://app.invalid');
  return resolved.origin === 'http://app.invalid' ? `${resolved.pathname}${resolved.search}${resolved.hash}` : '/';
}

const FAILURE_MESSAGE: Record<EntraFailureReason, SignInMessageCode> = {
  unavailable: 'entra_unavailable',
  rejected: 'entra_failed',
  wrong_tenant: 'entra_wrong_tenant',
  invalid_token: 'entra_failed',
};

const optionalParam = z.string().max(8192).optional();

/**
 * Operator sign-in with Microsoft Entra ID (SPEC A3): start (302 to Entra ID), callback (code
 * exchange, then 302 into the app or to the waiting page) and the list of sign-in methods the
 * sign-in page offers. Browser navigations, not API calls: failures redirect to the sign-in
 * page with a message code instead of answering JSON.
 */
export function entraSignInRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const rateLimit = { max: deps.config.signInRateLimit, timeWindow: '1 minute' };
  const tags = ['auth'];

  const toSignIn = (reply: FastifyReply, code: SignInMessageCode) => reply.redirect(`/sign-in?error=${code}`, 302);
  const notConfigured = () => new AppError(404, 'entra_not_configured', 'Sign-in with Microsoft Entra ID is not configured on this server.');

  r.get(
    '/api/auth/providers',
    {
      config: { access: 'public' },
      schema: { tags, summary: 'Sign-in methods this server offers', response: { 200: z.object({ password: z.literal(true), entra: z.boolean() }) } },
    },
    async () => ({ password: true as const, entra: (await currentEntraSignIn(deps)) !== undefined }),
  );

  r.get(
    '/api/auth/entra/start',
    {
      config: { access: 'public', rateLimit },
      schema: {
        tags,
        summary: 'Start signing in with Microsoft Entra ID',
        description: 'Answers 302 to the Entra ID sign-in page (authorization code + PKCE). `redirect` is a same-origin path to open afterwards; `login_hint` pre-fills the account.',
        querystring: z.object({ redirect: optionalParam, login_hint: optionalParam }),
        response: { 302: z.null().describe('Redirect to the Entra ID sign-in page (Location header)') },
      },
    },
    async (request, reply) => {
      // Read per sign-in: a change saved in Settings (on any node) applies to the next one.
      const signIn = await currentEntraSignIn(deps);
      if (!signIn) throw notConfigured();
      const entra = signIn.oidc;
      const secrets = newFlowSecrets();
      const redirectUri = entraRedirectUri(request, deps.config, signIn.redirectUri);
      const hint = request.query.login_hint?.trim();
      let authorizeUrl: URL;
      try {
        authorizeUrl = await entra.authorizationUrl({ redirectUri, ...secrets, loginHint: hint && hint.length <= 256 && /^[^\s]+$/.test(hint) ? hint : undefined });
      } catch (error) {
        request.log.warn({ entraError: error instanceof Error ? error.message : String(error) }, 'Entra ID sign-in could not start');
        return toSignIn(reply, 'entra_unavailable');
      }
      const sealed = sealFlow(deps.keyring, { ...secrets, redirectUri, returnTo: safeReturnPath(request.query.redirect), startedAt: deps.now().getTime() });
      setFlowCookie(reply, request, deps.config, sealed);
      reply.header('cache-control', 'no-store');
      return reply.redirect(authorizeUrl.href, 302);
    },
  );

  r.get(
    ENTRA_CALLBACK_PATH,
    {
      config: { access: 'public', rateLimit },
      schema: {
        tags,
        summary: 'Entra ID redirects here after sign-in',
        description:
          'Checks the state against the sign-in this browser started, redeems the code with the PKCE verifier, validates the ID token and its tenant, then answers 302 to the app (session cookie set), to /pending-approval (first sign-in, waiting for an admin) or to /sign-in?error=<code>.',
        querystring: z.object({ code: optionalParam, state: optionalParam, session_state: optionalParam, error: optionalParam, error_description: optionalParam }),
        response: { 302: z.null().describe('Redirect into the app, to /pending-approval or to /sign-in?error=<code> (Location header)') },
      },
    },
    async (request, reply) => {
      const entra = (await currentEntraSignIn(deps))?.oidc;
      if (!entra) throw notConfigured();
      const flow = openFlow(deps.keyring, request.cookies[ENTRA_FLOW_COOKIE], deps.now());
      clearFlowCookie(reply, request, deps.config);
      reply.header('cache-control', 'no-store');
      const info = requestInfo(request);
      const query = request.query;
      const fail = async (code: SignInMessageCode, reason: string) => {
        request.log.warn({ entraFailure: reason }, 'Entra ID sign-in refused');
        await recordAudit(deps.db, { action: 'auth.sign_in', result: 'failure', actor: { operatorId: null, label: 'Entra ID sign-in' }, error: `Entra ID: ${reason}`, after: { method: 'entra' }, request: info });
        return toSignIn(reply, code);
      };

      if (!flow) return fail('entra_expired', 'no sign-in in progress in this browser (flow cookie missing, altered or older than 10 minutes)');
      if (!query.state || !safeEqual(query.state, flow.state)) return fail('entra_failed', 'the state in the answer does not match the sign-in this browser started');
      if (query.error) {
        const aadsts = /AADSTS\d+/.exec(query.error_description ?? '')?.[0];
        return fail(query.error === 'access_denied' ? 'entra_cancelled' : 'entra_failed', `Entra ID answered ${query.error.slice(0, 100)}${aadsts ? ` (${aadsts})` : ''}`);
      }
      if (!query.code) return fail('entra_failed', 'the answer carries no authorization code');

      // The exchange is sent to the redirect URI this flow used, with the query Entra ID returned.
      const callbackUrl = new URL(flow.redirectUri);
      for (const [key, value] of new URLSearchParams(request.url.split('?')[1] ?? '')) callbackUrl.searchParams.append(key, value);
      let identity;
      try {
        identity = await entra.redeem({ callbackUrl, state: flow.state, nonce: flow.nonce, codeVerifier: flow.codeVerifier });
      } catch (error) {
        if (error instanceof EntraSignInError) return fail(FAILURE_MESSAGE[error.reason], error.message);
        throw error;
      }

      const result = await signInWithEntra(deps, identity, info);
      if (result.outcome === 'signed_in') {
        setSessionCookie(reply, request, deps.config, result.token);
        return reply.redirect(flow.returnTo, 302);
      }
      if (result.outcome === 'pending') return reply.redirect('/pending-approval', 302);
      return toSignIn(reply, result.code);
    },
  );
}
