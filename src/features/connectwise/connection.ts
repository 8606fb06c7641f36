import { ManageApi } from '../../connectors/connectwise/manage-api.ts';
import { retryPolicyWithTimeout } from '../../connectors/shared/resilient-fetch.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { keepStoredSecrets, TenantConnections, type StoredConnection } from '../tenants/connections.ts';
import { loadActiveTenant, loadTenant, tenantFeatures, type TenantRow } from '../tenants/tenants.ts';

/** Per-tenant ticket-logging defaults (B4), chosen from lists ConnectWise returns. */
export type ConnectWiseDefaults = {
  boardIds: number[];
  workRoleId: number | null;
  workTypeId: number | null;
  statusAfterChangeId: number | null;
  noteFlags: { detailDescriptionFlag: boolean; internalAnalysisFlag: boolean; resolutionFlag: boolean };
  billableOption: 'Billable' | 'DoNotBill' | 'NoCharge' | 'NoDefault' | null;
  /** Minutes a change logs unless the operator enters others; null: the time the change took. */
  defaultMinutes: number | null;
};

export type ConnectWiseSettings = { site: string; companyId: string; publicKey: string; clientId: string; baseUrl?: string | undefined; defaults: ConnectWiseDefaults };

export const defaultConnectWiseDefaults: ConnectWiseDefaults = {
  boardIds: [],
  workRoleId: null,
  workTypeId: null,
  statusAfterChangeId: null,
  noteFlags: { detailDescriptionFlag: true, internalAnalysisFlag: false, resolutionFlag: false },
  billableOption: null,
  defaultMinutes: null,
};

type ConnectWiseSecrets = { privateKey?: string };

/** No client cache: a Manage client holds no token (every call carries the keys), so it costs nothing to build. */
export const connectWiseConnections = new TenantConnections<ConnectWiseSettings, ConnectWiseSecrets>({ system: 'connectwise', secretFlags: { privateKey: 'privateKeySet' } });
type ConnectWiseConnection = StoredConnection<ConnectWiseSettings, ConnectWiseSecrets>;

function view(connection: ConnectWiseConnection | undefined) {
  const settings = connection?.settings;
  return {
    configured: Boolean(settings && connection?.secrets.privateKey),
    site: settings?.site ?? null,
    companyId: settings?.companyId ?? null,
    publicKey: settings?.publicKey ?? null,
    clientId: settings?.clientId ?? null,
    baseUrl: settings?.baseUrl ?? null,
    privateKeySet: Boolean(connection?.secrets.privateKey),
    defaults: { ...defaultConnectWiseDefaults, ...settings?.defaults },
    lastTest: connection?.lastTest ?? null,
  };
}
export type ConnectWiseConnectionView = ReturnType<typeof view>;

export async function getConnectWiseConnection(deps: AppDeps, actor: Actor, tenantId: string): Promise<ConnectWiseConnectionView> {
  await loadTenant(deps.db, actor, tenantId);
  return view(await connectWiseConnections.load(deps, tenantId));
}

/** Deletes the connection with its private key (audited); ticket logging then answers "not set up". */
export async function deleteConnectWiseConnection(deps: AppDeps, actor: Actor, tenantId: string, request: RequestInfo): Promise<ConnectWiseConnectionView> {
  await loadTenant(deps.db, actor, tenantId);
  if (!(await connectWiseConnections.remove(deps, actor, tenantId, { action: 'connectwise_connection.deleted', request }))) throw new NotFoundError('The ConnectWise connection');
  return view(undefined);
}

export type ConnectWiseInput = Omit<ConnectWiseSettings, 'defaults'> & { privateKey?: string | undefined; defaults?: Partial<ConnectWiseDefaults> | undefined };

/** Saves the API member's keys (the private key is write-only) and the ticket defaults. */
export async function saveConnectWiseConnection(deps: AppDeps, actor: Actor, tenantId: string, input: ConnectWiseInput, request: RequestInfo): Promise<ConnectWiseConnectionView> {
  await loadActiveTenant(deps.db, actor, tenantId);
  const stored = await connectWiseConnections.load(deps, tenantId);
  const current = stored?.settings;
  const secrets = keepStoredSecrets(stored?.secrets, { privateKey: input.privateKey });
  if (!secrets.privateKey) throw new ValidationError('Enter the private key of the ConnectWise API member.', [{ field: 'privateKey', message: 'Required' }]);
  const defaults = { ...defaultConnectWiseDefaults, ...current?.defaults, ...input.defaults };
  const f = defaults.noteFlags;
  if (!f.detailDescriptionFlag && !f.internalAnalysisFlag && !f.resolutionFlag) {
    throw new ValidationError('Notes need at least one visibility: discussion, internal analysis or resolution.', [{ field: 'defaults.noteFlags', message: 'Choose at least one' }]);
  }
  const settings: ConnectWiseSettings = { site: input.site, companyId: input.companyId, publicKey: input.publicKey, clientId: input.clientId, ...(input.baseUrl ? { baseUrl: input.baseUrl } : {}), defaults };
  return view(await connectWiseConnections.save(deps, actor, tenantId, { settings, secrets }, { action: 'connectwise_connection.saved', request }));
}

/** The tenant's Manage API, refusing clearly when ConnectWise is off or not set up. */
export async function manageApiFor(deps: AppDeps, tenant: TenantRow): Promise<{ api: ManageApi; settings: ConnectWiseSettings }> {
  if (!(await tenantFeatures(deps, tenant)).connectwise) throw new ConflictError(`ConnectWise is switched off for ${tenant.name}.`, 'connectwise_disabled');
  const connection = await connectWiseConnections.load(deps, tenant.id);
  const privateKey = connection?.secrets.privateKey;
  if (!connection || !privateKey) throw new ConflictError(`The ConnectWise connection of ${tenant.name} is not set up yet.`, 'connectwise_not_configured');
  const settings = { ...connection.settings, defaults: { ...defaultConnectWiseDefaults, ...connection.settings.defaults } };
  return { api: new ManageApi({ ...settings, privateKey }, deps.log.child({ tenantId: tenant.id, connector: 'connectwise' }), retryPolicyWithTimeout(deps.config.connectorTimeoutMs)), settings };
}

export async function testConnectWiseConnection(deps: AppDeps, actor: Actor, tenantId: string, request: RequestInfo) {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const { api } = await manageApiFor(deps, tenant);
  const steps: Array<{ name: string; ok: boolean; message: string }> = [];
  try {
    const boards = await api.boards();
    steps.push({ name: 'API keys', ok: true, message: `ConnectWise answered; ${boards.length} service board(s) visible.` });
  } catch (error) {
    steps.push({ name: 'API keys', ok: false, message: error instanceof Error ? error.message : String(error) });
  }
  if (steps[0]?.ok && tenant.connectwiseCompanyId) {
    try {
      const tickets = await api.searchTickets({ companyIdentifier: tenant.connectwiseCompanyId, limit: 1 });
      steps.push({ name: 'Company', ok: true, message: tickets.length ? `Tickets of ${tenant.connectwiseCompanyId} are visible.` : `No open ticket of ${tenant.connectwiseCompanyId} right now (the company mapping is used as given).` });
    } catch (error) {
      steps.push({ name: 'Company', ok: false, message: error instanceof Error ? error.message : String(error) });
    }
  }
  const result = { ok: steps.every((s) => s.ok), steps };
  await connectWiseConnections.recordTest(deps, actor, tenantId, result, { action: 'connectwise_connection.tested', after: result, request });
  return result;
}

/** Ticket search for the work context (F1): the tenant's mapped company, its boards, open tickets. */
export async function searchTenantTickets(deps: AppDeps, actor: Actor, tenantId: string, search: { text?: string | undefined; ticketId?: number | undefined; openOnly: boolean }) {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const { api, settings } = await manageApiFor(deps, tenant);
  const tickets = await api.searchTickets({ ...search, companyIdentifier: tenant.connectwiseCompanyId ?? undefined, boardIds: settings.defaults.boardIds, limit: 50 });
  return tickets.map((t) => ({ id: t.id, summary: t.summary, board: t.board ? { id: t.board.id, name: t.board.name ?? '' } : null, status: t.status ? { id: t.status.id, name: t.status.name ?? '' } : null, company: t.company?.identifier ?? null, closed: t.closedFlag ?? false }));
}

/** The statuses a ticket may be moved to (F2), with the current one. */
export async function ticketStatuses(deps: AppDeps, actor: Actor, tenantId: string, ticketId: number) {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const { api } = await manageApiFor(deps, tenant);
  const ticket = await api.getTicket(ticketId);
  if (tenant.connectwiseCompanyId && ticket.company?.identifier !== tenant.connectwiseCompanyId) throw new ConflictError(`Ticket ${ticketId} belongs to another company than ${tenant.name}.`, 'ticket_other_company');
  const offered = ticket.board ? await api.offerableStatuses(ticket.board.id) : [];
  return { current: ticket.status ? { id: ticket.status.id, name: ticket.status.name ?? '' } : null, offered: offered.map((s) => ({ id: s.id, name: s.name })) };
}
