import { ManageApi } from '../../connectors/connectwise/manage-api.ts';
import { conditionString } from '../../connectors/connectwise/manage-api.ts';
import { member as memberSchema } from '../../connectors/connectwise/schemas.ts';
import { connectWiseConnections, manageApiFor } from './connection.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';
import { loadTenant, tenantFeatures } from '../tenants/tenants.ts';

/**
 * The lists the ticket defaults are chosen from (B4, F4): only what ConnectWise itself returns
 * as active, so a default can never be a typed name Manage does not know.
 */
export async function connectWiseChoices(deps: AppDeps, actor: Actor, tenantId: string) {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const { api } = await manageApiFor(deps, tenant);
  const [boards, workRoles, workTypes] = await Promise.all([api.boards(), api.workRoles(), api.workTypes()]);
  return {
    boards: boards.filter((b) => !b.inactiveFlag).map((b) => ({ id: b.id, name: b.name })),
    workRoles: workRoles.filter((r) => !r.inactiveFlag).map((r) => ({ id: r.id, name: r.name })),
    workTypes: workTypes.filter((w) => !w.inactiveFlag).map((w) => ({ id: w.id, name: w.name, billTime: w.billTime ?? null })),
  };
}

/** Statuses of a board a ticket may be moved to (F2): the choices for "status after a change". */
export async function boardStatusChoices(deps: AppDeps, actor: Actor, tenantId: string, boardId: number) {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const { api } = await manageApiFor(deps, tenant);
  return (await api.offerableStatuses(boardId)).map((s) => ({ id: s.id, name: s.name }));
}

/**
 * Active members of the Manage sites the tenants are connected to, for mapping an operator to
 * the member their time is logged as (F4). Members belong to the MSP's own Manage, so one
 * connection per distinct site answers for all tenants on it.
 */
export async function connectWiseMembers(deps: AppDeps, search: string | undefined) {
  const sites = new Map<string, ManageApi>();
  for (const { tenant, connection } of await connectWiseConnections.loadForActiveTenants(deps)) {
    const { settings } = connection;
    const privateKey = connection.secrets.privateKey;
    if (!privateKey || !(await tenantFeatures(deps, tenant)).connectwise) continue;
    const key = `${settings.baseUrl ?? settings.site}|${settings.companyId.toLowerCase()}`;
    if (sites.has(key)) continue;
    sites.set(key, new ManageApi({ ...settings, privateKey }, deps.log.child({ connector: 'connectwise' })));
  }
  const conditions = ['inactiveFlag = false'];
  if (search?.trim()) {
    const like = conditionString(`%${search.trim()}%`);
    conditions.push(`(identifier like ${like} or firstName like ${like} or lastName like ${like})`);
  }
  const query = new URLSearchParams({ conditions: conditions.join(' and '), orderBy: 'identifier asc' }).toString();
  const seen = new Map<string, { identifier: string; name: string }>();
  const problems: string[] = [];
  for (const api of sites.values()) {
    try {
      for (const m of await api.client.list(`/system/members?${query}`, memberSchema, 200)) {
        const name = [m.firstName, m.lastName].filter(Boolean).join(' ');
        if (!seen.has(m.identifier.toLowerCase())) seen.set(m.identifier.toLowerCase(), { identifier: m.identifier, name });
      }
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return { sites: sites.size, members: [...seen.values()].sort((a, b) => a.identifier.localeCompare(b.identifier)), problems };
}
