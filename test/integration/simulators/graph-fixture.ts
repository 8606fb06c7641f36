import { startEntraSimulator } from '../../../simulators/entra/server.ts';
import type { RunningEntraSimulator } from '../../../simulators/entra/server.ts';
import { ALL_APP_PERMISSIONS } from '../../../simulators/graph/catalog.ts';
import { seedGraphTenant } from '../../../simulators/graph/seed.ts';
import type { SeededTenant } from '../../../simulators/graph/seed.ts';
import { startGraphSimulator } from '../../../simulators/graph/server.ts';
import type { RunningGraphSimulator } from '../../../simulators/graph/server.ts';
import type { KnobSettings } from '../../../simulators/shared/knobs.ts';
import { postForm } from './support.ts';

export const TENANT_ID = '0a0b0c0d-1111-4222-8333-444455556666';
export const DOMAIN = 'tailspin.example';

export interface GraphFixture {
  entra: RunningEntraSimulator;
  graph: RunningGraphSimulator;
  seeded: SeededTenant;
  /** Token of the app granted every permission the product needs. */
  token: string;
  /** Token of an app granted only User.Read.All. */
  readOnlyToken: string;
  api(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  close(): Promise<void>;
}

async function appToken(entra: RunningEntraSimulator, clientId: string): Promise<string> {
  const response = await postForm(`${entra.url}/${TENANT_ID}/oauth2/v2.0/token`, {
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: 'secret',
    scope: 'https://graph.microsoft.com/.default',
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function startGraphFixture(userCount: number, knobs: Partial<KnobSettings> = {}, tls = false): Promise<GraphFixture> {
  const entra = await startEntraSimulator();
  entra.state.addTenant({ id: TENANT_ID, displayName: 'Tailspin', domains: [DOMAIN] });
  entra.state.addApp(TENANT_ID, { clientId: 'full', secrets: ['secret'], graphPermissions: ALL_APP_PERMISSIONS });
  entra.state.addApp(TENANT_ID, { clientId: 'reader', secrets: ['secret'], graphPermissions: ['User.Read.All'] });
  const graph = await startGraphSimulator({ trust: entra, knobs, tls });
  const seeded = seedGraphTenant(graph.state, { tenantId: TENANT_ID, domain: DOMAIN, userCount, seed: 7 });
  const token = await appToken(entra, 'full');
  const readOnlyToken = await appToken(entra, 'reader');
  return {
    entra,
    graph,
    seeded,
    token,
    readOnlyToken,
    api(path, init = {}) {
      const { token: override, headers, ...rest } = init;
      const url = path.startsWith('http') ? path : `${graph.url}${path}`;
      return fetch(url, { ...rest, headers: { authorization: `Bearer ${override ?? token}`, 'content-type': 'application/json', ...(headers as Record<string, string>) } });
    },
    async close() {
      await graph.close();
      await entra.close();
    },
  };
}

export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
