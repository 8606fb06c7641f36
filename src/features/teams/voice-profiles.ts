import { and, asc, eq, sql } from 'drizzle-orm';
import { canonicalPolicyType } from '../../core/policy-types.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { numberRanges, sites, voiceProfiles } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { allocateNextNumber, type AllocationSource } from '../numbers/number-allocator.ts';
import { changeNumberStatus } from '../numbers/number-store.ts';
import { loadActiveTenant, loadTenant, type TenantRow } from '../tenants/tenants.ts';
import { teamsApiFor } from './connection.ts';
import { requestVoiceChange, type VoiceChangeView } from './voice-changes.ts';

export type ProfileInput = {
  name: string;
  numberSource: AllocationSource | null;
  policies: Record<string, string | null>;
  /** Licences (Graph SKU ids) onboarding assigns when the user lacks them. */
  licenceSkuIds?: string[] | undefined;
  /** Two-letter country onboarding sets when the user has no usage location. */
  usageLocation?: string | null | undefined;
};

function profileView(p: typeof voiceProfiles.$inferSelect) {
  return { id: p.id, tenantId: p.tenantId, name: p.name, numberSource: p.numberSource, policies: p.policies, licenceSkuIds: p.licenceSkuIds, usageLocation: p.usageLocation, updatedAt: p.updatedAt.toISOString() };
}
export type ProfileView = ReturnType<typeof profileView>;

function checkPolicies(policies: Record<string, string | null>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [type, name] of Object.entries(policies)) {
    const canonical = canonicalPolicyType(type);
    if (!canonical) throw new ValidationError(`Unknown policy type ${type}.`, [{ field: `policies.${type}`, message: 'Unknown policy type' }]);
    out[canonical] = name;
  }
  return out;
}

/** A profile's licences must be subscriptions the tenant has (Graph subscribedSkus), so onboarding can assign them. */
async function checkLicences(deps: AppDeps, tenant: TenantRow, skuIds: string[]): Promise<void> {
  if (skuIds.length === 0) return;
  const skus = await (await teamsApiFor(deps, tenant)).listSubscribedSkus();
  const unknown = skuIds.find((id) => !skus.some((s) => s.skuId.toLowerCase() === id));
  if (unknown) throw new AppError(400, 'licence_unknown', `${tenant.name} has no subscription ${unknown}; pick one of the tenant's licences.`, [{ field: 'licenceSkuIds', message: 'Not a subscription of this tenant' }]);
}

export async function listVoiceProfiles(deps: AppDeps, actor: Actor, tenantId: string): Promise<ProfileView[]> {
  await loadTenant(deps.db, actor, tenantId);
  return (await deps.db.select().from(voiceProfiles).where(eq(voiceProfiles.tenantId, tenantId)).orderBy(asc(voiceProfiles.name))).map(profileView);
}

export async function saveVoiceProfile(deps: AppDeps, actor: Actor, tenantId: string, profileId: string | null, input: ProfileInput, request: RequestInfo): Promise<ProfileView> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const licenceSkuIds = [...new Set((input.licenceSkuIds ?? []).map((id) => id.toLowerCase()))];
  await checkLicences(deps, tenant, licenceSkuIds);
  const values = { name: input.name.trim(), numberSource: input.numberSource, policies: checkPolicies(input.policies), licenceSkuIds, usageLocation: input.usageLocation?.toUpperCase() ?? null, updatedAt: deps.now() };
  return deps.db.transaction(async (tx) => {
    // The range or site a profile takes numbers from is one of this tenant's, not an id of nothing.
    const source = input.numberSource;
    if (source && 'rangeId' in source) {
      const [range] = await tx.select({ id: numberRanges.id }).from(numberRanges).where(and(eq(numberRanges.id, source.rangeId), eq(numberRanges.tenantId, tenantId)));
      if (!range) throw new NotFoundError('The range of the number source');
    } else if (source && 'siteId' in source) {
      const [site] = await tx.select({ id: sites.id }).from(sites).where(and(eq(sites.id, source.siteId), eq(sites.tenantId, tenantId)));
      if (!site) throw new NotFoundError('The site of the number source');
    }
    const [clash] = await tx.select({ id: voiceProfiles.id }).from(voiceProfiles).where(and(eq(voiceProfiles.tenantId, tenantId), sql`lower(${voiceProfiles.name}) = lower(${values.name})`));
    if (clash && clash.id !== profileId) throw new ConflictError(`A profile named "${values.name}" already exists.`, 'profile_name_taken');
    let before: typeof voiceProfiles.$inferSelect | undefined;
    let row: typeof voiceProfiles.$inferSelect | undefined;
    if (profileId) {
      [before] = await tx.select().from(voiceProfiles).where(and(eq(voiceProfiles.id, profileId), eq(voiceProfiles.tenantId, tenantId)));
      if (!before) throw new NotFoundError('Profile');
      [row] = await tx.update(voiceProfiles).set(values).where(eq(voiceProfiles.id, profileId)).returning();
    } else {
      [row] = await tx.insert(voiceProfiles).values({ tenantId, ...values }).returning();
    }
    await recordAudit(tx, { action: profileId ? 'voice_profile.updated' : 'voice_profile.created', actor, tenantId, targetType: 'voice_profile', targetId: row!.id, before: before ? profileView(before) : null, after: profileView(row!), request });
    return profileView(row!);
  });
}

export async function deleteVoiceProfile(deps: AppDeps, actor: Actor, tenantId: string, profileId: string, request: RequestInfo): Promise<void> {
  await loadActiveTenant(deps.db, actor, tenantId);
  await deps.db.transaction(async (tx) => {
    const [row] = await tx.delete(voiceProfiles).where(and(eq(voiceProfiles.id, profileId), eq(voiceProfiles.tenantId, tenantId))).returning();
    if (!row) throw new NotFoundError('Profile');
    await recordAudit(tx, { action: 'voice_profile.deleted', actor, tenantId, targetType: 'voice_profile', targetId: profileId, before: profileView(row), request });
  });
}

/**
 * Applies a profile to one user (D4): the next free number from the profile's source (race-safe
 * allocation, held by a short reservation) and the profile's policies, as one voice change.
 */
export async function applyVoiceProfile(deps: AppDeps, actor: Actor, tenantId: string, userId: string, profileId: string, info: RequestInfo, ticketId?: string | null): Promise<VoiceChangeView> {
  await loadActiveTenant(deps.db, actor, tenantId);
  const [profile] = await deps.db.select().from(voiceProfiles).where(and(eq(voiceProfiles.id, profileId), eq(voiceProfiles.tenantId, tenantId)));
  if (!profile) throw new NotFoundError('Profile');
  let numberId: string | undefined;
  if (profile.numberSource) {
    const held = await allocateNextNumber(deps, actor, tenantId, profile.numberSource, { action: 'reserve', reason: `Profile "${profile.name}" for a user`, until: new Date(deps.now().getTime() + 3_600_000), ticketId }, info);
    numberId = held.id;
  }
  try {
    return await requestVoiceChange(deps, actor, tenantId, { userId, ...(numberId ? { number: { numberId } } : {}), policies: profile.policies, ticketId }, info);
  } catch (error) {
    // Refused before anything reached Teams: hand the held number back at once.
    if (numberId) await changeNumberStatus(deps, actor, tenantId, numberId, { action: 'cancel_reservation', reason: 'Profile not applied' }, info).catch(() => undefined);
    throw error;
  }
}
