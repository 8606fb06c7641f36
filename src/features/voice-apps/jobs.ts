import type { AppDeps } from '../kernel/deps.ts';
import { asBackgroundJob } from '../../connectors/shared/background.ts';
import type { JobQueue } from '../../jobs/queue.ts';
import { processResourceAccountJob, RESOURCE_ACCOUNT_QUEUE } from './create-resource-account.ts';

/** Declares the queue of resource account creation jobs; idempotent, every node may call it. */
export async function declareResourceAccountJobs(queue: JobQueue): Promise<void> {
  await queue.createQueue(RESOURCE_ACCOUNT_QUEUE);
}

export async function workResourceAccountJobs(queue: JobQueue, deps: AppDeps, options: { pollingIntervalSeconds?: number; pollMs?: number } = {}): Promise<void> {
  await queue.work<{ jobId: string }>(RESOURCE_ACCOUNT_QUEUE, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1 }, async ([job]) => {
    if (job) await asBackgroundJob(() => processResourceAccountJob(deps, job.data.jobId, options.pollMs ? { pollMs: options.pollMs } : {}));
  });
}
