import type { TeamsApi } from '../../connectors/teams/teams-api.ts';
import type { SubscribedSku } from '../../connectors/teams/graph-schemas.ts';

/**
 * Teams Phone is the MCOEV service plan (in Teams Phone Standard, E5 and others); a Calling Plan is
 * one of the MCOPSTN plans — "Product names and service plan identifiers for licensing"
 * (learn.microsoft.com/entra/identity/users/licensing-service-plan-reference).
 */
export const TEAMS_PHONE_PLAN_ID = '4828c8ec-dc2e-4779-b502-87ac9ce28ab7';
const isTeamsPhone = (plan: { servicePlanId: string; servicePlanName?: string | null | undefined }) => plan.servicePlanId.toLowerCase() === TEAMS_PHONE_PLAN_ID || plan.servicePlanName === 'MCOEV';
const isCallingPlan = (plan: { servicePlanName?: string | null | undefined }) => /^MCOPSTN/i.test(plan.servicePlanName ?? '');

export type LicenceFacts = {
  skus: SubscribedSku[];
  userSkuIds: string[];
  usageLocation: string | null;
  hasTeamsPhone: boolean;
  hasCallingPlan: boolean;
};

/** What the user holds and what the tenant has free, read live from Graph. */
export async function licenceFacts(api: TeamsApi, userId: string): Promise<LicenceFacts> {
  const [user, skus] = await Promise.all([api.getUser(userId), api.listSubscribedSkus()]);
  const userSkuIds = (user.assignedLicenses ?? []).map((l) => l.skuId.toLowerCase());
  const held = skus.filter((s) => userSkuIds.includes(s.skuId.toLowerCase()));
  return {
    skus,
    userSkuIds,
    usageLocation: user.usageLocation ?? null,
    hasTeamsPhone: held.some((s) => s.servicePlans.some(isTeamsPhone)),
    hasCallingPlan: held.some((s) => s.servicePlans.some(isCallingPlan)),
  };
}

export const freeUnits = (sku: SubscribedSku) => sku.prepaidUnits.enabled - sku.consumedUnits;
export const skuLabel = (sku: SubscribedSku | undefined, skuId: string) => sku?.skuPartNumber ?? skuId;
export const grantsTeamsPhone = (sku: SubscribedSku) => sku.servicePlans.some(isTeamsPhone);
export const grantsCallingPlan = (sku: SubscribedSku) => sku.servicePlans.some(isCallingPlan);
