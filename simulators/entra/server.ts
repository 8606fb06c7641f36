import type { KeyObject } from 'node:crypto';
import { createSimulatorApp, listen } from '../shared/sim-app.ts';
import type { SimulatorBaseOptions, VendorAdapter } from '../shared/sim-app.ts';
import type { Knobs } from '../shared/knobs.ts';
import { aad, sendAadError } from './errors.ts';
import { registerEntraControl } from './control.ts';
import { registerOidcRoutes } from './oidc.ts';
import { createEntraState } from './state.ts';
import type { EntraState } from './state.ts';
import { registerTokenEndpoint } from './token-endpoint.ts';

export interface EntraSimulatorOptions extends SimulatorBaseOptions {
  /** Pre-built state (e.g. from seedDemoEntra); a fresh empty one otherwise. */
  state?: EntraState;
}

export interface RunningEntraSimulator {
  url: string;
  state: EntraState;
  knobs: Knobs;
  /** Public keys the simulator signs tokens with: give them to the Graph simulator. */
  signingKeys(): KeyObject[];
  close(): Promise<void>;
}

const adapter: VendorAdapter = {
  throttleKey: (request) => request.url.split('/')[1] ?? '',
  sendError(reply, status, reason, detail) {
    if (detail.retryAfterSeconds) reply.header('retry-after', String(detail.retryAfterSeconds));
    const failure =
      reason === 'throttle'
        ? aad(429, 'temporarily_unavailable', 50196, 'The server terminated an operation because it encountered a client request loop. Please retry later.')
        : reason === 'not-found'
          ? aad(404, 'invalid_request', 900561, 'The endpoint only accepts the documented paths.')
          : reason === 'bad-request'
            ? aad(400, 'invalid_request', 900144, detail.message ?? 'The request is malformed.')
            : aad(status === 503 ? 503 : 500, 'temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.');
    return sendAadError(reply.request, reply, { ...failure, status: status as typeof failure.status });
  },
};

export async function startEntraSimulator(options: EntraSimulatorOptions = {}): Promise<RunningEntraSimulator> {
  const state = options.state ?? createEntraState();
  const sim = createSimulatorApp(options, adapter);
  registerTokenEndpoint(sim.app, state, sim.knobs);
  registerOidcRoutes(sim.app, state);
  registerEntraControl(sim.app, state);
  const url = await listen(sim, options);
  return {
    url,
    state,
    knobs: sim.knobs,
    signingKeys: () => [state.signingKey.certificate.publicKey],
    close: () => sim.app.close(),
  };
}
