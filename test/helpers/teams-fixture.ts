import { randomUUID } from 'node:crypto';
import { ALL_APP_PERMISSIONS, createEntraState, createGraphState, seedGraphTenant, startEntraSimulator, startGraphSimulator, type RunningEntraSimulator, type RunningGraphSimulator, type SeededTenant } from '../../simulators/index.ts';
import type { ApiClient } from './api-client.ts';

export type TeamsFixture = {
  entra: RunningEntraSimulator;
  graph: RunningGraphSimulator;
  seeded: SeededTenant;
  microsoftTenantId: string;
  domain: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
};

/** Entra ID and Graph simulators with one seeded customer tenant and an app registration for UCR Manager. */
export async function startTeamsSimulators(options: { users?: number; permissions?: string[]; seed?: number; spareNumbers?: number } = {}): Promise<TeamsFixture> {
  const microsoftTenantId = randomUUID();
  const domain = `cust-${microsoftTenantId.slice(0, 8)}.example`;
  const clientId = randomUUID();
  const clientSecret = `secret-${randomUUID()}`;
  const entraState = createEntraState();
  entraState.addTenant({ id: microsoftTenantId, displayName: 'Customer', domains: [domain] });
  entraState.addApp(microsoftTenantId, { clientId, secrets: [clientSecret], graphPermissions: options.permissions ?? [...ALL_APP_PERMISSIONS] });
  const entra = await startEntraSimulator({ port: 0, state: entraState });
  const graphState = createGraphState();
  const seeded = seedGraphTenant(graphState, { tenantId: microsoftTenantId, domain, userCount: options.users ?? 40, seed: options.seed ?? 7, spareNumbers: options.spareNumbers ?? 20 });
  const graph = await startGraphSimulator({ port: 0, state: graphState, trust: entra, knobs: { operationDelayMs: 300 } });
  return {
    entra,
    graph,
    seeded,
    microsoftTenantId,
    domain,
    clientId,
    clientSecret,
    close: async () => {
      await graph.close();
      await entra.close();
    },
  };
}

/** A tenant in the app wired to the simulators, its directory synced, and the simulator's free numbers in its inventory. */
export async function connectedTenant(admin: ApiClient, fx: TeamsFixture, name = `Customer ${randomUUID().slice(0, 6)}`) {
  const tenant = await admin.post('/api/tenants', { name, microsoftTenantId: fx.microsoftTenantId, primaryDomain: fx.domain, overrides: { coolingDays: 30 } });
  if (tenant.status !== 201) throw new Error(JSON.stringify(tenant.body));
  const tenantId = tenant.body.id as string;
  const saved = await admin.request('PUT', `/api/tenants/${tenantId}/connections/teams`, {
    clientId: fx.clientId,
    authMethod: 'secret',
    clientSecret: fx.clientSecret,
    cloud: 'custom',
    loginBaseUrl: fx.entra.url,
    graphBaseUrl: fx.graph.url,
  });
  if (saved.status !== 200) throw new Error(JSON.stringify(saved.body));
  const sync = await admin.post(`/api/tenants/${tenantId}/teams/sync`);
  if (sync.status !== 200) throw new Error(JSON.stringify(sync.body));
  const numbers: Record<string, string> = {};
  for (const e164 of fx.seeded.freeDirectRoutingNumbers) {
    const added = await admin.post(`/api/tenants/${tenantId}/numbers`, { number: e164, kind: 'direct_routing' });
    if (added.status !== 201) throw new Error(JSON.stringify(added.body));
    numbers[e164] = added.body.id;
  }
  return { tenantId, numbers };
}
