/**
 * Joiners and leavers (#18): onboard or offboard a user as one job of steps, with a dry run
 * first, then follow the job and retry or undo it. Shapes come from the server's schemas, as types only.
 */
import { queryOptions } from '@tanstack/react-query';
import type { LicenceDto, LifecycleJobDto, LifecyclePlanDto, LifecycleStepDto, OnboardCsvResultDto, ScheduledChangeDto } from '../../features/lifecycle/schemas.ts';
import { uploadFile } from './upload.ts';
import { api } from './client.ts';
import { tenantApi } from './inventory.ts';

export type { LicenceDto, LifecycleJobDto, LifecyclePlanDto, LifecycleStepDto, OnboardCsvResultDto };

export type OnboardRequest = {
  userId: string;
  profileId?: string | null;
  number?: { e164: string } | null;
  licenceSkuIds?: string[];
  usageLocation?: string | null;
  threecxExtension?: string | null;
  ticketId?: string | null;
};
export type OffboardRequest = { userId: string; reserveFor?: { reason: string; days: number } | null; removeLicenceSkuIds?: string[]; ticketId?: string | null };

const base = (tenantId: string) => `${tenantApi(tenantId)}/lifecycle`;

export const lifecycleKeys = {
  jobs: (tenantId: string) => ['lifecycle', tenantId, 'jobs'] as const,
  licences: (tenantId: string) => ['lifecycle', tenantId, 'licences'] as const,
};

export const isRunning = (job: Pick<LifecycleJobDto, 'status'>): boolean => job.status === 'queued' || job.status === 'running' || job.status === 'undoing';

/** The tenant's jobs; polled every second while one of them is still going. */
export const lifecycleJobsQuery = (tenantId: string) =>
  queryOptions({
    queryKey: lifecycleKeys.jobs(tenantId),
    queryFn: async ({ signal }) => (await api.get<{ jobs: LifecycleJobDto[] }>(`${base(tenantId)}/jobs?limit=20`, signal)).jobs,
    refetchInterval: (query) => (query.state.data?.some(isRunning) ? 1000 : false),
    staleTime: 0,
  });

export const licencesQuery = (tenantId: string) =>
  queryOptions({ queryKey: lifecycleKeys.licences(tenantId), queryFn: async ({ signal }) => (await api.get<{ licences: LicenceDto[] }>(`${base(tenantId)}/licences`, signal)).licences });

export const lifecycleApi = {
  planOnboard: (tenantId: string, body: OnboardRequest) => api.post<LifecyclePlanDto>(`${base(tenantId)}/onboard`, { ...body, dryRun: true }),
  onboard: (tenantId: string, body: OnboardRequest) => api.post<LifecycleJobDto>(`${base(tenantId)}/onboard`, body),
  planOffboard: (tenantId: string, body: OffboardRequest) => api.post<LifecyclePlanDto>(`${base(tenantId)}/offboard`, { ...body, dryRun: true }),
  offboard: (tenantId: string, body: OffboardRequest) => api.post<LifecycleJobDto>(`${base(tenantId)}/offboard`, body),
  /** Checks every row of a joiners CSV; with run, starts a job for each row that passed. */
  onboardCsv: (tenantId: string, file: File, run: boolean) => uploadFile<OnboardCsvResultDto>(`${base(tenantId)}/onboard.csv?run=${run}`, file, 'text/csv', () => undefined),
  templateUrl: (tenantId: string) => `${base(tenantId)}/onboard-template.csv`,
  retry: (tenantId: string, jobId: string) => api.post<LifecycleJobDto>(`${base(tenantId)}/jobs/${encodeURIComponent(jobId)}/retry`),
  undo: (tenantId: string, jobId: string) => api.post<LifecycleJobDto>(`${base(tenantId)}/jobs/${encodeURIComponent(jobId)}/undo`),
};

export type { ScheduledChangeDto };

export const scheduledKeys = { list: (tenantId: string | null) => ['scheduled', tenantId ?? 'all'] as const };

/** A tenant's scheduled changes, or (tenantId null) those of every tenant the operator may see. */
export const scheduledQuery = (tenantId: string | null) =>
  queryOptions({
    queryKey: scheduledKeys.list(tenantId),
    queryFn: async ({ signal }) => (await api.get<{ changes: ScheduledChangeDto[] }>(`${tenantId ? `${tenantApi(tenantId)}/scheduled-changes` : '/api/scheduled-changes'}?limit=200`, signal)).changes,
    refetchInterval: 15_000,
  });

export const scheduledApi = {
  schedule: (tenantId: string, body: { kind: ScheduledChangeDto['kind']; runAt: string; timeZone: string; input: object }) => api.post<ScheduledChangeDto>(`${tenantApi(tenantId)}/scheduled-changes`, body),
  move: (tenantId: string, id: string, runAt: string, timeZone: string) => api.patch<ScheduledChangeDto>(`${tenantApi(tenantId)}/scheduled-changes/${encodeURIComponent(id)}`, { runAt, timeZone }),
  cancel: (tenantId: string, id: string) => api.post<ScheduledChangeDto>(`${tenantApi(tenantId)}/scheduled-changes/${encodeURIComponent(id)}/cancel`),
};

/** The browser's time zone: a time typed in a form means this zone. */
export { formatInZone, isoToWallTime, wallTimeToIso } from '../../core/time-zone.ts';
