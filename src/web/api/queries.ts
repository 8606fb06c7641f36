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

export type AuditFilters = { action: string; search: string; result: '' | 'success' | 'failure'; targetId?: string; ticketId?: string };
export type AuditPage = { events: AuditEventDto[]; nextBefore: number | null };

const AUDIT_PAGE_SIZE = 50;

export function auditQuery(filters: AuditFilters) {
  return infiniteQueryOptions({
    queryKey: [...keys.audit, filters],
    initialPageParam: undefined as number | undefined,
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE) });
      if (filters.action.trim()) params.set('action', filters.action.trim());
      if (filters.search.trim()) params.set('search', filters.search.trim());
      if (filters.result) params.set('result', filters.result);
      if (filters.targetId) params.set('targetId', filters.targetId);
      if (filters.ticketId?.trim()) params.set('ticketId', filters.ticketId.trim().replace(/^#/, ''));
      if (pageParam !== undefined) params.set('before', String(pageParam));
      return api.get<AuditPage>(`/api/audit?${params.toString()}`);
    },
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
}
