import type { requiredGraphPermissions } from '../../core/policy-types.ts';
import type { TeamsPolicyType, TeamsUserDto, VoiceChangeDto, VoiceState } from '../api/teams.ts';
import type { Tone } from '../components/Badge.tsx';

/** The thirteen policy types, in the order people look for them (the server's catalog has the same labels). */
export const policyTypeLabels: Record<TeamsPolicyType, string> = {
  OnlineVoiceRoutingPolicy: 'Voice routing policy',
  TenantDialPlan: 'Dial plan',
  CallingLineIdentity: 'Caller ID policy',
  TeamsCallingPolicy: 'Calling policy',
  TeamsCallHoldPolicy: 'Call hold policy',
  OnlineVoicemailPolicy: 'Voicemail policy',
  TeamsEmergencyCallingPolicy: 'Emergency calling policy',
  TeamsEmergencyCallRoutingPolicy: 'Emergency call routing policy',
  OnlineAudioConferencingRoutingPolicy: 'Audio conferencing routing policy',
  TeamsAudioConferencingPolicy: 'Audio conferencing policy',
  TeamsCallParkPolicy: 'Call park policy',
  TeamsMeetingPolicy: 'Meeting policy',
  TeamsVoiceApplicationsPolicy: 'Voice applications policy',
};

export const policyTypes = Object.keys(policyTypeLabels) as TeamsPolicyType[];
/** Shown first in the change form; the other eleven sit behind "Other policies". */
export const mainPolicyTypes: TeamsPolicyType[] = ['OnlineVoiceRoutingPolicy', 'TenantDialPlan'];
export const otherPolicyTypes = policyTypes.filter((p) => !mainPolicyTypes.includes(p));

export function policyLabel(type: string): string {
  return policyTypeLabels[type as TeamsPolicyType] ?? type;
}

type PermissionName = (typeof requiredGraphPermissions)[number]['name'];

/** The Graph application permissions the app registration needs, and what each is for. */
export const graphPermissions: Record<PermissionName, string> = {
  'User.Read.All': 'Find users and read their licences and usage location.',
  'TeamsUserConfiguration.Read.All': "Read users' Teams voice configuration and the policies they have.",
  'TeamsTelephoneNumber.ReadWrite.All': 'List, assign and remove phone numbers.',
  'TeamsPolicyUserAssign.ReadWrite.All': 'Assign and remove Teams policies and dial plans.',
};

/** How a user got a policy: assigned to them, through a group, or the org-wide default. */
export function assignmentLabel(assignmentType: string | null | undefined): { label: string; tone: Tone } {
  if (assignmentType === 'direct') return { label: 'Direct', tone: 'blue' };
  if (assignmentType === 'group') return { label: 'Inherited from a group', tone: 'violet' };
  return { label: 'Inherited (org-wide default)', tone: 'neutral' };
}

/** What stands between a user and a phone number, in words (the server checks the same). */
export function voiceReadiness(user: TeamsUserDto): string[] {
  const missing: string[] = [];
  if (!user.accountEnabled) missing.push('The account is disabled in Entra ID.');
  if (!user.phoneSystem) missing.push('No Teams Phone licence (Phone System): assign it in Microsoft 365 first.');
  if (!user.usageLocation) missing.push('No usage location: set it in Entra ID (user › Properties) first.');
  return missing;
}

/** What a change does, as a heading next to its state ("Assign a number · Failed"). */
export const changeKindLabels: Record<VoiceChangeDto['kind'], string> = {
  assign_number: 'Assign a number',
  remove_number: 'Remove the number',
  policies: 'Set policies',
  revert: 'Revert a change',
};

/** What Teams has confirmed, in words. */
export const changeDoneLabels: Record<VoiceChangeDto['kind'], string> = {
  assign_number: 'the number is assigned',
  remove_number: 'the number is removed',
  policies: 'the policies are set',
  revert: 'the change is reverted',
};

export const changeStatus: Record<VoiceChangeDto['status'], { label: string; tone: Tone }> = {
  pending: { label: 'Waiting for Teams', tone: 'amber' },
  succeeded: { label: 'Confirmed by Teams', tone: 'green' },
  failed: { label: 'Failed', tone: 'red' },
};

const numberText = (state: VoiceState) => state.number?.e164 ?? 'no number';

/** "Number: none → +1 425…; Voice routing policy: (inherit) → US-Domestic" for one change. */
export function changeSummary(change: Pick<VoiceChangeDto, 'before' | 'requested'>): string[] {
  const lines: string[] = [];
  if ((change.before.number?.e164 ?? null) !== (change.requested.number?.e164 ?? null)) lines.push(`Number: ${numberText(change.before)} → ${numberText(change.requested)}`);
  const types = new Set([...Object.keys(change.before.policies), ...Object.keys(change.requested.policies)]);
  for (const type of policyTypes.filter((p) => types.has(p))) {
    const from = change.before.policies[type] ?? null;
    const to = change.requested.policies[type] ?? null;
    if (from !== to) lines.push(`${policyLabel(type)}: ${from ?? 'inherited'} → ${to ?? 'inherited'}`);
  }
  return lines;
}
