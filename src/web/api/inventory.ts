/**
 * Tenants, sites, ranges, numbers and their utilisation: query keys, query options and the
 * URL of a filtered view (shared by the table, its export link and the page's address).
 */
import { infiniteQueryOptions, keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api } from './client.ts';
import type { FacetsDto, NumberDto, NumberHistoryEventDto, NumberKind, NumberPageDto, NumberStatus, RangeDto, SiteDto, TenantDto, UtilisationDto } from './types.ts';

export { numberKinds, numberStatuses } from '../../core/number-vocabulary.ts';

export const inventoryKeys = {
  tenants: ['tenants'] as const,
  tenantList: (includeArchived: boolean) => ['tenants', 'list', includeArchived] as const,
  tenant: (tenantId: string) => ['tenants', 'one', tenantId] as const,
  /** Everything that depends on a tenant's numbers: invalidate it after any number change. */
  inventory: (tenantId: string) => ['inventory', tenantId] as const,
  sites: (tenantId: string) => ['inventory', tenantId, 'sites'] as const,
  ranges: (tenantId: string) => ['inventory', tenantId, 'ranges'] as const,
  numbers: (tenantId: string) => ['inventory', tenantId, 'numbers'] as const,
  number: (tenantId: string, numberId: string) => ['inventory', tenantId, 'number', numberId] as const,
  history: (tenantId: string, numberId: string) => ['inventory', tenantId, 'number', numberId, 'history'] as const,
  facets: (tenantId: string) => ['inventory', tenantId, 'facets'] as const,
  utilisation: (tenantId: string) => ['inventory', tenantId, 'utilisation'] as const,
};

const t = (tenantId: string) => `/api/tenants/${encodeURIComponent(tenantId)}`;

export const tenantsQuery = (includeArchived = false) =>
  queryOptions({
    queryKey: inventoryKeys.tenantList(includeArchived),
    queryFn: async () => (await api.get<{ tenants: TenantDto[] }>(`/api/tenants?includeArchived=${includeArchived}`)).tenants,
  });

export const tenantQuery = (tenantId: string) => queryOptions({ queryKey: inventoryKeys.tenant(tenantId), queryFn: () => api.get<TenantDto>(t(tenantId)) });

export const sitesQuery = (tenantId: string) =>
  queryOptions({ queryKey: inventoryKeys.sites(tenantId), queryFn: async () => (await api.get<{ sites: SiteDto[] }>(`${t(tenantId)}/sites`)).sites });

export const rangesQuery = (tenantId: string) =>
  queryOptions({ queryKey: inventoryKeys.ranges(tenantId), queryFn: async () => (await api.get<{ ranges: RangeDto[] }>(`${t(tenantId)}/ranges`)).ranges });

export const facetsQuery = (tenantId: string) => queryOptions({ queryKey: inventoryKeys.facets(tenantId), queryFn: () => api.get<FacetsDto>(`${t(tenantId)}/numbers/facets`) });

export const utilisationQuery = (tenantId: string) => queryOptions({ queryKey: inventoryKeys.utilisation(tenantId), queryFn: () => api.get<UtilisationDto>(`${t(tenantId)}/utilisation`) });

export const numberQuery = (tenantId: string, numberId: string) =>
  queryOptions({ queryKey: inventoryKeys.number(tenantId, numberId), queryFn: () => api.get<NumberDto>(`${t(tenantId)}/numbers/${encodeURIComponent(numberId)}`) });

export const numberHistoryQuery = (tenantId: string, numberId: string) =>
  queryOptions({
    queryKey: inventoryKeys.history(tenantId, numberId),
    queryFn: async () => (await api.get<{ events: NumberHistoryEventDto[] }>(`${t(tenantId)}/numbers/${encodeURIComponent(numberId)}/history`)).events,
  });

export type NumberSort = 'e164' | 'status' | 'updatedAt' | 'assignee';

/** What the numbers table shows: the same filters go to the page query and the CSV export. */
export type NumberFilters = {
  search: string;
  status: NumberStatus[];
  kind: NumberKind | '';
  rangeId: string;
  siteId: string;
  carrier: string;
  tag: string;
  /** The numbers one CSV import created. */
  importId: string;
  /** ISO alpha-2; the number's (derived from the E.164) and where it is used. */
  country: string;
  usageLocation: string;
  /** Only numbers a Teams user and the same person's 3CX extension both use. */
  shared: boolean;
  sort: NumberSort;
  dir: 'asc' | 'desc';
};

export const emptyFilters: NumberFilters = { search: '', status: [], kind: '', rangeId: '', siteId: '', carrier: '', tag: '', importId: '', country: '', usageLocation: '', shared: false, sort: 'e164', dir: 'asc' };

export function filterParams(filters: NumberFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.search.trim()) params.set('search', filters.search.trim());
  if (filters.status.length) params.set('status', filters.status.join(','));
  if (filters.kind) params.set('kind', filters.kind);
  if (filters.rangeId) params.set('rangeId', filters.rangeId);
  if (filters.siteId) params.set('siteId', filters.siteId);
  if (filters.carrier) params.set('carrier', filters.carrier);
  if (filters.tag) params.set('tag', filters.tag);
  if (filters.importId) params.set('importId', filters.importId);
  if (filters.country) params.set('country', filters.country);
  if (filters.usageLocation) params.set('usageLocation', filters.usageLocation);
  if (filters.shared) params.set('shared', 'true');
  params.set('sort', filters.sort);
  params.set('dir', filters.dir);
  return params;
}

export const exportUrl = (tenantId: string, filters: NumberFilters) => `${t(tenantId)}/numbers/export?${filterParams(filters).toString()}`;

export const NUMBERS_PAGE_SIZE = 100;

/**
 * Keyset paging: each page hands its `next` cursor to the one after. Only the first page asks
 * for the total (one count per filter change, not per scroll).
 */
export function numbersQuery(tenantId: string, filters: NumberFilters) {
  return infiniteQueryOptions({
    queryKey: [...inventoryKeys.numbers(tenantId), filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => {
      const params = filterParams(filters);
      params.set('limit', String(NUMBERS_PAGE_SIZE));
      if (pageParam) params.set('after', pageParam);
      else params.set('withTotal', 'true');
      return api.get<NumberPageDto>(`${t(tenantId)}/numbers?${params.toString()}`, signal);
    },
    getNextPageParam: (last) => last.next ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** The list's filter as the bulk action's "all matching this filter" selection (the same filter the list query uses). */
export function bulkFilter(filters: NumberFilters): Record<string, unknown> {
  const { sort: _sort, dir: _dir, ...rest } = filters;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (typeof value === 'boolean') {
      if (value) out[key] = 'true';
      continue;
    }
    if (Array.isArray(value) ? value.length : typeof value === 'string' && value.trim()) out[key] = typeof value === 'string' ? value.trim() : value;
  }
  return out;
}

export const tenantApi = (tenantId: string) => t(tenantId);
