/**
 * Joiners and leavers (#18): onboard or offboard a user as one job of steps, with a dry run
 * first, then follow the job and retry or undo it. Shapes come from the server's schemas, as types only.
 */
import { queryOptions } from '@tanstack/react-query';
import type { LicenceDto, LifecycleJobDto, LifecyclePlanDto, LifecycleStepDto } from '../../features/lifecycle/schemas.ts';
import { api } from './client.ts';
import { tenantApi } from './inventory.ts';

export type { LicenceDto, LifecycleJobDto, LifecyclePlanDto, LifecycleStepDto };

export type OnboardRequest = {
  userId: string;
  profileId?: string | null;
  number?: { e164: string } | null;
  licenceSkuIds?: string[];
  usageLocation?: string | null;
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
  retry: (tenantId: string, jobId: string) => api.post<LifecycleJobDto>(`${base(tenantId)}/jobs/${encodeURIComponent(jobId)}/retry`),
  undo: (tenantId: string, jobId: string) => api.post<LifecycleJobDto>(`${base(tenantId)}/jobs/${encodeURIComponent(jobId)}/undo`),
};
