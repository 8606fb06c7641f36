import { BULK_QUEUE, processBulkJob } from './bulk-assignment.ts';
import type { AppDeps } from '../kernel/deps.ts';
import { asBackgroundJob } from '../../connectors/shared/background.ts';
import type { JobQueue } from '../../jobs/queue.ts';

export async function declareBulkJobs(queue: JobQueue): Promise<void> {
  await queue.createQueue(BULK_QUEUE);
}

export async function workBulkJobs(queue: JobQueue, deps: AppDeps, options: { pollingIntervalSeconds?: number; concurrency?: number; pollMs?: number } = {}): Promise<void> {
  await queue.work<{ jobId: string }>(BULK_QUEUE, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1 }, async ([job]) => {
    if (job) await asBackgroundJob(() => processBulkJob(deps, job.data.jobId, { ...(options.concurrency ? { concurrency: options.concurrency } : {}), ...(options.pollMs ? { pollMs: options.pollMs } : {}) }));
  });
}
