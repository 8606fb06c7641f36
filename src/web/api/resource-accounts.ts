/**
 * The write side of voice apps (#20): create a resource account (one job of steps, followed here)
 * and assign or remove its service number (a voice change). Shapes come from the server's schemas, as types only.
 */
import { queryOptions } from '@tanstack/react-query';
import type { NewResourceAccountInput, ResourceAccountJob } from '../../features/voice-apps/resource-account-schemas.ts';
import { api, request } from './client.ts';
import { tenantApi } from './inventory.ts';
import type { VoiceChangeDto } from './teams.ts';

export type { ResourceAccountJob };
export type NewResourceAccountRequest = Omit<NewResourceAccountInput, 'number'> & { number?: { numberId: string } | null };

const base = (tenantId: string) => `${tenantApi(tenantId)}/voice-apps/resource-accounts`;
const enc = encodeURIComponent;

/** A creation job, polled every second until it has finished. */
export const resourceAccountJobQuery = (tenantId: string, jobId: string) =>
  queryOptions({
    queryKey: ['voice-apps', tenantId, 'resource-account-job', jobId],
    queryFn: ({ signal }) => api.get<ResourceAccountJob>(`${base(tenantId)}/jobs/${enc(jobId)}`, signal),
    refetchInterval: (query) => (query.state.data && query.state.data.status !== 'queued' && query.state.data.status !== 'running' ? false : 1000),
    staleTime: 0,
  });

export const resourceAccountApi = {
  create: (tenantId: string, body: NewResourceAccountRequest) => api.post<ResourceAccountJob>(base(tenantId), body),
  assignNumber: (tenantId: string, objectId: string, numberId: string, ticketId: string | null) => api.post<VoiceChangeDto>(`${base(tenantId)}/${enc(objectId)}/number`, { number: { numberId }, ...(ticketId ? { ticketId } : {}) }),
  removeNumber: (tenantId: string, objectId: string, ticketId: string | null) => request<VoiceChangeDto>('DELETE', `${base(tenantId)}/${enc(objectId)}/number`, ticketId ? { ticketId } : {}),
};
