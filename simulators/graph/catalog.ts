// Fixed vocabularies of the Teams Phone Graph surface: policy types, permissions, licences.

/** The 11 policyType names (Teams cmdlet nouns) the policy assignment calls accept. */
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
} as const;

/** Every Graph application permission the app needs (what the demo app registration is granted). */
export const ALL_APP_PERMISSIONS = ['User.Read.All', 'TeamsUserConfiguration.Read.All', 'TeamsTelephoneNumber.ReadWrite.All', 'TeamsPolicyUserAssign.ReadWrite.All'];

/** Licences (SKU ids as Microsoft publishes them) and the Teams featureTypes they bring. */
export const SKUS = {
  E5: { skuId: '06ebc4ee-1bb5-47dd-8120-11324bc54e06', features: ['Teams', 'AudioConferencing', 'PhoneSystem'] },
  E3: { skuId: '05e9a617-0261-4cee-bb44-138d3ef5d965', features: ['Teams'] },
  TeamsPhoneStandard: { skuId: 'e43b5b99-8dfb-405f-9987-dc307f34bcbd', features: ['PhoneSystem'] },
  DomesticCallingPlan: { skuId: '0dab259f-bf13-4952-b7f8-7db8f131b28d', features: ['CallingPlan'] },
  TeamsPhoneResourceAccount: { skuId: '440eaaa8-b3e0-484b-a8be-62870b9ba70a', features: ['VoiceApp'] },
} as const;
export type SkuName = keyof typeof SKUS;
