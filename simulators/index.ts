// In-process entry points for tests, the demo tenant and benchmarks. src/ never imports this:
// the app reaches the simulators only over HTTP.
import { buildDemoStates } from './demo.ts';
import { startConnectWiseSimulator } from './connectwise/server.ts';
import type { RunningConnectWiseSimulator } from './connectwise/server.ts';
import { startEntraSimulator } from './entra/server.ts';
import type { RunningEntraSimulator } from './entra/server.ts';
import { startGraphSimulator } from './graph/server.ts';
import type { RunningGraphSimulator } from './graph/server.ts';
import type { KnobSettings } from './shared/knobs.ts';
import { startThreeCxSimulator } from './threecx/server.ts';
import type { RunningThreeCxSimulator } from './threecx/server.ts';

export { startEntraSimulator } from './entra/server.ts';
export type { EntraSimulatorOptions, RunningEntraSimulator } from './entra/server.ts';
export { createEntraState } from './entra/state.ts';
export { startGraphSimulator } from './graph/server.ts';
export type { GraphSimulatorOptions, RunningGraphSimulator } from './graph/server.ts';
export { createGraphState } from './graph/state.ts';
export { seedGraphTenant } from './graph/seed.ts';
export { seedVoiceApps, type SeededVoiceApps } from './graph/voice-apps-seed.ts';
export type { SeedOptions as GraphSeedOptions, SeededTenant, UserProfile } from './graph/seed.ts';
export { ALL_APP_PERMISSIONS, POLICY_TYPES } from './graph/catalog.ts';
export { startConnectWiseSimulator, API_PREFIX as CONNECTWISE_API_PREFIX } from './connectwise/server.ts';
export type { ConnectWiseSimulatorOptions, RunningConnectWiseSimulator } from './connectwise/server.ts';
export { seedConnectWise } from './connectwise/seed.ts';
export { startThreeCxSimulator } from './threecx/server.ts';
export type { RunningThreeCxSimulator, ThreeCxSimulatorOptions } from './threecx/server.ts';
export { seedThreeCx } from './threecx/seed.ts';
export { DEMO, buildDemoStates } from './demo.ts';
export { createSelfSignedCertificate } from './shared/self-signed-cert.ts';
export type { Knobs, KnobSettings } from './shared/knobs.ts';

export interface AllSimulatorsOptions {
  host?: string;
  ports?: Partial<Record<'graph' | 'entra' | 'connectwise' | 'threecx', number>>;
  /** Which simulators serve HTTPS with a self-signed certificate. */
  tls?: Partial<Record<'graph' | 'entra' | 'connectwise' | 'threecx', boolean>>;
  knobs?: Partial<KnobSettings>;
  /** Redirect URIs to register on the demo app besides the defaults. */
  redirectUris?: string[];
}

export interface AllSimulators {
  entra: RunningEntraSimulator;
  graph: RunningGraphSimulator;
  connectwise: RunningConnectWiseSimulator;
  threecx: RunningThreeCxSimulator;
  close(): Promise<void>;
}

/** Starts all four, seeded with the demo tenant; ports default to 0 (random). */
export async function startAllSimulators(options: AllSimulatorsOptions = {}): Promise<AllSimulators> {
  const states = buildDemoStates(options.redirectUris);
  const common = { host: options.host, knobs: options.knobs };
  const entra = await startEntraSimulator({ ...common, port: options.ports?.entra ?? 0, tls: options.tls?.entra, state: states.entra });
  const graph = await startGraphSimulator({ ...common, port: options.ports?.graph ?? 0, tls: options.tls?.graph, state: states.graph, trust: entra });
  const connectwise = await startConnectWiseSimulator({ ...common, port: options.ports?.connectwise ?? 0, tls: options.tls?.connectwise, state: states.connectwise });
  const threecx = await startThreeCxSimulator({ ...common, port: options.ports?.threecx ?? 0, tls: options.tls?.threecx, state: states.threecx });
  return {
    entra,
    graph,
    connectwise,
    threecx,
    close: async () => {
      await Promise.all([graph.close(), connectwise.close(), threecx.close()]);
      await entra.close();
    },
  };
}
