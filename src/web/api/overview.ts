/** The Overview (L3): the operator's work list across their tenants, refreshed while it is open. */
import { queryOptions } from '@tanstack/react-query';
import type { OverviewDto, OverviewItemDto } from '../../features/overview/schemas.ts';
import { api } from './client.ts';

export type { OverviewDto, OverviewItemDto };

export const overviewQuery = queryOptions({
  queryKey: ['overview'] as const,
  queryFn: () => api.get<OverviewDto>('/api/overview'),
  // Live enough for a work list; each poll is one request across all the operator's tenants.
  refetchInterval: 15_000,
});
