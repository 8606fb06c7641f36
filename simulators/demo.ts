import { createEntraState } from './entra/state.ts';
import type { EntraState } from './entra/state.ts';
import { ALL_APP_PERMISSIONS } from './graph/catalog.ts';
import { seedGraphTenant } from './graph/seed.ts';
import { seedVoiceApps } from './graph/voice-apps-seed.ts';
import type { SeededTenant } from './graph/seed.ts';
import { createGraphState } from './graph/state.ts';
import type { GraphState } from './graph/state.ts';
import { seedConnectWise } from './connectwise/seed.ts';
import type { ConnectWiseState } from './connectwise/state.ts';
import { seedThreeCx } from './threecx/seed.ts';
import type { ThreeCxState } from './threecx/state.ts';

// The demo tenant every simulator starts with under `npm run simulators` and the app's demo mode.

export const DEMO = {
  tenantId: '6f1d3c2a-8b4e-4c1f-9a7d-0c5e2b9f4a11',
  domain: 'contoso.example',
  clientId: 'demo-client',
  clientSecret: 'demo-secret',
  redirectUris: [
    'http://localhost:3000/auth/entra/callback',
    'http://localhost:3000/api/auth/entra/callback',
    'http://127.0.0.1:3000/auth/entra/callback',
    'http://127.0.0.1:3000/api/auth/entra/callback',
  ],
  operators: [
    { userPrincipalName: 'avery.admin@contoso.example', displayName: 'Avery Admin' },
    { userPrincipalName: 'olivia.operator@contoso.example', displayName: 'Olivia Operator' },
    { userPrincipalName: 'victor.viewer@contoso.example', displayName: 'Victor Viewer' },
  ],
  teamsUsers: 300,
  /** The demo tenant's emergency addresses in Teams, with fixed ids the app's demo seed also knows (src/features/demo/demo-tenant.ts). */
  emergencyAddresses: [
    { civicAddressId: '3b0c9a51-6d2e-4f7a-8c11-5e9d2a7b4c01', defaultLocationId: '7c2e4f10-91ab-4d3e-b5a6-0f1e2d3c4b01', companyName: 'Contoso', description: 'Seattle HQ', houseNumber: '1', streetName: 'Demo Way', city: 'Seattle', stateOrProvince: 'WA', postalCode: '98101', countryOrRegion: 'US', places: [{ locationId: '7c2e4f10-91ab-4d3e-b5a6-0f1e2d3c4b02', location: 'Floor 2' }] },
    { civicAddressId: '3b0c9a51-6d2e-4f7a-8c11-5e9d2a7b4c02', defaultLocationId: '7c2e4f10-91ab-4d3e-b5a6-0f1e2d3c4b03', companyName: 'Contoso', description: 'London Office', houseNumber: '10', streetName: 'Example Street', city: 'London', stateOrProvince: '', postalCode: 'EC1A 1AA', countryOrRegion: 'GB' },
  ],
  connectwise: { companyId: 'contoso_msp', publicKey: 'demo-public-key', privateKey: 'demo-private-key', clientId: '0b7c4a5e-2d1f-4e8a-9c3b-5f6a7d8e9f01', customer: { id: 254, identifier: 'Contoso', name: 'Contoso Ltd (demo)' } },
  threecx: { clientId: 'ucr-api', clientSecret: 'demo-3cx-secret', admin: 'admin', adminPassword: 'demo-3cx-admin', admin2fa: 'admin2fa', admin2faCode: '123456' },
} as const;

const DEMO_TICKETS: Array<[summary: string, status: string]> = [
  ['New starter needs a Teams phone number', 'New'],
  ['Move user to the UK voice routing policy', 'In Progress'],
  ['Leaver: remove Teams number', 'New'],
  ['Reception wants a direct dial', 'Waiting on Customer'],
  ['Caller ID wrong on outbound calls', 'In Progress'],
  ['Port numbers from old carrier', 'Closed'],
];

/** The demo tenant's own company in Manage, with open tickets on the Voice Services board. */
function addDemoCustomer(state: ConnectWiseState): void {
  const customer = DEMO.connectwise.customer;
  state.companies.push({ ...customer, status: { id: 1, name: 'Active' }, deletedFlag: false });
  const board = state.boards[0]!;
  DEMO_TICKETS.forEach(([summary, statusName], index) => {
    const status = state.statuses.find((s) => s.board.id === board.id && s.name === statusName)!;
    const entered = new Date(Date.UTC(2026, 0, 5 + index, 9)).toISOString().replace(/\.\d+Z$/, 'Z');
    state.tickets.push({
      id: 7001 + index,
      summary,
      recordType: 'ServiceTicket',
      board: { id: board.id, name: board.name },
      status: { id: status.id, name: status.name },
      company: { id: customer.id, identifier: customer.identifier, name: customer.name },
      contact: { id: 990 + index, name: 'Contoso IT' },
      priority: { id: 3, name: 'Priority 3 - Normal Response' },
      owner: null,
      closedFlag: status.closedStatus,
      closedDate: status.closedStatus ? entered : null,
      dateEntered: entered,
      enteredBy: 'jdoe',
      initialDescription: 'Raised by Contoso IT (demo).',
      _info: { lastUpdated: entered, updatedBy: 'jdoe' },
    });
  });
}

export interface DemoStates {
  entra: EntraState;
  graph: GraphState;
  graphTenant: SeededTenant;
  connectwise: ConnectWiseState;
  threecx: ThreeCxState;
}

export function buildDemoStates(extraRedirectUris: string[] = []): DemoStates {
  const entra = createEntraState();
  entra.addTenant({ id: DEMO.tenantId, displayName: 'Contoso (demo)', domains: [DEMO.domain] });
  entra.addApp(DEMO.tenantId, {
    clientId: DEMO.clientId,
    displayName: 'UCR Manager (demo)',
    secrets: [DEMO.clientSecret],
    graphPermissions: [...ALL_APP_PERMISSIONS],
    redirectUris: [...DEMO.redirectUris, ...extraRedirectUris],
  });
  for (const operator of DEMO.operators) entra.addUser(DEMO.tenantId, operator);

  const graph = createGraphState();
  const graphTenant = seedGraphTenant(graph, { tenantId: DEMO.tenantId, domain: DEMO.domain, userCount: DEMO.teamsUsers, seed: 42, emergencyAddresses: DEMO.emergencyAddresses.map((a) => ({ ...a, places: 'places' in a ? [...a.places] : [] })) });

  // The demo's front door: a main-line auto attendant and two call queues (read through the simulated Teams PowerShell).
  const [receptionist, ...agents] = graphTenant.byProfile.voiceDirectRouting;
  if (receptionist) seedVoiceApps(graphTenant.tenant, { agents: agents.slice(0, 4), receptionist, numbers: { mainLine: '+14255559000', support: '+14255559001' } });

  // Demo ConnectWise accepts any clientId so a person can try their own client.
  const connectwise = seedConnectWise({ ...DEMO.connectwise, clientId: null });
  addDemoCustomer(connectwise);
  const threecx = seedThreeCx({ userCount: 50, clientId: DEMO.threecx.clientId, clientSecret: DEMO.threecx.clientSecret, adminUsername: DEMO.threecx.admin, adminPassword: DEMO.threecx.adminPassword });
  threecx.admins.push({ username: DEMO.threecx.admin2fa, password: DEMO.threecx.adminPassword, securityCode: DEMO.threecx.admin2faCode });
  return { entra, graph, graphTenant, connectwise, threecx };
}
