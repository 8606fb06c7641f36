import { emptyFilters, numberKinds, numberStatuses, type NumberFilters, type NumberSort } from '../../api/inventory.ts';
import type { NumberKind, NumberStatus } from '../../api/types.ts';

/** The numbers page's address: its filters, sort and the open number, so a view can be shared or bookmarked. */
export type NumbersSearch = {
  search?: string;
  status?: string;
  kind?: string;
  rangeId?: string;
  siteId?: string;
  carrier?: string;
  tag?: string;
  importId?: string;
  country?: string;
  usageLocation?: string;
  shared?: string;
  sort?: NumberSort;
  dir?: 'asc' | 'desc';
  number?: string;
};

const sorts: readonly NumberSort[] = ['e164', 'status', 'updatedAt', 'assignee'];
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

export function validateNumbersSearch(raw: Record<string, unknown>): NumbersSearch {
  const out: NumbersSearch = {};
  for (const key of ['search', 'status', 'kind', 'rangeId', 'siteId', 'carrier', 'tag', 'importId', 'country', 'usageLocation', 'shared', 'number'] as const) {
    const value = str(raw[key]);
    if (value !== undefined) out[key] = value;
  }
  const sort = str(raw.sort);
  if (sort && (sorts as readonly string[]).includes(sort)) out.sort = sort as NumberSort;
  const dir = str(raw.dir);
  if (dir === 'asc' || dir === 'desc') out.dir = dir;
  return out;
}

export function filtersFromSearch(s: NumbersSearch): NumberFilters {
  return {
    search: s.search ?? '',
    status: (s.status ?? '').split(',').filter((x): x is NumberStatus => (numberStatuses as readonly string[]).includes(x)),
    kind: s.kind && (numberKinds as readonly string[]).includes(s.kind) ? (s.kind as NumberKind) : '',
    rangeId: s.rangeId ?? '',
    siteId: s.siteId ?? '',
    carrier: s.carrier ?? '',
    tag: s.tag ?? '',
    importId: s.importId ?? '',
    country: /^[A-Za-z]{2}$/.test(s.country ?? '') ? s.country!.toUpperCase() : '',
    usageLocation: /^[A-Za-z]{2}$/.test(s.usageLocation ?? '') ? s.usageLocation!.toUpperCase() : '',
    shared: s.shared === 'true',
    sort: s.sort ?? 'e164',
    dir: s.dir ?? 'asc',
  };
}

/** Only what differs from the defaults goes into the address. */
export function searchFromFilters(f: NumberFilters, number?: string): NumbersSearch {
  const out: NumbersSearch = {};
  if (f.search) out.search = f.search;
  if (f.status.length) out.status = f.status.join(',');
  if (f.kind) out.kind = f.kind;
  if (f.rangeId) out.rangeId = f.rangeId;
  if (f.siteId) out.siteId = f.siteId;
  if (f.carrier) out.carrier = f.carrier;
  if (f.tag) out.tag = f.tag;
  if (f.importId) out.importId = f.importId;
  if (f.country) out.country = f.country;
  if (f.usageLocation) out.usageLocation = f.usageLocation;
  if (f.shared) out.shared = 'true';
  if (f.sort !== emptyFilters.sort) out.sort = f.sort;
  if (f.dir !== emptyFilters.dir) out.dir = f.dir;
  if (number) out.number = number;
  return out;
}

export function hasFilters(f: NumberFilters): boolean {
  return Boolean(f.search.trim() || f.status.length || f.kind || f.rangeId || f.siteId || f.carrier || f.tag || f.importId || f.country || f.usageLocation || f.shared);
}
