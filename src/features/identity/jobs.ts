import { applyAuditRetention } from '../audit/audit-retention.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { deleteExpiredSessions } from './sessions.ts';
import type { JobQueue } from '../../jobs/queue.ts';

export const HOUSEKEEPING_QUEUE = 'housekeeping';
export const AUDIT_RETENTION_QUEUE = 'audit-retention';

/** Declares the queues and their schedules; every node may call this, it is idempotent. */
export async function declareHousekeeping(queue: JobQueue): Promise<void> {
  await queue.createQueue(HOUSEKEEPING_QUEUE);
  await queue.schedule(HOUSEKEEPING_QUEUE, '*/15 * * * *');
  // Daily, at a quiet hour (UTC), after the inventory's own nightly jobs.
  await queue.createQueue(AUDIT_RETENTION_QUEUE);
  await queue.schedule(AUDIT_RETENTION_QUEUE, '30 2 * * *');
}

/** Periodic clean-up: sessions past their idle or absolute limit; audit events past retention. */
export async function workHousekeeping(queue: JobQueue, deps: AppDeps, pollingIntervalSeconds = 2): Promise<void> {
  await queue.work(HOUSEKEEPING_QUEUE, { pollingIntervalSeconds }, async () => {
    const expiredSessions = await deleteExpiredSessions(deps);
    deps.log.info({ expiredSessions }, 'housekeeping done');
    return { expiredSessions };
  });
  await queue.work(AUDIT_RETENTION_QUEUE, { pollingIntervalSeconds }, async () => {
    const result = await applyAuditRetention(deps);
    deps.log.info(result, 'audit retention applied');
    return result;
  });
}
