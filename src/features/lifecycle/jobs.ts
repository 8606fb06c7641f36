import { LIFECYCLE_QUEUE, processLifecycleJob } from './lifecycle-jobs.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { asBackgroundJob } from '../../jobs/background.ts';
import type { JobQueue } from '../../jobs/queue.ts';

export async function declareLifecycleJobs(queue: JobQueue): Promise<void> {
  await queue.createQueue(LIFECYCLE_QUEUE);
}

export async function workLifecycleJobs(queue: JobQueue, deps: AppDeps, options: { pollingIntervalSeconds?: number; pollMs?: number } = {}): Promise<void> {
  await queue.work<{ jobId: string }>(LIFECYCLE_QUEUE, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1 }, async ([job]) => {
    if (job) await asBackgroundJob(() => processLifecycleJob(deps, job.data.jobId, options.pollMs ? { pollMs: options.pollMs } : {}));
  });
}
