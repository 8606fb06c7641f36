import type { ApiClient } from './api-client.ts';

/**
 * Polls a step job (joiners and leavers, resource account creation) until it is no longer in one of
 * `activeStates`, and answers it. The deadline is in time, not polls: a job resumed after a worker
 * was killed waits for the queue to see the dead worker's missed heartbeat, which under a loaded
 * machine can take over a minute.
 */
export async function settledStepJob(admin: ApiClient, url: string, activeStates: readonly string[], timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const job = (await admin.get(url)).body;
    if (!activeStates.includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the job at ${url} did not finish in ${timeoutMs / 1000} s`);
}

/** Polls a joiner/leaver job until it is no longer queued, running or undoing, and answers it. */
export async function settledLifecycleJob(admin: ApiClient, tenantId: string, jobId: string) {
  return settledStepJob(admin, `/api/tenants/${tenantId}/lifecycle/jobs/${jobId}`, ['queued', 'running', 'undoing']);
}
