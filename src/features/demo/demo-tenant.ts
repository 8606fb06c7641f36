import { Readable } from 'node:stream';
import { and, eq } from 'drizzle-orm';
import { ManageApi } from '../../connectors/connectwise/manage-api.ts';
import { operators, phoneNumbers, tenants } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import { getConnectWiseConnection, saveConnectWiseConnection, type ConnectWiseDefaults } from '../connectwise/connection.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';
import { editNumberAttributes, insertNumbers, seedDemoStatuses, type NewNumber } from '../numbers/number-store.ts';
import { createRange } from '../numbers/number-ranges.ts';
import { createSite } from '../tenants/sites.ts';
import { generateTeamsCertificate, getTeamsConnection, saveTeamsConnection, teamsCertificatePem } from '../teams/connection.ts';
import { syncTeamsDirectory } from '../teams/directory.ts';
import { teamsNumberSource } from '../teams/reconcile.ts';
import { getThreeCxConnection, saveThreeCxConnection } from '../threecx/connection.ts';
import { threeCxNumberSource } from '../threecx/reconcile.ts';
import { fixDrift } from '../numbers/reconcile/reconcile.ts';
import { importEmergencyLocations, setLocationDefault } from '../emergency/emergency-locations.ts';

/**
 * The demo tenant of the embedded quick start: clearly named "(demo)", flagged isDemo, with
 * the same Microsoft tenant id and domain as the built-in simulators' demo tenant (see
 * simulators/demo.ts), and a realistic inventory in every status.
 */
export const DEMO_TENANT = {
  name: 'Contoso (demo)',
  microsoftTenantId: '6f1d3c2a-8b4e-4c1f-9a7d-0c5e2b9f4a11',
  primaryDomain: 'contoso.example',
  defaultCountry: 'US',
} as const;

const request = { requestId: 'demo-seed', ip: undefined };

/** The app registration the built-in Entra ID simulator knows for the demo tenant (see simulators/demo.ts). */
const DEMO_APP = { clientId: 'demo-client', clientSecret: 'demo-secret' } as const;

/** The API member the built-in ConnectWise simulator knows, and the demo tenant's company there (see simulators/demo.ts). */
const DEMO_CONNECTWISE = {
  companyId: 'contoso_msp',
  publicKey: 'demo-public-key',
  privateKey: 'demo-private-key',
  clientId: '0b7c4a5e-2d1f-4e8a-9c3b-5f6a7d8e9f01',
  customer: 'Contoso',
  board: 'Voice Services',
  statusAfterChange: 'In Progress',
  workType: 'Remote Support',
  /** The simulated member the first admin is mapped to, so the demo logs time out of the box. */
  member: 'jdoe',
} as const;

/**
 * The simulated Teams tenant's emergency locations (see simulators/demo.ts), as the demo imports
 * them: a CSV of Get-CsOnlineLisLocation's columns, the path a server without the PowerShell
 * bridge takes. Seattle HQ is the Seattle site's default.
 */
const DEMO_LOCATIONS_CSV = [
  'LocationId,CivicAddressId,Location,CompanyName,Description,HouseNumber,StreetName,City,StateOrProvince,PostalCode,CountryOrRegion',
  '7c2e4f10-91ab-4d3e-b5a6-0f1e2d3c4b01,3b0c9a51-6d2e-4f7a-8c11-5e9d2a7b4c01,,Contoso,Seattle HQ,1,Demo Way,Seattle,WA,98101,US',
  '7c2e4f10-91ab-4d3e-b5a6-0f1e2d3c4b02,3b0c9a51-6d2e-4f7a-8c11-5e9d2a7b4c01,Floor 2,Contoso,Seattle HQ,1,Demo Way,Seattle,WA,98101,US',
  '7c2e4f10-91ab-4d3e-b5a6-0f1e2d3c4b03,3b0c9a51-6d2e-4f7a-8c11-5e9d2a7b4c02,,Contoso,London Office,10,Example Street,London,,EC1A 1AA,GB',
].join('\r\n');
const DEMO_SEATTLE_LOCATION = '7c2e4f10-91ab-4d3e-b5a6-0f1e2d3c4b01';
const DEMO_LONDON_LOCATION = '7c2e4f10-91ab-4d3e-b5a6-0f1e2d3c4b03';

/** Seeds the demo tenant once; does nothing when it exists (or existed and was renamed). */
export async function seedDemoTenant(deps: AppDeps): Promise<boolean> {
  const [existing] = await deps.db.select({ id: tenants.id }).from(tenants).where(eq(tenants.isDemo, true));
  if (existing) return false;
  const [admin] = await deps.db.select().from(operators).where(eq(operators.role, 'admin')).limit(1);
  if (!admin) return false;
  const actor: Actor = { operatorId: admin.id, email: 'system (demo seed)', displayName: 'Demo seed', role: 'admin', allTenants: true, tenantIds: [], via: 'session' };

  const [tenant] = await deps.db
    .insert(tenants)
    .values({ ...DEMO_TENANT, isDemo: true, notes: 'Demo tenant backed by the built-in simulators. Safe to experiment with.', coolingDays: 14 })
    .returning();
  const tenantId = tenant!.id;
  await recordAudit(deps.db, { action: 'tenant.created', actor, tenantId, targetType: 'tenant', targetId: tenantId, after: { name: tenant!.name, demo: true }, request });
  const seattle = await createSite(deps, actor, tenantId, { name: 'Seattle HQ', address: '1 Demo Way, Seattle, WA' }, request);
  const london = await createSite(deps, actor, tenantId, { name: 'London Office', address: '10 Example Street, London' }, request);

  const seattleRange = await createRange(deps, actor, tenantId, { name: 'Seattle DR block', start: '+14255550100', count: 200, kind: 'direct_routing', carrier: 'Example Telecom', siteId: seattle.id }, request);
  const londonRange = await createRange(deps, actor, tenantId, { name: 'London OC block', start: '+442079460100', count: 100, kind: 'operator_connect', carrier: 'Demo Connect UK', siteId: london.id }, request);

  // Spread statuses the way a live tenant looks. Assigned numbers come from Teams itself (the
  // simulated tenant) when the demo is connected; these blocks are not in Teams yet
  // (assigning a Direct Routing number uploads it; the London Operator Connect block stays unknown to Teams).
  await seedDemoStatuses(deps.db, tenantId, admin.id, deps.now(), 120);
  const [reception] = await deps.db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenantId), eq(phoneNumbers.e164, '+14255550100')));
  if (reception) await deps.db.transaction((tx) => editNumberAttributes(deps, tx, actor, tenantId, reception.id, { tags: ['reception'], notes: 'Main reception line' }, request));

  const extras: NewNumber[] = [
    { e164: '+12065550100', extension: '', kind: 'calling_plan', status: 'available', rangeId: null, siteId: seattle.id, carrier: 'Microsoft', tags: ['calling-plan'], notes: '' },
    { e164: '+12065550101', extension: '', kind: 'calling_plan', status: 'retired', rangeId: null, siteId: seattle.id, carrier: 'Microsoft', tags: [], notes: 'Ported out 2026' },
    { e164: '+13125550100', extension: '', kind: 'threecx_did', status: 'available', rangeId: null, siteId: null, carrier: 'SIP Trunk Co', tags: ['3cx'], notes: 'Chicago 3CX trunk' },
  ];
  await insertNumbers(deps.db, tenantId, extras, actor, request, { source: 'demo seed' });
  await importEmergencyLocations(deps, actor, tenantId, Readable.from([DEMO_LOCATIONS_CSV]), request, { fileName: 'demo-locations.csv' });
  await setLocationDefault(deps, actor, tenantId, { siteId: seattle.id }, DEMO_SEATTLE_LOCATION, request);
  await setLocationDefault(deps, actor, tenantId, { siteId: london.id }, DEMO_LONDON_LOCATION, request);
  deps.log.info({ tenant: tenant!.name, ranges: [seattleRange.name, londonRange.name] }, 'demo tenant seeded');
  return true;
}

/**
 * Points the demo tenant's Teams connection at the built-in simulators (npm start sets their
 * URLs). The first time, it also reads the simulated tenant's users and brings its numbers into
 * the inventory, so the demo starts consistent with "its" Teams.
 */
export async function connectDemoTenant(deps: AppDeps): Promise<void> {
  await connectDemoThreeCx(deps);
  const [tenant] = await deps.db.select().from(tenants).where(eq(tenants.isDemo, true));
  const [admin] = await deps.db.select().from(operators).where(eq(operators.role, 'admin')).limit(1);
  if (!tenant || !admin) return;
  const actor: Actor = { operatorId: admin.id, email: 'system (demo)', displayName: 'Demo', role: 'admin', allTenants: true, tenantIds: [], via: 'session' };
  if (deps.config.demoConnectWiseUrl) await connectDemoConnectWise(deps, actor, tenant, deps.config.demoConnectWiseUrl);
  const endpoints = deps.config.demoEndpoints;
  if (!endpoints) return;
  const current = await getTeamsConnection(deps, actor, tenant.id);
  const firstTime = !current.configured;
  // With the simulated Teams PowerShell (npm start sets UCR_PWSH_PATH), the demo signs in with a
  // certificate, as the bridge requires; the simulated Entra ID forgets it between runs, so it is registered on every start.
  const bridge = Boolean(deps.config.pwshPath && tenant.microsoftTenantId);
  const certificatePem = bridge && current.certificate?.privateKeySet ? await teamsCertificatePem(deps, actor, tenant.id) : null;
  if (certificatePem) await registerDemoCertificate(endpoints.loginBaseUrl, tenant.microsoftTenantId!, certificatePem);
  await saveTeamsConnection(deps, actor, tenant.id, { clientId: DEMO_APP.clientId, authMethod: certificatePem ? 'certificate' : 'secret', clientSecret: DEMO_APP.clientSecret, cloud: 'custom', ...endpoints }, request);
  if (bridge && !certificatePem) await registerDemoCertificate(endpoints.loginBaseUrl, tenant.microsoftTenantId!, (await generateTeamsCertificate(deps, actor, tenant.id, request)).certificatePem);
  if (!firstTime) return;
  try {
    await syncTeamsDirectory(deps, tenant);
    await fixDrift(deps, actor, tenant.id, teamsNumberSource, 'all', request);
  } catch (error) {
    deps.log.warn({ err: error }, 'demo tenant: could not read the simulated Teams tenant');
  }
}

/** Adds the demo app's certificate to the simulated Entra ID (its control endpoint), so certificate sign-in works there. */
async function registerDemoCertificate(loginBaseUrl: string, microsoftTenantId: string, pem: string): Promise<void> {
  const response = await fetch(`${loginBaseUrl}/_sim/tenants/${encodeURIComponent(microsoftTenantId)}/apps/${DEMO_APP.clientId}/certificates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pem }) });
  if (!response.ok) throw new Error(`The simulated Entra ID refused the demo certificate (${response.status}).`);
}

/**
 * Points the demo tenant's ConnectWise connection at the built-in Manage simulator (its port can
 * change between runs). The first time, it maps the tenant to its simulated company, picks the
 * ticket defaults from the lists the simulator returns (board, a status that allows time, a work
 * type; the work role is left to the member's own default) and maps the first admin to a member.
 */
async function connectDemoConnectWise(deps: AppDeps, actor: Actor, tenant: typeof tenants.$inferSelect, siteUrl: string): Promise<void> {
  const baseUrl = `${siteUrl}/v4_6_release/apis/3.0`;
  const keys = { site: new URL(siteUrl).host, companyId: DEMO_CONNECTWISE.companyId, publicKey: DEMO_CONNECTWISE.publicKey, clientId: DEMO_CONNECTWISE.clientId, baseUrl };
  const firstTime = !(await getConnectWiseConnection(deps, actor, tenant.id)).configured;
  if (!firstTime) {
    await saveConnectWiseConnection(deps, actor, tenant.id, keys, request);
    return;
  }
  let defaults: Partial<ConnectWiseDefaults> = {};
  try {
    const api = new ManageApi({ ...keys, privateKey: DEMO_CONNECTWISE.privateKey }, deps.log.child({ connector: 'connectwise', demo: true }));
    const board = (await api.boards()).find((b) => b.name === DEMO_CONNECTWISE.board);
    const status = board ? (await api.offerableStatuses(board.id)).find((s) => s.name === DEMO_CONNECTWISE.statusAfterChange) : undefined;
    const workType = (await api.workTypes()).find((w) => w.name === DEMO_CONNECTWISE.workType);
    defaults = { boardIds: board ? [board.id] : [], statusAfterChangeId: status?.id ?? null, workTypeId: workType?.id ?? null, workRoleId: null, billableOption: 'Billable' };
  } catch (error) {
    deps.log.warn({ err: error }, 'demo tenant: could not read the simulated ConnectWise lists; defaults left empty');
  }
  await saveConnectWiseConnection(deps, actor, tenant.id, { ...keys, privateKey: DEMO_CONNECTWISE.privateKey, defaults }, request);
  if (!tenant.connectwiseCompanyId) {
    await deps.db.update(tenants).set({ connectwiseCompanyId: DEMO_CONNECTWISE.customer }).where(eq(tenants.id, tenant.id));
    await recordAudit(deps.db, { action: 'tenant.updated', actor, tenantId: tenant.id, targetType: 'tenant', targetId: tenant.id, before: { connectwiseCompanyId: null }, after: { connectwiseCompanyId: DEMO_CONNECTWISE.customer }, request });
  }
  const [admin] = await deps.db.select().from(operators).where(eq(operators.id, actor.operatorId));
  if (admin && !admin.connectwiseMember) {
    await deps.db.update(operators).set({ connectwiseMember: DEMO_CONNECTWISE.member }).where(eq(operators.id, admin.id));
    await recordAudit(deps.db, { action: 'operator.updated', actor, targetType: 'operator', targetId: admin.id, before: { connectwiseMember: null }, after: { connectwiseMember: DEMO_CONNECTWISE.member }, request });
  }
}

/** The API client the built-in 3CX simulator knows for the demo PBX (see simulators/demo.ts). */
const DEMO_PBX = { fqdn: 'pbx.contoso.example', clientId: 'ucr-api', clientSecret: 'demo-3cx-secret' } as const;

/**
 * Points the demo tenant's 3CX connection at the built-in 3CX simulator. The first time, the
 * PBX's DIDs come into the inventory (assigned to the extensions that use them).
 */
export async function connectDemoThreeCx(deps: AppDeps): Promise<void> {
  const url = deps.config.demoThreeCxUrl;
  if (!url) return;
  const [tenant] = await deps.db.select().from(tenants).where(eq(tenants.isDemo, true));
  const [admin] = await deps.db.select().from(operators).where(eq(operators.role, 'admin')).limit(1);
  if (!tenant || !admin) return;
  const actor: Actor = { operatorId: admin.id, email: 'system (demo)', displayName: 'Demo', role: 'admin', allTenants: true, tenantIds: [], via: 'session' };
  const firstTime = !(await getThreeCxConnection(deps, actor, tenant.id)).configured;
  await saveThreeCxConnection(deps, actor, tenant.id, { fqdn: DEMO_PBX.fqdn, baseUrl: url, authMode: 'api_client', clientId: DEMO_PBX.clientId, clientSecret: DEMO_PBX.clientSecret }, request);
  if (!firstTime) return;
  try {
    await fixDrift(deps, actor, tenant.id, threeCxNumberSource, 'all', request, { kinds: ['missing_in_inventory', 'free_in_inventory', 'different_assignee', 'unassigned_in_system'] });
  } catch (error) {
    deps.log.warn({ err: error }, 'demo tenant: could not read the simulated 3CX PBX');
  }
}
