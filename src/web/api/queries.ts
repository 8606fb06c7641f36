import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api } from './client.ts';
import type { ApiTokenDto, AuditEventDto, MeDto, OperatorDto, SettingsDto } from './types.ts';

export const keys = {
  me: ['me'] as const,
  tokens: ['me', 'tokens'] as const,
  operators: ['operators'] as const,
  settings: ['settings'] as const,
  audit: ['audit'] as const,
};

export const meQuery = queryOptions({ queryKey: keys.me, queryFn: () => api.get<MeDto>('/api/me') });

export const tokensQuery = queryOptions({
  queryKey: keys.tokens,
  queryFn: async () => (await api.get<{ tokens: ApiTokenDto[] }>('/api/me/tokens')).tokens,
});

export const operatorsQuery = queryOptions({
  queryKey: keys.operators,
  queryFn: async () => (await api.get<{ operators: OperatorDto[] }>('/api/operators')).operators,
});

export const settingsQuery = queryOptions({ queryKey: keys.settings, queryFn: () => api.get<SettingsDto>('/api/settings') });

/** The audit page's filters as typed; '' means "any". Times are the browser's local datetime-local values. */
export type AuditFilters = {
  action: string;
  search: string;
  result: '' | 'success' | 'failure';
  tenantId: string;
  operatorId: string;
  targetId: string;
  ticketId: string;
  from: string;
  to: string;
};
export type AuditPage = { events: AuditEventDto[]; nextBefore: number | null };

export const emptyAuditFilters: AuditFilters = { action: '', search: '', result: '', tenantId: '', operatorId: '', targetId: '', ticketId: '', from: '', to: '' };

const AUDIT_PAGE_SIZE = 50;

/** The filters as query parameters, shared by the list and the CSV export so both show the same events. */
export function auditParams(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ['action', 'search', 'result', 'tenantId', 'operatorId', 'targetId', 'ticketId'] as const) {
    const value = filters[key].trim();
    if (value) params.set(key, value);
  }
  for (const key of ['from', 'to'] as const) {
    const local = new Date(filters[key]);
    if (filters[key] && !Number.isNaN(local.getTime())) params.set(key, local.toISOString());
  }
  return params;
}

export const auditExportUrl = (filters: AuditFilters) => `/api/audit/export?${auditParams(filters).toString()}`;

export function auditQuery(filters: AuditFilters) {
  return infiniteQueryOptions({
    queryKey: [...keys.audit, filters],
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) => {
      const params = auditParams(filters);
      params.set('limit', String(AUDIT_PAGE_SIZE));
      if (pageParam !== undefined) params.set('before', String(pageParam));
      return api.get<AuditPage>(`/api/audit?${params.toString()}`);
    },
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
}
