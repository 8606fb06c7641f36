import { LIFECYCLE_QUEUE, processLifecycleJob } from './lifecycle-jobs.ts';
import { runDueScheduledChanges, SCHEDULED_TICK_QUEUE } from './scheduled-changes.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { asBackgroundJob } from '../../connectors/shared/background.ts';
import type { JobQueue } from '../../jobs/queue.ts';

/** Declares the queues and the every-minute tick that starts scheduled changes; idempotent, every node may call it. */
export async function declareLifecycleJobs(queue: JobQueue): Promise<void> {
  await queue.createQueue(LIFECYCLE_QUEUE);
  await queue.createQueue(SCHEDULED_TICK_QUEUE);
  await queue.schedule(SCHEDULED_TICK_QUEUE, '* * * * *');
}

export async function workLifecycleJobs(queue: JobQueue, deps: AppDeps, options: { pollingIntervalSeconds?: number; pollMs?: number } = {}): Promise<void> {
  await queue.work<{ jobId: string }>(LIFECYCLE_QUEUE, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1 }, async ([job]) => {
    if (job) await asBackgroundJob(() => processLifecycleJob(deps, job.data.jobId, options.pollMs ? { pollMs: options.pollMs } : {}));
  });
  await queue.work(SCHEDULED_TICK_QUEUE, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 }, async () => {
    const started = await asBackgroundJob(() => runDueScheduledChanges(deps));
    if (started) deps.log.info({ started }, 'scheduled changes started');
    return { started };
  });
}
