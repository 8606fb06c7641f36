import type { ApiClient } from './api-client.ts';

/** Polls a joiner/leaver job until it is no longer queued, running or undoing, and answers it. */
export async function settledLifecycleJob(admin: ApiClient, tenantId: string, jobId: string) {
  for (let i = 0; i < 600; i++) {
    const job = (await admin.get(`/api/tenants/${tenantId}/lifecycle/jobs/${jobId}`)).body;
    if (!['queued', 'running', 'undoing'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the job did not finish');
}
