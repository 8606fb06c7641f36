/**
 * The Teams policy types UCR Manager manages (SPEC D3), named as Graph's policy assignment API
 * and the Teams cmdlets name them, with the label people know them by. TeamsAudioConferencingPolicy
 * and TeamsCallParkPolicy are among the types Teams assigns to users and groups (New-CsGroupPolicyAssignment).
 */
export const teamsPolicyTypes = [
  { type: 'OnlineVoiceRoutingPolicy', label: 'Voice routing policy' },
  { type: 'OnlineAudioConferencingRoutingPolicy', label: 'Audio conferencing routing policy' },
  // The per-user audio conferencing policy (toll and toll-free numbers in invites) that Teams grants
  // with Grant-CsTeamsAudioConferencingPolicy; the routing policy above is a different thing (dial-out routing).
  { type: 'TeamsAudioConferencingPolicy', label: 'Audio conferencing policy' },
  { type: 'TeamsCallParkPolicy', label: 'Call park policy' },
  { type: 'TeamsCallHoldPolicy', label: 'Call hold policy' },
  { type: 'CallingLineIdentity', label: 'Caller ID policy' },
  { type: 'TeamsCallingPolicy', label: 'Calling policy' },
  { type: 'TeamsEmergencyCallRoutingPolicy', label: 'Emergency call routing policy' },
  { type: 'TeamsEmergencyCallingPolicy', label: 'Emergency calling policy' },
  { type: 'TeamsMeetingPolicy', label: 'Meeting policy' },
  { type: 'TeamsVoiceApplicationsPolicy', label: 'Voice applications policy' },
  { type: 'OnlineVoicemailPolicy', label: 'Voicemail policy' },
  { type: 'TenantDialPlan', label: 'Dial plan' },
] as const;

export type TeamsPolicyType = (typeof teamsPolicyTypes)[number]['type'];
export const policyTypeNames = teamsPolicyTypes.map((p) => p.type) as [TeamsPolicyType, ...TeamsPolicyType[]];

/** Graph writes policy types in more than one casing; match any. */
export function canonicalPolicyType(value: string): TeamsPolicyType | undefined {
  return teamsPolicyTypes.find((p) => p.type.toLowerCase() === value.toLowerCase())?.type;
}

/** Graph permissions the app needs, and why, for the connection test and the setup guide. */
export const requiredGraphPermissions = [
  { name: 'User.Read.All', why: 'find users and read their licences and usage location' },
  { name: 'TeamsUserConfiguration.Read.All', why: "read users' Teams voice configuration and policies" },
  { name: 'TeamsTelephoneNumber.ReadWrite.All', why: 'list, assign and remove phone numbers' },
  { name: 'TeamsPolicyUserAssign.ReadWrite.All', why: 'assign and remove Teams policies and dial plans' },
] as const;
