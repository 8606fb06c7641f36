import type { AppDeps } from '../kernel/deps.ts';
import { deleteExpiredSessions } from './sessions.ts';
import type { JobQueue } from '../../jobs/queue.ts';

export const HOUSEKEEPING_QUEUE = 'housekeeping';

/** Declares the queue and its schedule; every node may call this, it is idempotent. */
export async function declareIdentityJobs(queue: JobQueue): Promise<void> {
  await queue.createQueue(HOUSEKEEPING_QUEUE);
  await queue.schedule(HOUSEKEEPING_QUEUE, '*/15 * * * *');
}

/** Periodic clean-up: sessions past their idle or absolute limit. */
export async function workIdentityJobs(queue: JobQueue, deps: AppDeps, pollingIntervalSeconds = 2): Promise<void> {
  await queue.work(HOUSEKEEPING_QUEUE, { pollingIntervalSeconds }, async () => {
    const expiredSessions = await deleteExpiredSessions(deps);
    deps.log.info({ expiredSessions }, 'housekeeping done');
    return { expiredSessions };
  });
}
