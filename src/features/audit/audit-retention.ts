import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/connection.ts';
import { readSettings } from '../settings/app-settings.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { AppDeps } from '../kernel/deps.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Small enough that each delete is a short statement that never holds locks for long. */
export const AUDIT_RETENTION_BATCH = 5_000;

export type RetentionResult = { retentionDays: number | null; cutoff: string | null; deleted: number };

/**
 * Deletes audit events older than the admin's retention setting, batch by batch, then writes
 * one audit event (audit.retention_applied) saying how many went. With no retention set it
 * does nothing. Running it twice deletes nothing the second time, so a retried or doubled
 * job is harmless; an event is written only when something was removed.
 */
export async function applyAuditRetention(deps: AppDeps): Promise<RetentionResult> {
  const { auditRetentionDays } = await readSettings(deps.db);
  if (auditRetentionDays === null) return { retentionDays: null, cutoff: null, deleted: 0 };
  const cutoff = new Date(deps.now().getTime() - auditRetentionDays * DAY_MS);
  let deleted = 0;
  for (;;) {
    const rows = await queryRows<{ id: number }>(
      deps.db,
      sql`delete from audit_events where id in (select id from audit_events where occurred_at < ${cutoff.toISOString()} order by id limit ${AUDIT_RETENTION_BATCH}) returning id`,
    );
    deleted += rows.length;
    if (rows.length < AUDIT_RETENTION_BATCH) break;
  }
  if (deleted > 0) {
    await recordAudit(deps.db, {
      action: 'audit.retention_applied',
      actor: { operatorId: null, label: 'system' },
      targetType: 'audit',
      after: { deleted, olderThan: cutoff.toISOString(), retentionDays: auditRetentionDays },
    });
  }
  return { retentionDays: auditRetentionDays, cutoff: cutoff.toISOString(), deleted };
}
