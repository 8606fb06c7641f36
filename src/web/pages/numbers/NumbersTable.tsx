import { Link } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { NumberFilters, NumberSort } from '../../api/inventory.ts';
import type { NumberDto } from '../../api/types.ts';
import { columns as allColumns, type ColumnId, type Lookup } from './columns.tsx';
import type { NumbersSearch } from './numbers-search.ts';

const ROW_HEIGHT = 52;
/** Start loading the next page this many rows before the end comes into view. */
const PREFETCH_ROWS = 30;

function SortHeader({ label, sort, filters, onSort, className }: { label: string; sort: NumberSort; filters: NumberFilters; onSort: (sort: NumberSort) => void; className: string }) {
  const active = filters.sort === sort;
  const arrow = active ? (filters.dir === 'asc' ? '▲' : '▼') : '↕';
  return (
    <th scope="col" aria-sort={active ? (filters.dir === 'asc' ? 'ascending' : 'descending') : 'none'} className={`bg-zinc-50 px-3 py-2 text-left ${className}`}>
      <button
        type="button"
        onClick={() => onSort(sort)}
        className="inline-flex items-center gap-1 rounded text-xs font-semibold tracking-wide whitespace-nowrap text-zinc-600 uppercase hover:text-zinc-900"
        aria-label={`Sort by ${label.toLowerCase()}${active ? (filters.dir === 'asc' ? ', now ascending' : ', now descending') : ''}`}
      >
        {label}
        <span aria-hidden="true" className={active ? 'text-blue-700' : 'text-zinc-400'}>
          {arrow}
        </span>
      </button>
    </th>
  );
}

function PlainHeader({ label, className }: { label: string; className: string }) {
  return (
    <th scope="col" className={`bg-zinc-50 px-3 py-2 text-left text-xs font-semibold tracking-wide whitespace-nowrap text-zinc-600 uppercase ${className}`}>
      {label}
    </th>
  );
}

/** Row choice for bulk work: which rows are ticked, and how to tick them. */
export type RowSelection = { isSelected: (numberId: string) => boolean; toggle: (numberId: string) => void; allLoaded: boolean; toggleAllLoaded: () => void };

/**
 * A table that stays quick at 100,000+ numbers: only the rows in view (plus a margin) are in
 * the page, and the next page is fetched before the end of the loaded rows scrolls into view.
 */
export function NumbersTable({
  tenantId,
  rows,
  total,
  visible,
  filters,
  search,
  lookup,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
  onSort,
  onOpen,
  loading,
  selection,
}: {
  tenantId: string;
  rows: NumberDto[];
  total: number | undefined;
  visible: ColumnId[];
  filters: NumberFilters;
  search: NumbersSearch;
  lookup: Lookup;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
  onSort: (sort: NumberSort) => void;
  onOpen: (numberId: string) => void;
  loading: boolean;
  /** Present when the operator may act on rows: a tick box per row and one for all loaded rows. */
  selection?: RowSelection | undefined;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // In the operator's order.
  const shown = visible.flatMap((id) => allColumns.filter((c) => c.id === id));
  const count = rows.length + (hasNextPage ? 1 : 0);
  const virtualizer = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= rows.length - PREFETCH_ROWS) fetchNextPage();
  }, [lastIndex, rows.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  // A new filter or sort starts at the top.
  const filterKey = JSON.stringify(filters);
  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [filterKey]);

  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = items.length ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;
  const colSpan = shown.length + 1 + (selection ? 1 : 0);

  return (
    <div
      ref={scrollRef}
      role="region"
      aria-label="Numbers (scroll to load more)"
      tabIndex={0}
      className="relative h-[calc(100vh-23rem)] min-h-96 overflow-auto rounded-md border border-zinc-200 bg-white"
      data-testid="numbers-scroll"
    >
      <table className="w-full min-w-max table-fixed text-sm" aria-rowcount={total !== undefined ? total + 1 : -1} data-testid="numbers-table">
        <caption className="sr-only">Numbers of this tenant{total !== undefined ? `, ${total} in all` : ''}</caption>
        <thead className="sticky top-0 z-[1] shadow-[0_1px_0_var(--color-zinc-200)]">
          <tr aria-rowindex={1}>
            {selection ? (
              <th scope="col" className="w-10 bg-zinc-50 px-3 py-2 text-left">
                <input type="checkbox" aria-label="Choose all loaded rows" checked={selection.allLoaded} onChange={selection.toggleAllLoaded} />
              </th>
            ) : null}
            <SortHeader label="Number" sort="e164" filters={filters} onSort={onSort} className="w-48" />
            {shown.map((c) => (c.sort ? <SortHeader key={c.id} label={c.label} sort={c.sort} filters={filters} onSort={onSort} className={c.width} /> : <PlainHeader key={c.id} label={c.label} className={c.width} />))}
          </tr>
        </thead>
        <tbody>
          {paddingTop > 0 ? (
            <tr aria-hidden="true">
              <td colSpan={colSpan} style={{ height: paddingTop, padding: 0 }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const n = rows[item.index];
            if (!n) {
              return (
                <tr key="loader" style={{ height: ROW_HEIGHT }}>
                  <td colSpan={colSpan} className="border-t border-zinc-100 px-3 text-sm text-zinc-500">
                    {isFetchingNextPage ? 'Loading more…' : ''}
                  </td>
                </tr>
              );
            }
            return (
              <tr
                key={n.id}
                aria-rowindex={item.index + 2}
                data-testid="number-row"
                style={{ height: ROW_HEIGHT }}
                onClick={(e) => {
                  if (!(e.target instanceof Element && e.target.closest('a,button,input,label'))) onOpen(n.id);
                }}
                className="cursor-pointer hover:bg-blue-50/50"
              >
                {selection ? (
                  <td className="border-t border-zinc-100 px-3 py-1.5 align-middle">
                    <input type="checkbox" aria-label={`Choose ${n.e164}${n.extension ? ` extension ${n.extension}` : ''}`} checked={selection.isSelected(n.id)} onChange={() => selection.toggle(n.id)} />
                  </td>
                ) : null}
                <td className="overflow-hidden border-t border-zinc-100 px-3 py-1.5 align-middle">
                  <Link
                    to="/tenants/$tenantId/numbers"
                    params={{ tenantId }}
                    search={{ ...search, number: n.id }}
                    resetScroll={false}
                    className="block truncate rounded font-mono text-sm font-medium text-blue-700 hover:underline"
                    aria-label={`${n.e164}${n.extension ? ` extension ${n.extension}` : ''}: details`}
                  >
                    {n.e164}
                    {n.extension ? <span className="text-zinc-500"> x{n.extension}</span> : null}
                  </Link>
                  <span className="block truncate text-xs text-zinc-500">{n.national}</span>
                </td>
                {shown.map((c) => (
                  <td key={c.id} className="overflow-hidden border-t border-zinc-100 px-3 py-1.5 align-middle text-zinc-700">
                    {c.render(n, lookup)}
                  </td>
                ))}
              </tr>
            );
          })}
          {paddingBottom > 0 ? (
            <tr aria-hidden="true">
              <td colSpan={colSpan} style={{ height: paddingBottom, padding: 0 }} />
            </tr>
          ) : null}
          {rows.length === 0 && !loading ? (
            <tr>
              <td colSpan={colSpan} className="px-3 py-10 text-center text-sm text-zinc-600">
                No numbers match.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
