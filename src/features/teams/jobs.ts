import { eq } from 'drizzle-orm';
import { tenantConnections, tenants } from '../../db/schema/index.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';
import { findDrift } from '../numbers/reconcile/reconcile.ts';
import { teamsNumberSource } from './reconcile.ts';
import { DIRECTORY_REFRESH_QUEUE, syncTeamsDirectory } from './directory.ts';
import { followVoiceChange, VOICE_CHANGE_QUEUE } from './voice-changes.ts';
import { asBackgroundJob } from '../../connectors/shared/background.ts';
import type { JobQueue } from '../../jobs/queue.ts';

export const TEAMS_SYNC_QUEUE = 'teams-directory-sync';

/** The nightly run reads every tenant; it writes nothing but the directory and the drift summary. */
const nightlyActor: Actor = { operatorId: '', email: 'system (nightly Teams sync)', displayName: 'Nightly Teams sync', role: 'viewer', allTenants: true, tenantIds: [], via: 'session' };

/** Every night, each active tenant with a Teams connection gets its directory read again (D1) and its numbers compared with the inventory (C7). */
export async function declareTeamsJobs(queue: JobQueue): Promise<void> {
  await queue.createQueue(TEAMS_SYNC_QUEUE);
  await queue.schedule(TEAMS_SYNC_QUEUE, '30 2 * * *');
  await declareDirectoryRefreshJobs(queue);
}

export async function declareDirectoryRefreshJobs(queue: JobQueue): Promise<void> {
  await queue.createQueue(DIRECTORY_REFRESH_QUEUE);
}

export async function workDirectoryRefreshJobs(queue: JobQueue, deps: AppDeps, options: { pollingIntervalSeconds?: number } = {}): Promise<void> {
  await queue.work<{ tenantId: string }>(DIRECTORY_REFRESH_QUEUE, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 }, async ([job]) => {
    if (job) await asBackgroundJob(() => refreshTenantDirectory(deps, job.data.tenantId));
  });
}

/** The background refresh asked for when someone opens a tenant's users and the list is stale. */
export async function refreshTenantDirectory(deps: AppDeps, tenantId: string): Promise<void> {
  const [tenant] = await deps.db.select().from(tenants).where(eq(tenants.id, tenantId));
  if (!tenant || tenant.status !== 'active') return;
  await syncTeamsDirectory(deps, tenant);
}

export async function syncAllTeamsDirectories(deps: AppDeps): Promise<{ synced: number; failed: number }> {
  const rows = await deps.db
    .select({ tenant: tenants })
    .from(tenants)
    .innerJoin(tenantConnections, eq(tenantConnections.tenantId, tenants.id))
    .where(eq(tenantConnections.system, 'teams'));
  let synced = 0;
  let failed = 0;
  for (const { tenant } of rows) {
    if (tenant.status !== 'active') continue;
    try {
      await syncTeamsDirectory(deps, tenant);
      // The comparison is only recorded (the Overview shows what differs); fixing stays an operator's choice.
      await findDrift(deps, nightlyActor, tenant.id, teamsNumberSource);
      synced += 1;
    } catch (error) {
      // One customer's outage must not stop the others' sync.
      failed += 1;
      deps.log.warn({ err: error, tenantId: tenant.id }, 'nightly Teams directory sync failed for a tenant');
    }
  }
  return { synced, failed };
}

export async function workTeamsJobs(queue: JobQueue, deps: AppDeps): Promise<void> {
  await queue.work(TEAMS_SYNC_QUEUE, { pollingIntervalSeconds: 5 }, async () => asBackgroundJob(() => syncAllTeamsDirectories(deps)));
  await workDirectoryRefreshJobs(queue, deps);
}

export async function declareVoiceJobs(queue: JobQueue): Promise<void> {
  await queue.createQueue(VOICE_CHANGE_QUEUE);
}

/** Follows Teams number orders until Teams reports their outcome (D7). */
export async function workVoiceJobs(queue: JobQueue, deps: AppDeps, options: { pollingIntervalSeconds?: number; pollMs?: number } = {}): Promise<void> {
  // resumeStranded: the order's answer was lost (timeout, reset); re-send it or check Teams, retrying while Teams is unreachable.
  await queue.work<{ changeId: string; resumeStranded?: boolean }>(VOICE_CHANGE_QUEUE, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1, batchSize: 4 }, async (jobs) => {
    await asBackgroundJob(() =>
      Promise.all(jobs.map((job) => followVoiceChange(deps, job.data.changeId, { ...(options.pollMs ? { pollMs: options.pollMs } : {}), ...(job.data.resumeStranded ? { resumeStranded: true, throwWhileUnknown: true } : {}) }))),
    );
  });
}
