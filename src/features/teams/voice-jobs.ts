import type { AppDeps } from '../kernel/deps.ts';
import { followVoiceChange, VOICE_CHANGE_QUEUE } from './voice-changes.ts';
import type { JobQueue } from '../../jobs/queue.ts';

export async function declareVoiceJobs(queue: JobQueue): Promise<void> {
  await queue.createQueue(VOICE_CHANGE_QUEUE);
}

/** Follows Teams number orders until Teams reports their outcome (D7). */
export async function workVoiceJobs(queue: JobQueue, deps: AppDeps, options: { pollingIntervalSeconds?: number; pollMs?: number } = {}): Promise<void> {
  // resumeStranded: the order's answer was lost (timeout, reset); re-send it or check Teams, retrying while Teams is unreachable.
  await queue.work<{ changeId: string; resumeStranded?: boolean }>(VOICE_CHANGE_QUEUE, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1, batchSize: 4 }, async (jobs) => {
    await Promise.all(jobs.map((job) => followVoiceChange(deps, job.data.changeId, { ...(options.pollMs ? { pollMs: options.pollMs } : {}), ...(job.data.resumeStranded ? { resumeStranded: true, throwWhileUnknown: true } : {}) })));
  });
}
