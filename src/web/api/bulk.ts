/**
 * Bulk assignment (SPEC D5): upload a CSV for a dry run, then run it as a background job and
 * follow it. Shapes come from the server's response schemas, as types only.
 */
import { queryOptions } from '@tanstack/react-query';
import type { BulkJobDto, BulkJobWithRowsDto, BulkRowDto, SelectionBodyDto } from '../../features/bulk/schemas.ts';
import { api } from './client.ts';
import { tenantApi } from './inventory.ts';
import { uploadFile, type UploadProgress } from './upload.ts';

export type { BulkJobDto, BulkJobWithRowsDto, BulkRowDto, SelectionBodyDto };
export type SelectionUserDto = SelectionBodyDto['users'][number];
export type BulkRowState = BulkRowDto['state'];

export const bulkKeys = {
  job: (tenantId: string, jobId: string) => ['bulk', tenantId, jobId] as const,
};

const base = (tenantId: string) => `${tenantApi(tenantId)}/bulk-assignments`;

/** A job that is queued or running is polled every second until it ends. */
export const isActive = (job: Pick<BulkJobDto, 'status'> | undefined): boolean => job?.status === 'queued' || job?.status === 'running';

export const bulkJobQuery = (tenantId: string, jobId: string) =>
  queryOptions({
    queryKey: bulkKeys.job(tenantId, jobId),
    queryFn: ({ signal }) => api.get<BulkJobWithRowsDto>(`${base(tenantId)}/${encodeURIComponent(jobId)}`, signal),
    refetchInterval: (query) => (isActive(query.state.data) ? 1000 : false),
    staleTime: 0,
  });

export const bulkApi = {
  templateUrl: (tenantId: string) => `${base(tenantId)}/template.csv`,
  resultsUrl: (tenantId: string, jobId: string) => `${base(tenantId)}/${encodeURIComponent(jobId)}/results.csv`,
  /** The dry run: every row gets a verdict, nothing changes yet. */
  upload: (tenantId: string, file: File, ticketId: string, onProgress: (progress: UploadProgress) => void) => {
    const params = new URLSearchParams({ fileName: file.name.slice(0, 200) });
    if (ticketId) params.set('ticketId', ticketId);
    return uploadFile<BulkJobWithRowsDto>(`${base(tenantId)}?${params.toString()}`, file, 'text/csv', onProgress);
  },
  /** Ticked users: the same dry run (and job) as a CSV upload. */
  fromSelection: (tenantId: string, body: SelectionBodyDto) => api.post<BulkJobWithRowsDto>(`${base(tenantId)}/from-selection`, body),
  run: (tenantId: string, jobId: string) => api.post<BulkJobDto>(`${base(tenantId)}/${encodeURIComponent(jobId)}/run`),
  cancel: (tenantId: string, jobId: string) => api.post<BulkJobDto>(`${base(tenantId)}/${encodeURIComponent(jobId)}/cancel`),
  retry: (tenantId: string, jobId: string) => api.post<BulkJobDto>(`${base(tenantId)}/${encodeURIComponent(jobId)}/retry`),
};
