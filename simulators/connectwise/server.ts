import type { FastifyInstance } from 'fastify';
import { createSimulatorApp, listen } from '../shared/sim-app.ts';
import type { SimulatorBaseOptions, VendorAdapter } from '../shared/sim-app.ts';
import type { Knobs } from '../shared/knobs.ts';
import { authCompany, checkCredentials } from './auth.ts';
import { sendCwError } from './errors.ts';
import { registerListRoutes } from './routes/lists.ts';
import { registerNoteRoutes } from './routes/notes.ts';
import { registerTicketRoutes } from './routes/tickets.ts';
import { registerTimeEntryRoutes } from './routes/time-entries.ts';
import { seedConnectWise } from './seed.ts';
import type { ConnectWiseState } from './state.ts';

export const CODEBASE = 'v4_6_release';
export const API_PREFIX = `/${CODEBASE}/apis/3.0`;

export interface ConnectWiseSimulatorOptions extends SimulatorBaseOptions {
  state?: ConnectWiseState;
}

export interface RunningConnectWiseSimulator {
  url: string;
  /** Base URL of the REST API: `${url}/v4_6_release/apis/3.0`. */
  apiUrl: string;
  state: ConnectWiseState;
  knobs: Knobs;
  close(): Promise<void>;
}

const adapter: VendorAdapter = {
  throttleKey: authCompany,
  sendError(reply, status, reason, detail) {
    if (detail.retryAfterSeconds) reply.header('retry-after', String(detail.retryAfterSeconds));
    if (reason === 'throttle') return sendCwError(reply, 429, 'TooManyRequests', 'Rate limit exceeded. Please retry later.');
    if (reason === 'not-found') return sendCwError(reply, 404, 'NotFound', 'The requested resource was not found.');
    if (reason === 'bad-request') return sendCwError(reply, status, 'InvalidObject', detail.message ?? 'The request is invalid.');
    return sendCwError(reply, status, status === 503 ? 'ServiceUnavailable' : 'UnexpectedError', 'An unexpected error occurred. Please try again.');
  },
};

export async function startConnectWiseSimulator(options: ConnectWiseSimulatorOptions = {}): Promise<RunningConnectWiseSimulator> {
  const state = options.state ?? seedConnectWise();
  const sim = createSimulatorApp(options, adapter);

  sim.app.get<{ Params: { companyId: string } }>('/login/companyinfo/:companyId', async (request, reply) => {
    if (request.params.companyId.toLowerCase() !== state.companyId.toLowerCase()) return sendCwError(reply, 404, 'NotFound', `Company '${request.params.companyId}' was not found.`);
    return { CompanyName: state.companyName, Codebase: `${CODEBASE}/`, VersionCode: 'v2025.1', VersionNumber: 'v4.6', CompanyID: state.companyId, IsCloud: true, SiteUrl: request.host };
  });

  await sim.app.register(
    async (scope: FastifyInstance) => {
      scope.addHook('preHandler', async (request, reply) => {
        if (!checkCredentials(state, request, reply)) return reply;
      });
      registerTicketRoutes(scope, state);
      registerNoteRoutes(scope, state);
      registerTimeEntryRoutes(scope, state);
      registerListRoutes(scope, state);
    },
    { prefix: API_PREFIX },
  );

  const url = await listen(sim, options);
  return { url, apiUrl: `${url}${API_PREFIX}`, state, knobs: sim.knobs, close: () => sim.app.close() };
}
