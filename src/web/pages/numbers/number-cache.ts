import { useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { inventoryKeys } from '../../api/inventory.ts';
import type { NumberDto, NumberPageDto } from '../../api/types.ts';

/**
 * After one number changed: show the new state in the open drawer and in every loaded table
 * page at once (no refetch of hundreds of pages), and refresh the counts, charts and history.
 */
/** Puts a fresher copy of one number into every loaded table page. */
export function useSyncNumberIntoLists(tenantId: string) {
  const queryClient = useQueryClient();
  return (number: NumberDto) =>
    queryClient.setQueriesData<InfiniteData<NumberPageDto>>({ queryKey: inventoryKeys.numbers(tenantId) }, (data) =>
      data && data.pages.some((p) => p.numbers.some((n) => n.id === number.id && n.updatedAt !== number.updatedAt))
        ? { ...data, pages: data.pages.map((p) => ({ ...p, numbers: p.numbers.map((n) => (n.id === number.id ? number : n)) })) }
        : data,
    );
}

export function useNumberChanged(tenantId: string) {
  const queryClient = useQueryClient();
  return async (number: NumberDto, { refetchLists = false } = {}) => {
    queryClient.setQueryData(inventoryKeys.number(tenantId, number.id), number);
    queryClient.setQueriesData<InfiniteData<NumberPageDto>>({ queryKey: inventoryKeys.numbers(tenantId) }, (data) =>
      data ? { ...data, pages: data.pages.map((p) => ({ ...p, numbers: p.numbers.map((n) => (n.id === number.id ? number : n)) })) } : data,
    );
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: inventoryKeys.numbers(tenantId), refetchType: refetchLists ? 'active' : 'none' }),
      queryClient.invalidateQueries({ queryKey: inventoryKeys.history(tenantId, number.id) }),
      queryClient.invalidateQueries({ queryKey: inventoryKeys.ranges(tenantId) }),
      queryClient.invalidateQueries({ queryKey: inventoryKeys.utilisation(tenantId) }),
      queryClient.invalidateQueries({ queryKey: inventoryKeys.facets(tenantId) }),
    ]);
  };
}
