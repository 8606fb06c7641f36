import { eq } from 'drizzle-orm';
import { AppError, ConflictError } from '../../core/errors.ts';
import { voiceAppSnapshots } from '../../db/schema/index.ts';
import { listAutoAttendants, listCallQueues, listResourceAccounts, type AutoAttendant, type CallFlow, type CallQueue, type ResourceAccount } from '../../connectors/teams/voice-apps.ts';
import type { BridgeCredentials } from '../../connectors/teams/powershell-bridge.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { teamsApiFor, teamsCertificateCredentials } from '../teams/connection.ts';
import { loadActiveTenant, loadTenant, type TenantRow } from '../tenants/tenants.ts';
import type { CallFlowDto, CallTargetDto, VoiceAppsDto, VoiceAppsRead } from './schemas.ts';

/**
 * Resource accounts, auto attendants and call queues of a tenant (issue #20, read side). Graph
 * lists resource accounts (teamsUserConfiguration accountType resourceAccount), their numbers
 * (numberAssignment assignmentTargetId) and licences (assignedLicenses + subscribedSkus); only
 * Teams PowerShell knows the auto attendants and call queues, so those come through the optional
 * bridge. A refresh reads both and keeps the result in voice_app_snapshots.
 */

/** The Teams Phone Resource Account licence's skuPartNumber (learn.microsoft.com/entra/identity/users/licensing-service-plan-reference). */
const RESOURCE_ACCOUNT_SKU = 'PHONESYSTEM_VIRTUALUSER';

/** What to set up for the auto attendants and call queues, said in full (the page shows it as is). */
export const VOICE_APPS_SETUP =
  'Graph lists resource accounts and their numbers, but only Teams PowerShell reads auto attendants and call queues. To read them here: install PowerShell 7 and the MicrosoftTeams module (4.9.2 or later) on this server and set UCR_PWSH_PATH to the pwsh executable; upload or generate a certificate on this tenant’s Teams connection (Connections › Microsoft Teams) and add it to the app registration; and give the app registration the Teams Administrator role in Entra ID (Roles and administrators).';

const EMPTY_READ: VoiceAppsRead = { resourceAccounts: [], autoAttendants: [], callQueues: [], bridge: { status: 'not_configured', code: null, message: null } };

async function bridgeCredentials(deps: AppDeps, tenant: TenantRow): Promise<BridgeCredentials | null> {
  try {
    return await teamsCertificateCredentials(deps, tenant);
  } catch (error) {
    if (error instanceof ConflictError) return null;
    throw error;
  }
}

async function powershellState(deps: AppDeps, tenant: TenantRow): Promise<VoiceAppsDto['powershell']> {
  const pwshPath = Boolean(deps.config.pwshPath);
  const certificate = (await bridgeCredentials(deps, tenant)) !== null;
  return { configured: pwshPath && certificate, pwshPath, certificate, setup: pwshPath && certificate ? null : VOICE_APPS_SETUP };
}

export async function getVoiceApps(deps: AppDeps, actor: Actor, tenantId: string): Promise<VoiceAppsDto> {
  const tenant = await loadTenant(deps.db, actor, tenantId);
  const [row] = await deps.db.select().from(voiceAppSnapshots).where(eq(voiceAppSnapshots.tenantId, tenantId));
  const read = (row?.snapshot as VoiceAppsRead | undefined) ?? EMPTY_READ;
  return { ...read, refreshedAt: row?.refreshedAt.toISOString() ?? null, powershell: await powershellState(deps, tenant) };
}

type Bridged = { resourceAccounts: ResourceAccount[]; autoAttendants: AutoAttendant[]; callQueues: CallQueue[] };

/** Reads the tenant again (Graph, then the bridge where set up), stores the read with its time, audits it. */
export async function refreshVoiceApps(deps: AppDeps, actor: Actor, tenantId: string, request: RequestInfo): Promise<VoiceAppsDto> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const api = await teamsApiFor(deps, tenant);
  const [configurations, users, skus, numbers] = await Promise.all([
    api.listUserConfigurations(),
    api.listUsers(),
    api.listSubscribedSkus(),
    // Every number, matched here by assignmentTargetId: the docs do not say which properties $filter takes.
    api.listNumberAssignments(),
  ]);
  let bridged: Bridged | null = null;
  let bridge: VoiceAppsRead['bridge'] = { status: 'not_configured', code: null, message: null };
  const credentials = deps.config.pwshPath ? await bridgeCredentials(deps, tenant) : null;
  if (deps.config.pwshPath && credentials) {
    const options = { pwshPath: deps.config.pwshPath };
    try {
      const [resourceAccounts, autoAttendants, callQueues] = [await listResourceAccounts(options, credentials), await listAutoAttendants(options, credentials), await listCallQueues(options, credentials)];
      bridged = { resourceAccounts, autoAttendants, callQueues };
      bridge = { status: 'read', code: null, message: null };
    } catch (error) {
      // Graph's part still shows; the page names what the bridge said.
      if (!(error instanceof AppError)) throw error;
      bridge = { status: 'failed', code: error.code, message: error.message };
    }
  }

  const userById = new Map(users.map((u) => [u.id, u]));
  const skuName = new Map(skus.map((s) => [s.skuId.toLowerCase(), s.skuPartNumber === RESOURCE_ACCOUNT_SKU ? 'Teams Phone Resource Account' : (s.skuPartNumber ?? s.skuId)]));
  const accountIds = new Set(configurations.filter((c) => c.accountType === 'resourceAccount').map((c) => c.id));
  for (const a of bridged?.resourceAccounts ?? []) accountIds.add(a.objectId);
  const bridgedAccount = new Map((bridged?.resourceAccounts ?? []).map((a) => [a.objectId, a]));
  const autoAttendants = bridged?.autoAttendants ?? [];
  const callQueues = bridged?.callQueues ?? [];
  const servedBy = (id: string) => [
    ...autoAttendants.filter((a) => a.applicationInstances.includes(id)).map((a) => ({ kind: 'autoAttendant' as const, id: a.identity, name: a.name })),
    ...callQueues.filter((q) => q.applicationInstances.includes(id)).map((q) => ({ kind: 'callQueue' as const, id: q.identity, name: q.name })),
  ];

  const resourceAccounts = [...accountIds].map((id) => {
    const user = userById.get(id);
    const config = configurations.find((c) => c.id === id);
    const fromBridge = bridgedAccount.get(id);
    const phoneNumbers = [...new Set([...numbers.filter((n) => n.assignmentTargetId === id).map((n) => n.telephoneNumber), ...(config?.telephoneNumbers ?? []).map((n) => n.telephoneNumber), ...(fromBridge?.phoneNumber ? [fromBridge.phoneNumber] : [])])];
    const licences = (user?.assignedLicenses ?? []).map((l) => skuName.get(l.skuId.toLowerCase()) ?? l.skuId);
    return {
      objectId: id,
      userPrincipalName: user?.userPrincipalName ?? fromBridge?.userPrincipalName ?? config?.userPrincipalName ?? id,
      displayName: user?.displayName ?? fromBridge?.displayName ?? '',
      type: fromBridge ? fromBridge.type : ('unknown' as const),
      phoneNumbers,
      licences,
      hasResourceAccountLicence: licences.includes('Teams Phone Resource Account'),
      serves: servedBy(id),
    };
  }).sort((a, b) => a.displayName.localeCompare(b.displayName) || a.userPrincipalName.localeCompare(b.userPrincipalName));

  const accountLabel = (id: string) => {
    const account = resourceAccounts.find((a) => a.objectId === id);
    return account ? `${account.displayName || account.userPrincipalName}${account.phoneNumbers[0] ? ` (${account.phoneNumbers[0]})` : ''}` : id;
  };
  const userLabel = (id: string) => {
    const user = userById.get(id);
    return user ? `${user.displayName || user.userPrincipalName} <${user.userPrincipalName}>` : id;
  };
  const target = (t: { id: string; type: string } | null): CallTargetDto | null => {
    if (!t) return null;
    const type = t.type;
    let label = t.id;
    if (type === 'User') label = userLabel(t.id);
    else if (type === 'ApplicationEndpoint') {
      const served = servedBy(t.id).map((s) => `${s.kind === 'autoAttendant' ? 'auto attendant' : 'call queue'} ${s.name}`);
      label = `${accountLabel(t.id)}${served.length ? ` → ${served.join(', ')}` : ''}`;
    } else if (type === 'ConfigurationEndpoint') label = autoAttendants.find((a) => a.identity === t.id)?.name ?? callQueues.find((q) => q.identity === t.id)?.name ?? t.id;
    else if (type === 'ExternalPstn') label = t.id.replace(/^tel:/i, '');
    else if (type === 'SharedVoicemail') label = `Shared voicemail (group ${t.id})`;
    return { type, id: t.id, label };
  };
  const flow = (f: CallFlow | null | undefined): CallFlowDto | null =>
    f ? { id: f.id, name: f.name, menuName: f.menu?.name ?? '', options: (f.menu?.options ?? []).map((o) => ({ dtmf: o.dtmfResponse, action: o.action, target: target(o.callTarget) })) } : null;

  const read: VoiceAppsRead = {
    resourceAccounts,
    autoAttendants: autoAttendants.map((a) => {
      const flowById = (id: string) => flow(a.callFlows.find((f) => f.id === id));
      const scheduleById = (id: string) => a.schedules.find((s) => s.id === id);
      const afterHours = a.callHandlingAssociations.find((c) => c.type === 'AfterHours');
      const afterHoursSchedule = afterHours ? scheduleById(afterHours.scheduleId) : undefined;
      return {
        identity: a.identity,
        name: a.name,
        languageId: a.languageId,
        timeZoneId: a.timeZoneId,
        resourceAccounts: a.applicationInstances.map((id) => ({ id, label: accountLabel(id) })),
        defaultCallFlow: flow(a.defaultCallFlow),
        businessHours: afterHours && afterHoursSchedule?.weekly
          ? { scheduleName: afterHoursSchedule.name, days: Object.entries(afterHoursSchedule.weekly).map(([day, ranges]) => ({ day, ranges })), callFlow: flowById(afterHours.callFlowId) }
          : null,
        holidays: a.callHandlingAssociations
          .filter((c) => c.type === 'Holiday')
          .map((c) => {
            const schedule = scheduleById(c.scheduleId);
            return { scheduleName: schedule?.name ?? c.scheduleId, ranges: schedule?.fixed ?? [], callFlow: flowById(c.callFlowId) };
          }),
      };
    }),
    callQueues: callQueues.map((q) => ({
      identity: q.identity,
      name: q.name,
      languageId: q.languageId,
      routingMethod: q.routingMethod,
      resourceAccounts: q.applicationInstances.map((id) => ({ id, label: accountLabel(id) })),
      agents: q.agents.map((a) => ({ id: a.objectId, label: userLabel(a.objectId), optIn: a.optIn })),
      groups: q.distributionLists.map((id) => ({ id, label: id })),
      timeout: { seconds: q.timeoutThreshold, action: q.timeoutAction, target: target(q.timeoutActionTarget) },
      overflow: { calls: q.overflowThreshold, action: q.overflowAction, target: target(q.overflowActionTarget) },
    })),
    bridge,
  };

  const refreshedAt = deps.now();
  await deps.db.transaction(async (tx) => {
    await tx.insert(voiceAppSnapshots).values({ tenantId, snapshot: read, refreshedAt }).onConflictDoUpdate({ target: voiceAppSnapshots.tenantId, set: { snapshot: read, refreshedAt } });
    await recordAudit(tx, {
      action: 'voice_apps.refreshed',
      actor,
      tenantId,
      targetType: 'tenant',
      targetId: tenantId,
      after: { resourceAccounts: read.resourceAccounts.length, autoAttendants: read.autoAttendants.length, callQueues: read.callQueues.length, bridge: bridge.status, ...(bridge.code ? { bridgeError: bridge.code } : {}) },
      request,
    });
  });
  return { ...read, refreshedAt: refreshedAt.toISOString(), powershell: await powershellState(deps, tenant) };
}
