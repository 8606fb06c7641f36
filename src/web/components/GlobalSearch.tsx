import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { searchQuery, type SearchHitDto, type SearchKind } from '../api/search.ts';

const kindLabels: Record<SearchKind, string> = {
  number: 'Numbers',
  teams_user: 'Teams users',
  threecx_extension: '3CX extensions',
  range: 'Ranges',
  ticket: 'ConnectWise tickets',
  tenant: 'Tenants',
};

/** Typing into these keeps "/" as a character; anywhere else it jumps to the search box. */
function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

function useDebounced(value: string, ms: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

const hitClass = 'block rounded-md px-3 py-2 text-left outline-none hover:bg-zinc-100 data-[active=true]:bg-blue-50 data-[active=true]:ring-1 data-[active=true]:ring-blue-200';

/** The hit as a link into its tenant's page. */
function HitLink({ hit, active, onOpen, children, id }: { hit: SearchHitDto; active: boolean; onOpen: () => void; children: ReactNode; id: string }) {
  const common = { id, role: 'option', 'aria-selected': active, 'data-active': active, 'data-testid': 'search-hit', 'data-kind': hit.kind, className: hitClass, onClick: onOpen, tabIndex: -1 } as const;
  const params = { tenantId: hit.tenantId };
  switch (hit.link.page) {
    case 'numbers':
      return <Link to="/tenants/$tenantId/numbers" params={params} search={{ search: hit.link.search, number: hit.link.numberId }} {...common}>{children}</Link>;
    case 'voice':
      return <Link to="/tenants/$tenantId/voice" params={params} search={{ user: hit.link.userId }} {...common}>{children}</Link>;
    case 'ranges':
      return <Link to="/tenants/$tenantId/ranges" params={params} {...common}>{children}</Link>;
    case 'threecx':
      return <Link to="/tenants/$tenantId/threecx" params={params} {...common}>{children}</Link>;
    case 'audit':
      return <Link to="/audit" search={{ ticketId: hit.link.ticketId, tenantId: hit.tenantId }} {...common}>{children}</Link>;
    case 'tenant':
      return <Link to="/tenants/$tenantId" params={params} {...common}>{children}</Link>;
  }
}

/**
 * The header's search across every tenant in the operator's scope (#19): a number in any format,
 * a range, a Teams user, a 3CX extension, a ticket or a tenant. "/" jumps here from anywhere but
 * a text field; arrows move through the hits, Enter opens one in its tenant, Escape closes.
 */
export function GlobalSearch() {
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const listId = useId();
  const q = useDebounced(text.trim(), 200);
  const ready = q.length >= 2;
  const result = useQuery({ ...searchQuery(q), enabled: ready });

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      e.preventDefault();
      input.current?.focus();
      input.current?.select();
      setOpen(true);
    };
    const onClick = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      window.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, []);

  const groups = ready && result.data && result.data.query === q.toLowerCase() ? result.data.groups : [];
  const hits = groups.flatMap((g) => g.hits);
  useEffect(() => setActive(0), [q]);

  const close = () => {
    setOpen(false);
    input.current?.blur();
  };
  const optionId = (i: number) => `${listId}-hit-${i}`;
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      if (text) setText('');
      else close();
    } else if (e.key === 'ArrowDown' && hits.length) {
      e.preventDefault();
      setOpen(true);
      setActive((i) => (i + 1) % hits.length);
    } else if (e.key === 'ArrowUp' && hits.length) {
      e.preventDefault();
      setActive((i) => (i - 1 + hits.length) % hits.length);
    } else if (e.key === 'Enter' && hits[active]) {
      e.preventDefault();
      document.getElementById(optionId(active))?.click();
    }
  };
  const onOpen = () => {
    setOpen(false);
    setText('');
  };

  let index = -1;
  const showPanel = open && text.trim().length > 0;
  return (
    <div ref={box} className="relative mx-4 w-full max-w-md">
      <label htmlFor={`${listId}-input`} className="sr-only">
        Search all tenants
      </label>
      <input
        ref={input}
        id={`${listId}-input`}
        type="text"
        role="combobox"
        enterKeyHint="search"
        aria-expanded={showPanel}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={showPanel && hits[active] ? optionId(active) : undefined}
        autoComplete="off"
        spellCheck={false}
        placeholder="Search numbers, users, extensions, tickets, tenants"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={onKeyDown}
        className="w-full rounded-md border border-zinc-300 bg-zinc-50 py-1.5 pr-8 pl-3 text-sm text-zinc-900 placeholder:text-zinc-500 focus:border-blue-600 focus:bg-white focus:ring-2 focus:ring-blue-600/20 focus:outline-none"
        data-testid="global-search"
      />
      <kbd aria-hidden="true" className="pointer-events-none absolute top-1/2 right-2 -translate-y-1/2 rounded border border-zinc-300 bg-white px-1.5 text-xs text-zinc-500">
        /
      </kbd>
      {showPanel ? (
        <div id={listId} role="listbox" aria-label="Search results" className="absolute top-full right-0 left-0 z-20 mt-1 max-h-[70vh] overflow-y-auto rounded-md border border-zinc-200 bg-white p-2 shadow-lg" data-testid="search-results">
          {!ready ? <p className="px-3 py-2 text-sm text-zinc-600">Type at least 2 characters: a number (any format), a name, a UPN, an extension, a ticket or a tenant.</p> : null}
          {ready && result.isError ? <p className="px-3 py-2 text-sm text-red-700">{result.error.message}</p> : null}
          {ready && result.isPending ? <p className="px-3 py-2 text-sm text-zinc-600">Searching…</p> : null}
          {ready && result.data && !result.isFetching && hits.length === 0 ? (
            <p className="px-3 py-2 text-sm text-zinc-600">
              Nothing found for “{q}” in your {result.data.tenants === 1 ? 'tenant' : `${result.data.tenants} tenants`}.
            </p>
          ) : null}
          {groups.map((group) => (
            <div key={group.kind} role="group" aria-label={kindLabels[group.kind]} className="mb-1">
              <p className="px-3 pt-2 pb-1 text-xs font-semibold tracking-wide text-zinc-500 uppercase">{kindLabels[group.kind]}</p>
              {group.hits.map((hit) => {
                index += 1;
                const i = index;
                return (
                  <HitLink key={`${hit.kind}-${hit.id}`} hit={hit} active={i === active} onOpen={onOpen} id={optionId(i)}>
                    <span className="flex items-baseline justify-between gap-3">
                      <span className="truncate text-sm font-medium text-zinc-900">{hit.title}</span>
                      <span className="shrink-0 text-xs text-zinc-500">{hit.tenantName}</span>
                    </span>
                    <span className="block truncate text-xs text-zinc-600">{hit.detail}</span>
                  </HitLink>
                );
              })}
              {group.more ? <p className="px-3 py-1 text-xs text-zinc-500">More {kindLabels[group.kind].toLowerCase()} match: type more to narrow the search.</p> : null}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
