import { and, asc, eq, sql } from 'drizzle-orm';
import { policyTypeNames, teamsPolicyTypes, type TeamsPolicyType } from '../../core/policy-types.ts';
import { ConflictError, ValidationError } from '../../core/errors.ts';
import { teamsPolicies, teamsPolicyRefreshes } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { teamsApiFor, teamsCertificateCredentials } from './connection.ts';
import { listPoliciesWithPowerShell } from '../../connectors/teams/powershell-bridge.ts';
import { loadActiveTenant, loadTenant } from '../tenants/tenants.ts';

/**
 * A tenant's policy catalog (D3). Graph cannot list a tenant's policies, so the catalog grows
 * from the names seen on users during sync and from names an admin adds, each checked with
 * Graph's getPolicyId before it is accepted.
 */
export async function listTeamsPolicies(deps: AppDeps, actor: Actor, tenantId: string) {
  await loadTenant(deps.db, actor, tenantId);
  const rows = await deps.db.select().from(teamsPolicies).where(eq(teamsPolicies.tenantId, tenantId)).orderBy(asc(teamsPolicies.policyType), asc(teamsPolicies.name));
  const [refresh] = await deps.db.select({ refreshedAt: teamsPolicyRefreshes.refreshedAt }).from(teamsPolicyRefreshes).where(eq(teamsPolicyRefreshes.tenantId, tenantId));
  const types = teamsPolicyTypes.map((t) => ({
    policyType: t.type,
    label: t.label,
    policies: rows.filter((r) => r.policyType === t.type).map((r) => ({ id: r.id, name: r.name, policyId: r.policyId, source: r.source, description: r.description })),
  }));
  return { types, refreshedAt: refresh?.refreshedAt.toISOString() ?? null, powershellBridge: Boolean(deps.config.pwshPath) };
}

/** What to set up for "Refresh from Teams", said in full where the bridge is missing. */
export const POWERSHELL_SETUP =
  'Graph cannot list a tenant\'s policies; the PowerShell bridge reads them. To set it up: install PowerShell 7 and the MicrosoftTeams module on this server, set UCR_PWSH_PATH to the pwsh executable, upload or generate the tenant\'s Teams certificate (Connections › Microsoft Teams), and give the app registration the Teams Administrator role in Entra ID. Until then, add policy names by hand (each is checked against the tenant).';

export async function addTeamsPolicy(deps: AppDeps, actor: Actor, tenantId: string, input: { policyType: TeamsPolicyType; name: string; description?: string | undefined }, request: RequestInfo) {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const name = input.name.trim();
  const [existing] = await deps.db
    .select({ id: teamsPolicies.id })
    .from(teamsPolicies)
    .where(and(eq(teamsPolicies.tenantId, tenantId), eq(teamsPolicies.policyType, input.policyType), sql`lower(${teamsPolicies.name}) = lower(${name})`));
  if (existing) throw new ConflictError(`"${name}" is already in the catalog.`, 'policy_exists');
  const policyId = await (await teamsApiFor(deps, tenant)).getPolicyId(input.policyType, name);
  if (!policyId) throw new ValidationError(`Teams has no ${input.policyType} named "${name}" in ${tenant.name}. Check the spelling (names are as in the Teams admin center).`, [{ field: 'name', message: 'Not found in the tenant' }]);
  return deps.db.transaction(async (tx) => {
    const [row] = await tx.insert(teamsPolicies).values({ tenantId, policyType: input.policyType, name, policyId, source: 'admin', description: input.description ?? '' }).returning();
    await recordAudit(tx, { action: 'teams_policy.added', actor, tenantId, targetType: 'teams_policy', targetId: row!.id, after: { policyType: row!.policyType, name, policyId }, request });
    return { id: row!.id, name: row!.name, policyId: row!.policyId, source: row!.source, description: row!.description };
  });
}

/** Fills the catalog with every policy the tenant has, through the optional PowerShell bridge. */
export async function refreshPoliciesWithPowerShell(deps: AppDeps, actor: Actor, tenantId: string, request: RequestInfo): Promise<{ added: number; byType: Record<string, number>; refreshedAt: string }> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  if (!deps.config.pwshPath) throw new ConflictError(`The PowerShell bridge is not set up on this server. ${POWERSHELL_SETUP}`, 'powershell_not_configured');
  const credentials = await teamsCertificateCredentials(deps, tenant);
  const found = await listPoliciesWithPowerShell({ pwshPath: deps.config.pwshPath }, credentials, [...policyTypeNames]);
  const byType: Record<string, number> = {};
  let added = 0;
  const refreshedAt = new Date();
  await deps.db.transaction(async (tx) => {
    for (const [type, policies] of Object.entries(found)) {
      byType[type] = policies.length;
      for (const p of policies) {
        const inserted = await tx.insert(teamsPolicies).values({ tenantId, policyType: type, name: p.name, policyId: null, source: 'powershell', description: p.description }).onConflictDoNothing().returning({ id: teamsPolicies.id });
        added += inserted.length;
      }
    }
    await tx.insert(teamsPolicyRefreshes).values({ tenantId, refreshedAt }).onConflictDoUpdate({ target: teamsPolicyRefreshes.tenantId, set: { refreshedAt } });
    await recordAudit(tx, { action: 'teams_policy.refreshed_with_powershell', actor, tenantId, targetType: 'tenant', targetId: tenantId, after: { added, byType }, request });
  });
  return { added, byType, refreshedAt: refreshedAt.toISOString() };
}
