import type { LifecycleAction } from './number-lifecycle.ts';

/**
 * Every audit action the app records (G1), by family. The audit writer accepts only these names,
 * so a new kind of event is added here first; the audit page's filter and the reverts read the
 * same list, so they cannot drift from what the server writes.
 */
export const voiceChangeKinds = ['assign_number', 'remove_number', 'policies', 'revert'] as const;
export type VoiceChangeKind = (typeof voiceChangeKinds)[number];

const lifecycleAuditActions = ['reserve', 'cancel_reservation', 'assign', 'release', 'expire_cooling', 'expire_reservation', 'block', 'unblock', 'retire', 'restore', 'claim', 'reclaim'] as const satisfies readonly LifecycleAction[];

export const auditActionFamilies = {
  auth: ['auth.sign_in', 'auth.password_accepted', 'auth.sign_out', 'auth.signed_out_everywhere'],
  mfa: ['mfa.enrolled', 'mfa.recovery_codes_regenerated', 'mfa.reset_by_admin'],
  operator: ['operator.created', 'operator.updated', 'operator.role_changed', 'operator.scope_changed', 'operator.disabled', 'operator.enabled', 'operator.approved', 'operator.entra_linked', 'operator.password_changed', 'operator.password_reset', 'operator.unlocked'],
  api_token: ['api_token.created', 'api_token.revoked'],
  settings: ['settings.changed', 'settings.entra_sign_in_changed', 'settings.entra_sign_in_tested', 'settings.entra_sign_in_certificate_generated'],
  tenant: ['tenant.created', 'tenant.updated', 'tenant.archived', 'tenant.restored'],
  site: ['site.created', 'site.updated'],
  range: ['range.created'],
  number: [
    'number.created',
    'number.updated',
    'number.assignee_renamed',
    'number.assignment_rolled_back',
    'number.reconciled',
    'number.demo_status',
    'number.emergency_location_set',
    'number.emergency_location_read',
    'number.cooling_reason',
    'number.deleted',
    'number.extension_linked',
    'number.extension_unlinked',
    ...lifecycleAuditActions.map((a) => `number.${a}` as const),
  ],
  numbers: ['numbers.imported', 'numbers.exported', 'numbers.bulk_changed', 'numbers.deleted'],
  voice: [...voiceChangeKinds.map((k) => `voice.${k}` as const), ...voiceChangeKinds.map((k) => `voice.${k}_requested` as const)],
  voice_profile: ['voice_profile.created', 'voice_profile.updated', 'voice_profile.deleted'],
  teams: ['teams.directory_synced', 'teams.reconciled', 'teams.licence_assigned', 'teams.licence_removed', 'teams.usage_location_set'],
  lifecycle: ['lifecycle.onboard_requested', 'lifecycle.offboard_requested', 'lifecycle.step', 'lifecycle.onboarded', 'lifecycle.offboarded', 'lifecycle.failed', 'lifecycle.retried', 'lifecycle.undo_requested', 'lifecycle.undone'],
  scheduled: ['scheduled.created', 'scheduled.updated', 'scheduled.cancelled', 'scheduled.started', 'scheduled.done', 'scheduled.failed'],
  teams_connection: ['teams_connection.saved', 'teams_connection.tested', 'teams_connection.certificate_generated', 'teams_connection.certificate_uploaded', 'teams_connection.deleted'],
  teams_policy: ['teams_policy.added', 'teams_policy.refreshed_with_powershell'],
  voice_apps: ['voice_apps.refreshed'],
  emergency: ['emergency.locations_refreshed', 'emergency.locations_imported', 'emergency.address_created', 'emergency.location_created', 'emergency.default_set', 'emergency.fix_started'],
  resource_account: ['resource_account.create_requested', 'resource_account.step', 'resource_account.created', 'resource_account.create_failed'],
  bulk: ['bulk.dry_run', 'bulk.started', 'bulk.completed', 'bulk.cancelled'],
  threecx: [
    'threecx.extension_created',
    'threecx.extension_updated',
    'threecx.extension_deleted',
    'threecx.extension_restored',
    'threecx.extension_reverted',
    'threecx.extension_renumbered',
    'threecx.did_created',
    'threecx.did_updated',
    'threecx.did_deleted',
    'threecx.trunk_updated',
    'threecx.reconciled',
  ],
  threecx_connection: ['threecx_connection.saved', 'threecx_connection.tested', 'threecx_connection.deleted'],
  connectwise_connection: ['connectwise_connection.saved', 'connectwise_connection.tested', 'connectwise_connection.deleted'],
  ticket: ['ticket.logged', 'ticket.log_retried'],
  audit: ['audit.exported', 'audit.retention_applied'],
  report: ['report.exported'],
} as const;

export type AuditActionFamily = keyof typeof auditActionFamilies;
export type AuditAction = (typeof auditActionFamilies)[AuditActionFamily][number];
export const auditActions: readonly AuditAction[] = Object.values(auditActionFamilies).flat();

export function isAuditAction(value: string): value is AuditAction {
  return (auditActions as readonly string[]).includes(value);
}
