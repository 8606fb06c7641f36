import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { bulkFilter, emptyFilters, exportUrl, facetsQuery, numberKinds, numbersQuery, numberStatuses, rangesQuery, sitesQuery, type NumberFilters, type NumberSort } from '../../api/inventory.ts';
import type { NumberStatus } from '../../api/types.ts';
import { ErrorAlert, Notice } from '../../components/Alert.tsx';
import { Button } from '../../components/Button.tsx';
import { CheckboxField, ChoiceField, TextField } from '../../components/Field.tsx';
import { formatCount, kindLabels, plural, statusLabel, statusTones } from '../../lib/inventory.ts';
import { useTenant } from '../tenants/tenant-context.ts';
import { AddNumberDialog } from './AddNumberDialog.tsx';
import { BulkDialog, type BulkSelection } from './BulkDialog.tsx';
import { ColumnArrangementMenu } from '../../components/ColumnArrangementMenu.tsx';
import { useColumnArrangement } from '../../lib/column-arrangement.ts';
import { columns, defaultColumns } from './columns.tsx';
import { NextFreeDialog } from './NextFreeDialog.tsx';
import { NumberDrawer } from './NumberDrawer.tsx';
import { NumbersTable, type RowSelection } from './NumbersTable.tsx';
import { filtersFromSearch, hasFilters, searchFromFilters, type NumbersSearch } from './numbers-search.ts';

const SEARCH_DEBOUNCE_MS = 250;

const chipTones: Record<string, string> = {
  green: 'aria-pressed:bg-green-50 aria-pressed:text-green-900 aria-pressed:ring-green-600',
  amber: 'aria-pressed:bg-amber-50 aria-pressed:text-amber-900 aria-pressed:ring-amber-600',
  blue: 'aria-pressed:bg-blue-50 aria-pressed:text-blue-900 aria-pressed:ring-blue-600',
  violet: 'aria-pressed:bg-violet-50 aria-pressed:text-violet-900 aria-pressed:ring-violet-600',
  red: 'aria-pressed:bg-red-50 aria-pressed:text-red-900 aria-pressed:ring-red-600',
  neutral: 'aria-pressed:bg-zinc-100 aria-pressed:text-zinc-900 aria-pressed:ring-zinc-600',
};

function StatusChips({ selected, onChange }: { selected: NumberStatus[]; onChange: (next: NumberStatus[]) => void }) {
  return (
    <div role="group" aria-labelledby="status-filter-label" className="space-y-1">
      <span id="status-filter-label" className="block text-sm font-medium text-zinc-800">
        Status
      </span>
      <div className="flex flex-wrap gap-1.5">
        {numberStatuses.map((s) => {
          const on = selected.includes(s);
          return (
            <button
              key={s}
              type="button"
              aria-pressed={on}
              onClick={() => onChange(on ? selected.filter((x) => x !== s) : [...selected, s])}
              className={`inline-flex items-center gap-1 rounded-full bg-white px-2.5 py-1 text-xs font-medium text-zinc-700 ring-1 ring-zinc-300 ring-inset hover:bg-zinc-50 ${chipTones[statusTones[s]]}`}
            >
              <span aria-hidden="true">{on ? '✓' : '+'}</span>
              {statusLabel(s)}
            </button>
          );
        })}
      </div>
    </div>
  );
}

export function NumbersPage() {
  const { tenant, canWrite } = useTenant();
  const search = useSearch({ strict: false }) as NumbersSearch;
  const navigate = useNavigate();
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const [text, setText] = useState(filters.search);
  // The address can change under the box (back button, a link, "Clear filters"): follow it.
  const [shownSearch, setShownSearch] = useState(filters.search);
  const pushed = useRef(filters.search);
  if (shownSearch !== filters.search) {
    setShownSearch(filters.search);
    // The box's own push must not undo what was typed since.
    if (filters.search !== pushed.current) setText(filters.search);
  }
  const [nextFreeOpen, setNextFreeOpen] = useState(false);
  const [adding, setAdding] = useState(false);
  // Bulk work: ticked rows, or "all matching this filter" (every page); a new filter starts afresh.
  const [chosen, setChosen] = useState<Set<string>>(() => new Set());
  const [allMatching, setAllMatching] = useState(false);
  const [bulkOperation, setBulkOperation] = useState<'update' | 'delete' | null>(null);
  const [bulkDone, setBulkDone] = useState<string | null>(null);
  const filterKey = JSON.stringify(bulkFilter(filters));
  const [chosenFor, setChosenFor] = useState(filterKey);
  if (chosenFor !== filterKey) {
    setChosenFor(filterKey);
    setChosen(new Set());
    setAllMatching(false);
  }

  const go = useCallback(
    (next: NumberFilters, number: string | undefined, replace = true) =>
      // resetScroll: false, so the router does not carry the table's old scroll position over; the table resets it itself.
      void navigate({ to: '/tenants/$tenantId/numbers', params: { tenantId: tenant.id }, search: searchFromFilters(next, number), replace, resetScroll: false }),
    [navigate, tenant.id],
  );
  const setFilters = (changes: Partial<NumberFilters>) => go({ ...filters, ...changes }, search.number);
  const openNumber = (numberId: string) => go(filters, numberId, false);
  const closeNumber = () => go(filters, undefined, true);

  // Search as you type: the address (and the query) follow the box after a short pause.
  useEffect(() => {
    if (text === filters.search) return undefined;
    const timer = setTimeout(() => {
      pushed.current = text;
      go({ ...filters, search: text }, search.number);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, filters, search.number, go]);

  const numbers = useInfiniteQuery(numbersQuery(tenant.id, filters));
  const ranges = useQuery(rangesQuery(tenant.id));
  const sites = useQuery(sitesQuery(tenant.id));
  const facets = useQuery(facetsQuery(tenant.id));
  const arrangement = useColumnArrangement('numbers', columns, defaultColumns);
  const visible = arrangement.visible;

  const rows = useMemo(() => numbers.data?.pages.flatMap((p) => p.numbers) ?? [], [numbers.data]);
  const total = numbers.data?.pages[0]?.total;
  const lookup = useMemo(() => {
    const rangeNames = new Map((ranges.data ?? []).map((r) => [r.id, r.name]));
    const siteNames = new Map((sites.data ?? []).map((s) => [s.id, s.name]));
    return { rangeName: (id: string | null) => (id ? (rangeNames.get(id) ?? '') : ''), siteName: (id: string | null) => (id ? (siteNames.get(id) ?? '') : '') };
  }, [ranges.data, sites.data]);

  const onSort = (sort: NumberSort) => setFilters(filters.sort === sort ? { dir: filters.dir === 'asc' ? 'desc' : 'asc' } : { sort, dir: sort === 'updatedAt' ? 'desc' : 'asc' });
  const { fetchNextPage } = numbers;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  const updating = numbers.isFetching && !numbers.isFetchingNextPage;
  const filtered = hasFilters(filters);

  const selection: RowSelection = {
    isSelected: (id) => allMatching || chosen.has(id),
    toggle: (id) => {
      const next = new Set(allMatching ? rows.map((r) => r.id) : chosen);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      setAllMatching(false);
      setChosen(next);
    },
    allLoaded: allMatching || (rows.length > 0 && rows.every((r) => chosen.has(r.id))),
    toggleAllLoaded: () => {
      const all = allMatching || (rows.length > 0 && rows.every((r) => chosen.has(r.id)));
      setAllMatching(false);
      setChosen(all ? new Set() : new Set(rows.map((r) => r.id)));
    },
  };
  const chosenCount = allMatching ? (total ?? 0) : chosen.size;
  const bulkSelection: BulkSelection = allMatching ? { filter: bulkFilter(filters), count: total ?? 0 } : { ids: [...chosen] };
  const clearChoice = () => {
    setChosen(new Set());
    setAllMatching(false);
  };

  return (
    <div className="space-y-4">
      <form role="search" aria-label="Find numbers" onSubmit={(e) => e.preventDefault()} className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 shadow-xs">
        <div className="grid gap-4 md:grid-cols-[minmax(16rem,2fr)_repeat(3,minmax(9rem,1fr))]">
          <TextField
            label="Search"
            name="search"
            type="search"
            autoComplete="off"
            placeholder="Digits, assignee, tag or notes"
            hint="Digits match anywhere in the number: 555 01 finds +1 415 555 0100."
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <ChoiceField label="Kind" name="kind" value={filters.kind} onChange={(e) => setFilters({ kind: e.target.value as NumberFilters['kind'] })} empty="Any kind" choices={numberKinds.map((k) => ({ value: k, label: kindLabels[k] }))} />
          <ChoiceField label="Range" name="rangeId" value={filters.rangeId} onChange={(e) => setFilters({ rangeId: e.target.value })} empty="Any range" choices={ranges.data?.map((r) => ({ value: r.id, label: r.name })) ?? []} />
          <ChoiceField label="Site" name="siteId" value={filters.siteId} onChange={(e) => setFilters({ siteId: e.target.value })} empty="Any site" choices={sites.data?.map((s) => ({ value: s.id, label: s.name })) ?? []} />
        </div>
        <div className="flex flex-wrap items-end gap-4">
          <StatusChips selected={filters.status} onChange={(status) => setFilters({ status })} />
          <ChoiceField label="Carrier" name="carrier" value={filters.carrier} onChange={(e) => setFilters({ carrier: e.target.value })} className="w-44" empty="Any carrier" choices={facets.data?.carriers.map((c) => ({ value: c, label: c })) ?? []} />
          <ChoiceField label="Tag" name="tag" value={filters.tag} onChange={(e) => setFilters({ tag: e.target.value })} className="w-44" empty="Any tag" choices={facets.data?.tags.map((t) => ({ value: t, label: t })) ?? []} />
          <CountryFilter label="Country" name="country" value={filters.country} onChange={(country) => setFilters({ country })} />
          <CountryFilter label="Usage location" name="usageLocation" value={filters.usageLocation} onChange={(usageLocation) => setFilters({ usageLocation })} />
          <CheckboxField label="Teams + 3CX" name="shared" hint="One number on both" checked={filters.shared} onChange={(e) => setFilters({ shared: e.target.checked })} />
          {filtered ? (
            <Button
              variant="ghost"
              onClick={() => {
                setText('');
                go({ ...emptyFilters, sort: filters.sort, dir: filters.dir }, search.number);
              }}
            >
              Clear filters
            </Button>
          ) : null}
        </div>
      </form>

      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-zinc-700" aria-live="polite" data-testid="numbers-total">
          {total !== undefined ? (
            <>
              <span className="font-semibold text-zinc-900">{formatCount(total)}</span> {total === 1 ? 'number' : 'numbers'}
              {filtered ? ' match' : ''}
            </>
          ) : numbers.isPending ? (
            'Loading…'
          ) : null}
          {updating && total !== undefined ? <span className="ml-2 text-xs text-zinc-500">Updating…</span> : null}
        </p>
        <div className="flex flex-wrap items-center gap-2">
          <ColumnArrangementMenu arrangement={arrangement} fixed="Number" label="the numbers table" />
          <a
            href={exportUrl(tenant.id, filters)}
            download
            className="inline-flex items-center rounded-md border border-zinc-300 bg-white px-3.5 py-2 text-sm font-medium text-zinc-800 shadow-xs hover:bg-zinc-50"
            title={total !== undefined ? `Download ${plural(total, 'number')} as CSV` : 'Download as CSV'}
          >
            Export CSV
          </a>
          {canWrite ? (
            <>
              <Button onClick={() => setAdding(true)}>Add number</Button>
              <Button variant="primary" onClick={() => setNextFreeOpen(true)}>
                Next free number
              </Button>
            </>
          ) : null}
        </div>
      </div>

      {filters.importId ? (
        <Notice tone="info">
          Showing the numbers of one import. To undo that import, choose all matching this filter and delete them.
        </Notice>
      ) : null}
      {bulkDone ? <Notice>{bulkDone}</Notice> : null}
      {canWrite && chosenCount > 0 ? (
        <div role="region" aria-label="Chosen numbers" className="flex flex-wrap items-center gap-3 rounded-md border border-blue-200 bg-blue-50 px-3 py-2 text-sm text-blue-950" data-testid="bulk-bar">
          <span>
            <strong>{formatCount(chosenCount)}</strong> chosen{allMatching ? ' (all matching this filter, on every page)' : ''}
          </span>
          {!allMatching && total !== undefined && total > chosen.size && selection.allLoaded ? (
            <Button size="sm" variant="ghost" onClick={() => setAllMatching(true)}>
              Choose all {formatCount(total)} matching this filter
            </Button>
          ) : null}
          <span className="ml-auto flex gap-2">
            <Button size="sm" variant="primary" onClick={() => setBulkOperation('update')}>
              Change…
            </Button>
            <Button size="sm" variant="danger" onClick={() => setBulkOperation('delete')}>
              Delete…
            </Button>
            <Button size="sm" variant="ghost" onClick={clearChoice}>
              Clear choice
            </Button>
          </span>
        </div>
      ) : null}

      <ErrorAlert error={numbers.error} />
      <NumbersTable
        tenantId={tenant.id}
        rows={rows}
        total={total}
        visible={visible}
        filters={filters}
        search={searchFromFilters(filters)}
        lookup={lookup}
        hasNextPage={numbers.hasNextPage}
        isFetchingNextPage={numbers.isFetchingNextPage}
        fetchNextPage={loadMore}
        onSort={onSort}
        onOpen={openNumber}
        loading={numbers.isPending}
        selection={canWrite ? selection : undefined}
      />
      <BulkDialog
        open={bulkOperation !== null}
        tenantId={tenant.id}
        selection={bulkSelection}
        operation={bulkOperation ?? 'update'}
        onClose={() => setBulkOperation(null)}
        onDone={(report) => {
          setBulkDone(`${bulkOperation === 'delete' ? 'Deleted' : 'Changed'} ${plural(report.applied, 'number')}.`);
          setBulkOperation(null);
          clearChoice();
        }}
      />

      <NumberDrawer
        tenantId={tenant.id}
        numberId={search.number}
        initial={rows.find((n) => n.id === search.number)}
        canWrite={canWrite}
        coolingDays={tenant.features.coolingDays}
        rangeName={lookup.rangeName}
        siteName={lookup.siteName}
        onClose={closeNumber}
      />
      <NextFreeDialog
        open={nextFreeOpen}
        tenantId={tenant.id}
        onClose={() => setNextFreeOpen(false)}
        onOpen={(id) => {
          setNextFreeOpen(false);
          openNumber(id);
        }}
      />
      <AddNumberDialog
        open={adding}
        tenantId={tenant.id}
        onClose={() => setAdding(false)}
        onAdded={(n) => {
          setAdding(false);
          openNumber(n.id);
        }}
      />
    </div>
  );
}

/** A two-letter country code (GB, US): the filter changes once two letters are typed, or when cleared. */
function CountryFilter({ label, name, value, onChange }: { label: string; name: string; value: string; onChange: (code: string) => void }) {
  const [text, setText] = useState(value);
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setText(value);
  }
  return (
    <TextField
      label={label}
      name={name}
      className="w-28"
      autoComplete="off"
      maxLength={2}
      placeholder="GB"
      value={text}
      onChange={(e) => {
        const next = e.target.value.toUpperCase();
        setText(next);
        if (next === '' || /^[A-Z]{2}$/.test(next)) onChange(next);
      }}
    />
  );
}
