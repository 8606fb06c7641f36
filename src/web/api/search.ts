/** The global search (#19): one query across every tenant the operator may see. */
import { queryOptions } from '@tanstack/react-query';
import type { SearchGroupDto, SearchHitDto, SearchKind, SearchResultDto } from '../../features/search/schemas.ts';
import { api } from './client.ts';

export type { SearchGroupDto, SearchHitDto, SearchKind, SearchResultDto };

export const searchQuery = (q: string) =>
  queryOptions({
    queryKey: ['search', q] as const,
    queryFn: ({ signal }) => api.get<SearchResultDto>(`/api/search?q=${encodeURIComponent(q)}&limit=5`, signal),
    staleTime: 10_000,
  });
