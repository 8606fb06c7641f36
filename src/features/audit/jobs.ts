import type { AppDeps } from '../kernel/deps.ts';
import { applyAuditRetention } from './audit-retention.ts';
import type { JobQueue } from '../../jobs/queue.ts';

export const AUDIT_RETENTION_QUEUE = 'audit-retention';

/** Daily, at a quiet hour (UTC), after the inventory's own nightly jobs. Idempotent. */
export async function declareAuditJobs(queue: JobQueue): Promise<void> {
  await queue.createQueue(AUDIT_RETENTION_QUEUE);
  await queue.schedule(AUDIT_RETENTION_QUEUE, '30 2 * * *');
}

/** Deletes audit events past the retention setting (G1). */
export async function workAuditJobs(queue: JobQueue, deps: AppDeps, pollingIntervalSeconds = 2): Promise<void> {
  await queue.work(AUDIT_RETENTION_QUEUE, { pollingIntervalSeconds }, async () => {
    const result = await applyAuditRetention(deps);
    deps.log.info(result, 'audit retention applied');
    return result;
  });
}
