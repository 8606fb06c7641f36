import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { api } from '../api/client.ts';
import type { ArrangeableTable, ColumnIdOf } from '../../core/table-columns.ts';

export type ArrangeableColumn<Id extends string = string> = { id: Id; label: string };

/** A column that draws its own cell; the tables list these and draw the visible ones in order. */
export type TableColumn<Row, Id extends string = string> = ArrangeableColumn<Id> & { cellClass?: string; render: (row: Row) => ReactNode };

/** The visible columns' definitions, in the operator's order. */
export const inOrder = <C extends ArrangeableColumn>(columns: C[], visible: string[]): C[] => visible.flatMap((id) => columns.filter((c) => c.id === id));

type Arrangement = { table: string; columns: string[] | null };

export const tableColumnsKey = (table: ArrangeableTable) => ['me', 'table-columns', table] as const;

export const tableColumnsQuery = (table: ArrangeableTable) =>
  queryOptions({ queryKey: tableColumnsKey(table), queryFn: () => api.get<Arrangement>(`/api/me/table-columns/${table}`), staleTime: Infinity });

export type ColumnArrangement<Id extends string> = {
  /** The columns to draw, in the operator's order. */
  visible: Id[];
  /** Every column, the visible ones first in their order, then the hidden ones. */
  all: ArrangeableColumn<Id>[];
  /** Shows the new order at once and saves it in the background. */
  choose: (ids: Id[]) => void;
  reset: () => void;
  isDefault: boolean;
  /** What happened to the last save, for a polite live region. */
  status: string;
};

/**
 * An operator's arrangement of one table (visible columns and their order), kept on the
 * server so it follows them to another browser or node. Ids the table no longer has are
 * dropped here as well as on the server, so an old arrangement never breaks a table.
 */
export function useColumnArrangement<T extends ArrangeableTable>(table: T, columns: ArrangeableColumn<ColumnIdOf<T>>[], defaults: ColumnIdOf<T>[]): ColumnArrangement<ColumnIdOf<T>> {
  type Id = ColumnIdOf<T>;
  const queryClient = useQueryClient();
  const saved = useQuery(tableColumnsQuery(table));
  const [status, setStatus] = useState('');
  const known = new Set<string>(columns.map((c) => c.id));
  const savedIds = saved.data?.columns?.filter((id): id is Id => known.has(id)) ?? null;
  const visible = savedIds ?? defaults.filter((id) => known.has(id));
  const byId = new Map(columns.map((c) => [c.id as string, c]));
  const all = [...visible.map((id) => byId.get(id)!), ...columns.filter((c) => !visible.includes(c.id))];

  const save = useMutation({
    mutationFn: (ids: Id[] | null) => (ids ? api.put<Arrangement>(`/api/me/table-columns/${table}`, { columns: ids }) : api.delete<Arrangement>(`/api/me/table-columns/${table}`)),
    onMutate: (ids) => {
      setStatus('Saving…');
      queryClient.setQueryData(tableColumnsKey(table), { table, columns: ids });
    },
    onSuccess: (answer) => {
      queryClient.setQueryData(tableColumnsKey(table), answer);
      setStatus(answer.columns ? 'Columns saved' : 'Default columns back');
    },
    onError: () => setStatus('Could not save the columns; they apply until you reload.'),
  });

  return { visible, all, choose: (ids) => save.mutate(ids), reset: () => save.mutate(null), isDefault: savedIds === null, status };
}
