import { createSimulatorApp, listen } from '../shared/sim-app.ts';
import type { SimulatorBaseOptions, VendorAdapter } from '../shared/sim-app.ts';
import type { Knobs } from '../shared/knobs.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import { sendODataError } from './errors.ts';
import { seedThreeCx } from './seed.ts';
import type { ThreeCxState } from './state.ts';
import { registerXapiRoutes } from './xapi-routes.ts';

export interface ThreeCxSimulatorOptions extends SimulatorBaseOptions {
  state?: ThreeCxState;
  /** The PBX's clock (epoch ms) for token expiry; the wall clock when not given. */
  now?: () => number;
}

export interface RunningThreeCxSimulator {
  url: string;
  state: ThreeCxState;
  knobs: Knobs;
  close(): Promise<void>;
}

const adapter: VendorAdapter = {
  throttleKey: () => 'pbx',
  sendError(reply, status, reason, detail) {
    if (detail.retryAfterSeconds) reply.header('retry-after', String(detail.retryAfterSeconds));
    if (reason === 'throttle') return sendODataError(reply, 429, 'Too many requests.');
    if (reason === 'not-found') return sendODataError(reply, 404, 'Not Found');
    if (reason === 'bad-request') return sendODataError(reply, status, detail.message ?? 'The request is invalid.');
    return sendODataError(reply, status, 'An error has occurred.');
  },
};

export async function startThreeCxSimulator(options: ThreeCxSimulatorOptions = {}): Promise<RunningThreeCxSimulator> {
  const state = options.state ?? seedThreeCx();
  if (options.now) state.now = options.now;
  // 3CX access tokens live 60 minutes unless a test shortens them.
  const sim = createSimulatorApp({ ...options, knobs: { tokenLifetimeSeconds: 3600, ...options.knobs } }, adapter);
  registerAuthRoutes(sim.app, state, sim.knobs);
  registerXapiRoutes(sim.app, state);
  // 3CX's own control knobs, for tests and benches in another process.
  sim.app.get('/_sim/threecx/tokens', async () => ({ issued: state.tokensIssued, rejected: state.tokensRejected, active: state.accessTokens.size }));
  sim.app.put('/_sim/threecx/undeletable', async (request, reply) => {
    const body = request.body as Record<string, unknown> | null;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.values(body).some((v) => typeof v !== 'string')) {
      return reply.code(400).send({ error: 'body must map extension numbers to the error text 3CX gives for them' });
    }
    state.undeletable = new Map(Object.entries(body as Record<string, string>));
    return { undeletable: Object.fromEntries(state.undeletable) };
  });
  const url = await listen(sim, options);
  return { url, state, knobs: sim.knobs, close: () => sim.app.close() };
}
