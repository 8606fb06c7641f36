// Fixed vocabularies of the Teams Phone Graph surface: policy types, permissions, licences.

/** The 13 policyType names (Teams cmdlet nouns) the policy assignment calls accept. */
export const POLICY_TYPES = [
  'OnlineVoiceRoutingPolicy',
  'TeamsCallingPolicy',
  'TeamsCallHoldPolicy',
  'CallingLineIdentity',
  'TeamsEmergencyCallingPolicy',
  'TeamsEmergencyCallRoutingPolicy',
  'TeamsMeetingPolicy',
  'TeamsVoiceApplicationsPolicy',
  'OnlineVoicemailPolicy',
  'OnlineAudioConferencingRoutingPolicy',
  'TeamsAudioConferencingPolicy',
  'TeamsCallParkPolicy',
  'TenantDialPlan',
] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

/** Graph docs spell policy types both ways (TeamsMeetingPolicy, teamsMeetingPolicy): match case-insensitively. */
export function canonicalPolicyType(name: unknown): PolicyType | null {
  if (typeof name !== 'string') return null;
  return POLICY_TYPES.find((type) => type.toLowerCase() === name.toLowerCase()) ?? null;
}

export const NUMBER_TYPES = ['internalCalling', 'directRouting', 'callingPlan', 'operatorConnect'] as const;
export type NumberType = (typeof NUMBER_TYPES)[number];
export const ASSIGNMENT_CATEGORIES = ['primary', 'private', 'alternate'] as const;

/** Application permissions each call needs; any one of a list suffices (least privileged first). */
export const PERMISSIONS = {
  readUsers: ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  readUserConfigurations: ['TeamsUserConfiguration.Read.All'],
  readNumbers: ['TeamsTelephoneNumber.Read.All', 'TeamsTelephoneNumber.ReadWrite.All'],
  writeNumbers: ['TeamsTelephoneNumber.ReadWrite.All'],
  assignPolicies: ['TeamsPolicyUserAssign.ReadWrite.All'],
  /** List subscribedSkus (learn.microsoft.com/graph/api/subscribedsku-list): LicenseAssignment.Read.All least privileged. */
  readLicences: ['LicenseAssignment.Read.All', 'LicenseAssignment.ReadWrite.All', 'Organization.Read.All', 'Directory.Read.All'],
  /** user: assignLicense (learn.microsoft.com/graph/api/user-assignlicense): LicenseAssignment.ReadWrite.All least privileged. */
  assignLicences: ['LicenseAssignment.ReadWrite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'],
  /** Update user (usageLocation): User.ReadWrite.All. */
  writeUsers: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
} as const;

/** Every Graph application permission the app needs (what the demo app registration is granted). */
export const ALL_APP_PERMISSIONS = ['User.Read.All', 'TeamsUserConfiguration.Read.All', 'TeamsTelephoneNumber.ReadWrite.All', 'TeamsPolicyUserAssign.ReadWrite.All', 'LicenseAssignment.ReadWrite.All', 'User.ReadWrite.All'];

/**
 * Licences (SKU ids and service plan ids as Microsoft publishes them in "Product names and service
 * plan identifiers for licensing", learn.microsoft.com/entra/identity/users/licensing-service-plan-reference)
 * and the Teams featureTypes they bring. Teams Phone is the MCOEV service plan; a Calling Plan is MCOPSTN1.
 */
export const SERVICE_PLANS = {
  TEAMS1: '57ff2da0-773e-42df-b2af-ffb7a2317929',
  MCOEV: '4828c8ec-dc2e-4779-b502-87ac9ce28ab7',
  MCOMEETADV: '3e26ee1f-8a5f-4d52-aee2-b81ce45c8f40',
  MCOPSTN1: '4ed3ff63-69d7-4fb7-b984-5aec7f605ca8',
  MCOEV_VIRTUALUSER: 'f47330e9-c134-43b3-9993-e7f004506889',
} as const;
export type ServicePlanName = keyof typeof SERVICE_PLANS;

export const SKUS = {
  E5: { skuId: '06ebc4ee-1bb5-47dd-8120-11324bc54e06', skuPartNumber: 'SPE_E5', features: ['Teams', 'AudioConferencing', 'PhoneSystem'], servicePlans: ['TEAMS1', 'MCOMEETADV', 'MCOEV'] },
  E3: { skuId: '05e9a617-0261-4cee-bb44-138d3ef5d965', skuPartNumber: 'SPE_E3', features: ['Teams'], servicePlans: ['TEAMS1'] },
  TeamsPhoneStandard: { skuId: 'e43b5b99-8dfb-405f-9987-dc307f34bcbd', skuPartNumber: 'MCOEV', features: ['PhoneSystem'], servicePlans: ['MCOEV'] },
  DomesticCallingPlan: { skuId: '0dab259f-bf13-4952-b7f8-7db8f131b28d', skuPartNumber: 'MCOPSTN1', features: ['CallingPlan'], servicePlans: ['MCOPSTN1'] },
  TeamsPhoneResourceAccount: { skuId: '440eaaa8-b3e0-484b-a8be-62870b9ba70a', skuPartNumber: 'PHONESYSTEM_VIRTUALUSER', features: ['VoiceApp'], servicePlans: ['MCOEV_VIRTUALUSER'] },
} as const satisfies Record<string, { skuId: string; skuPartNumber: string; features: readonly string[]; servicePlans: readonly ServicePlanName[] }>;
export type SkuName = keyof typeof SKUS;

export function skuNameById(skuId: string): SkuName | undefined {
  return (Object.keys(SKUS) as SkuName[]).find((name) => SKUS[name].skuId === skuId.toLowerCase());
}
