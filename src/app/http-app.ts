import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { responseSerializerCompiler } from './response-serializer.ts';
import { randomUUID } from 'node:crypto';
import type { AppDeps } from '../features/kernel/deps.ts';
import { openApiTransform } from '../http/openapi.ts';
import { registerAuthentication } from '../features/identity/authentication.ts';
import { clientErrorHandler, frameworkErrorHandler, registerErrorHandler } from '../http/plugins/error-handler.ts';
import { registerMetrics } from '../http/plugins/metrics.ts';
import { registerRejectNul } from '../http/plugins/reject-nul.ts';
import { auditRoutes } from '../features/audit/routes.ts';
import { authRoutes } from '../features/identity/auth-routes.ts';
import { entraSignInRoutes } from '../features/identity/entra-routes.ts';
import { healthRoutes, type Readiness } from './health-routes.ts';
import { operatorRoutes } from '../features/identity/operator-routes.ts';
import { profileRoutes } from '../features/identity/profile-routes.ts';
import { settingsRoutes } from '../features/settings/routes.ts';
import { tenantRoutes } from '../features/tenants/routes.ts';
import { numberRoutes } from '../features/numbers/routes.ts';
import { preferenceRoutes } from '../features/identity/preference-routes.ts';
import { teamsRoutes } from '../features/teams/routes.ts';
import { voiceProfileRoutes } from '../features/teams/profile-routes.ts';
import { lifecycleRoutes, scheduledRoutes } from '../features/lifecycle/routes.ts';
import { bulkRoutes } from '../features/bulk/routes.ts';
import { resourceAccountRoutes } from '../features/voice-apps/resource-account-routes.ts';
import { emergencyRoutes } from '../features/emergency/routes.ts';
import { connectWiseRoutes } from '../features/connectwise/routes.ts';
import { threeCxRoutes } from '../features/threecx/routes.ts';
import { overviewRoutes } from '../features/overview/routes.ts';
import { reportRoutes } from '../features/reports/routes.ts';
import { searchRoutes } from '../features/search/routes.ts';
import { voiceAppRoutes } from '../features/voice-apps/routes.ts';

const webRoot = fileURLToPath(new URL('../../dist/web', import.meta.url));
const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export type HttpAppOptions = {
  readiness?: Readiness;
  https?: { key: Buffer; cert: Buffer };
};

/**
 * Builds the HTTP app: API, OpenAPI docs, health and metrics, and the built web UI.
 * Routes are thin: they validate with zod, call a service and shape the answer.
 */
export async function buildHttpApp(deps: AppDeps, options: HttpAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log,
    trustProxy: fastifyTrustProxy(deps.config.trustProxy),
    bodyLimit: 1024 * 1024,
    // One log line per request (below) instead of Fastify's two: half the log work under load.
    logController: new LogController({ disableRequestLogging: true }),
    // Requests refused before routing still answer in the one error shape.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    // A proxy's request id is kept when it looks like one, so logs can be followed across hops.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[A-Za-z0-9._-]{8,100}$/.test(incoming) ? incoming : randomUUID();
    },
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler);
  acceptEmptyBodies(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ req: request, res: reply, responseTime: Math.round(reply.elapsedTime * 10) / 10 }, 'request completed');
  });

  registerErrorHandler(app);
  const metrics = registerMetrics(app);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        // Swagger UI injects inline styles; everything the app itself ships is same-origin.
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    hsts: deps.config.tls || deps.config.publicUrl?.startsWith('https:') ? { maxAge: 31_536_000 } : false,
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      info: { title: 'UCR Manager API', version: packageVersion, description: 'Every action of the UCR Manager UI. Authenticate with a session cookie (plus x-csrf-token on writes) or `Authorization: Bearer ucr_…` API token.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API token `ucr_…` created under Profile › API tokens (read or read-write; see docs/api.md)' },
          session: { type: 'apiKey', in: 'cookie', name: 'ucr_session', description: 'Browser session from POST /api/auth/login; writes also send the `x-csrf-token` header from that answer' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
      tags: [
        { name: 'auth', description: 'Signing in and out' },
        { name: 'profile', description: 'Your own account: password, MFA, API tokens, preferences' },
        { name: 'operators', description: 'Operator accounts, roles and tenant scope (admin)' },
        { name: 'settings', description: 'Global settings and feature flags (admin)' },
        { name: 'audit', description: 'The audit log' },
        { name: 'tenants', description: 'Customer tenants and their sites' },
        { name: 'numbers', description: 'Number inventory: ranges, numbers, lifecycle, import and export' },
        { name: 'teams', description: 'Teams Phone: connection, users, voice changes, policies, profiles, reconcile' },
        { name: 'bulk', description: 'Bulk voice assignment from CSV' },
        { name: 'voice-apps', description: 'Resource accounts, auto attendants and call queues: creating resource accounts and their service numbers' },
        { name: 'lifecycle', description: 'Joiners and leavers: onboarding and offboarding a user as one durable job of steps, with dry run, retry and undo' },
        { name: 'connectwise', description: 'ConnectWise Manage connection and tickets' },
        { name: 'threecx', description: '3CX: connection, extensions, DIDs, trunks, reconcile' },
        { name: 'overview', description: "The operator's work list across their tenants" },
        { name: 'search', description: 'One search across every tenant in your scope' },
        { name: 'reports', description: 'Cross-tenant reports, as JSON or spreadsheet-safe CSV' },
      ],
    },
    transform: openApiTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });

  registerAuthentication(app, deps);
  registerRejectNul(app);

  healthRoutes(app, deps, metrics, options.readiness ?? (() => ({ ready: true })));
  authRoutes(app, deps);
  entraSignInRoutes(app, deps);
  profileRoutes(app, deps);
  operatorRoutes(app, deps);
  settingsRoutes(app, deps);
  auditRoutes(app, deps);
  tenantRoutes(app, deps);
  numberRoutes(app, deps);
  preferenceRoutes(app, deps);
  teamsRoutes(app, deps);
  voiceProfileRoutes(app, deps);
  bulkRoutes(app, deps);
  voiceAppRoutes(app, deps);
  resourceAccountRoutes(app, deps);
  emergencyRoutes(app, deps);
  lifecycleRoutes(app, deps);
  scheduledRoutes(app, deps);
  connectWiseRoutes(app, deps);
  threeCxRoutes(app, deps);
  overviewRoutes(app, deps);
  searchRoutes(app, deps);
  reportRoutes(app, deps);

  registerWebUi(app);
  return app;
}

/**
 * Serves the built React app; unknown non-API GET paths get index.html so client-side routes
 * work, and everything else gets the API's JSON 404.
 */
function registerWebUi(app: FastifyInstance): void {
  const built = existsSync(webRoot);
  if (built) {
    app.register(fastifyStatic, { root: webRoot, prefix: '/', wildcard: false, index: ['index.html'] });
  } else {
    app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/plain').send('The web UI is not built yet. Run `npm run build` (npm install does it for you).'),
    );
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (built && request.method === 'GET' && !path.startsWith('/api/') && !path.includes('.')) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply.status(404).send({ error: { code: 'not_found', message: `There is no ${request.method} ${path} route.`, requestId: String(request.id) } });
  });
}

/** A number of trusted hops becomes the function Fastify takes (its types have no number form). */
function fastifyTrustProxy(setting: boolean | number | string[]) {
  return typeof setting === 'number' ? (_address: string, hop: number) => hop < setting : setting;
}

/**
 * An action route called with no body at all (`curl -X POST …/revert`, or an empty JSON body) is
 * validated as if it had sent `{}`: a route whose fields are all optional just runs, and one that
 * needs fields answers which ones, instead of "body: expected object, received null".
 */
function acceptEmptyBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    parseJson(request, body.toString(), done);
  });
  app.addHook('preValidation', async (request) => {
    if (request.body == null && request.routeOptions.schema?.body) request.body = {};
  });
}
