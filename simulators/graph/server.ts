import type { FastifyInstance } from 'fastify';
import { createSimulatorApp, listen } from '../shared/sim-app.ts';
import type { SimulatorBaseOptions, VendorAdapter } from '../shared/sim-app.ts';
import type { Knobs } from '../shared/knobs.ts';
import { authenticate, createKeyResolver, tokenTenant } from './auth.ts';
import type { TokenTrust } from './auth.ts';
import { registerGraphControl } from './control.ts';
import { requestIds, sendGraphError } from './errors.ts';
import { registerLicenceRoutes } from './routes/licences.ts';
import { registerNumberRoutes } from './routes/number-assignments.ts';
import { registerPolicyRoutes } from './routes/policies.ts';
import { registerUserConfigurationRoutes } from './routes/user-configurations.ts';
import { registerUserRoutes } from './routes/users.ts';
import { createGraphState } from './state.ts';
import type { GraphState } from './state.ts';

export interface GraphSimulatorOptions extends SimulatorBaseOptions {
  /** Where to get the keys that sign access tokens: a running Entra simulator, or its JWKS URL. */
  trust: TokenTrust;
  state?: GraphState;
}

export interface RunningGraphSimulator {
  url: string;
  state: GraphState;
  knobs: Knobs;
  close(): Promise<void>;
}

const FAULT_CODES: Record<number, string> = { 500: 'InternalServerError', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'GatewayTimeout' };

const adapter: VendorAdapter = {
  throttleKey: tokenTenant,
  sendError(reply, status, reason, detail) {
    const request = reply.request;
    if (detail.retryAfterSeconds) reply.header('retry-after', String(detail.retryAfterSeconds));
    if (reason === 'throttle') return sendGraphError(request, reply, 429, 'TooManyRequests', 'Too many requests. Please retry after the time given in the Retry-After header.');
    if (reason === 'not-found') return sendGraphError(request, reply, 400, 'BadRequest', `Resource not found for the segment '${request.url.split('?')[0]?.split('/').pop() ?? ''}'.`);
    if (reason === 'bad-request') return sendGraphError(request, reply, status, 'BadRequest', detail.message ?? 'Invalid request.');
    return sendGraphError(request, reply, status, FAULT_CODES[status] ?? (status >= 500 ? 'UnknownError' : 'BadRequest'), 'The service is temporarily unavailable. Please retry.');
  },
};

export async function startGraphSimulator(options: GraphSimulatorOptions): Promise<RunningGraphSimulator> {
  const state = options.state ?? createGraphState();
  const sim = createSimulatorApp(options, adapter);
  const keys = createKeyResolver(options.trust);

  sim.app.addHook('onSend', async (request, reply) => {
    const { requestId, clientRequestId } = requestIds(request);
    reply.header('request-id', requestId).header('client-request-id', clientRequestId);
  });

  const routes = async (scope: FastifyInstance) => {
    scope.addHook('preHandler', async (request, reply) => {
      const context = await authenticate(state, keys, request, reply);
      if (!context) return reply;
    });
    registerUserRoutes(scope);
    registerLicenceRoutes(scope);
    registerUserConfigurationRoutes(scope);
    registerNumberRoutes(scope, state, sim.knobs);
    registerPolicyRoutes(scope);
  };
  registerGraphControl(sim.app, state);
  await sim.app.register(routes, { prefix: '/v1.0' });
  await sim.app.register(routes, { prefix: '/beta' });

  const url = await listen(sim, options);
  return {
    url,
    state,
    knobs: sim.knobs,
    close: async () => {
      for (const timer of state.timers) clearTimeout(timer);
      state.timers.clear();
      await sim.app.close();
    },
  };
}
