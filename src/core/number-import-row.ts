import { headerKey } from './import-csv.ts';
import { numberKinds } from './number-vocabulary.ts';
import { inRange, isKnownCountry, parseNumber } from './phone-number.ts';

/**
 * Validation of one CSV import row, without I/O: the caller supplies what the tenant has
 * (ranges, sites) and what it has seen so far. Returns the normalized number or the reasons
 * the row cannot be imported, each naming its column.
 */
export const importKinds = numberKinds;
export const importStatuses = ['available', 'reserved', 'assigned', 'blocked', 'retired'] as const;

export type ImportKind = (typeof importKinds)[number];
export type ImportStatus = (typeof importStatuses)[number];

export type ImportedNumber = {
  e164: string;
  extension: string;
  kind: ImportKind;
  status: ImportStatus;
  rangeId: string | null;
  siteId: string | null;
  carrier: string;
  tags: string[];
  notes: string;
  displayName: string;
  usageLocation: string;
  /** Derived from the E.164 (not a column of the file). */
  country: string;
  assignee: string | null;
  assigneeName: string | null;
  reservedUntil: string | null;
  reservationReason: string | null;
};

export type RowProblem = { column: string; value: string; message: string };

export type ImportContext = {
  defaultCountry: string | null;
  rangesByName: Map<string, { id: string; startE164: string; endE164: string }>;
  sitesByName: Map<string, string>;
  now: Date;
};

/** Header aliases people use in their spreadsheets, mapped to our column names. */
const headerAliases: Record<string, string> = {
  number: 'number',
  phonenumber: 'number',
  phone: 'number',
  e164: 'number',
  did: 'number',
  telephonenumber: 'number',
  extension: 'extension',
  ext: 'extension',
  kind: 'kind',
  type: 'kind',
  numbertype: 'kind',
  status: 'status',
  range: 'range',
  rangename: 'range',
  site: 'site',
  location: 'site',
  carrier: 'carrier',
  tags: 'tags',
  tag: 'tags',
  notes: 'notes',
  note: 'notes',
  assignee: 'assignee',
  assignedto: 'assignee',
  userprincipalname: 'assignee',
  upn: 'assignee',
  assigneename: 'assignee_name',
  numbername: 'display_name',
  usagelocation: 'usage_location',
  usagecountry: 'usage_location',
  // The number's own name (export column display_name); the assignee's is assignee_name.
  displayname: 'display_name',
  username: 'assignee_name',
  reserveduntil: 'reserved_until',
  reservationreason: 'reservation_reason',
  reason: 'reservation_reason',
};

export function canonicalHeader(header: string): string | undefined {
  return headerAliases[headerKey(header)];
}

const kindAliases: Record<string, ImportKind> = {
  directrouting: 'direct_routing',
  dr: 'direct_routing',
  callingplan: 'calling_plan',
  cp: 'calling_plan',
  operatorconnect: 'operator_connect',
  oc: 'operator_connect',
  threecxdid: 'threecx_did',
  '3cxdid': 'threecx_did',
  '3cx': 'threecx_did',
  threecx: 'threecx_did',
  tollfree: 'toll_free',
  freephone: 'toll_free',
  service: 'service',
  servicenumber: 'service',
  extensiononly: 'extension_only',
  extension: 'extension_only',
};

const statusHints: Record<string, string> = {
  cooling: 'cooling is where released numbers rest; it cannot be imported. Import the number as available or blocked.',
};

/** An ISO date or date-time; anything else is an invalid date. JavaScript's Date alone reads "foo 3000" as a year. */
function isoDate(text: string): Date {
  return /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? new Date(text) : new Date(Number.NaN);
}

export function validateImportRow(raw: Record<string, string>, ctx: ImportContext): { ok: true; value: ImportedNumber } | { ok: false; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const get = (column: string) => (raw[column] ?? '').trim();
  // PostgreSQL text cannot hold U+0000; say so here rather than fail when the file is applied.
  for (const [column, value] of Object.entries(raw)) {
    if (value.includes('\u0000')) problems.push({ column, value: value.replaceAll('\u0000', '\u2400'), message: 'Contains a NUL character, which cannot be stored; remove it.' });
  }

  const numberText = get('number');
  const parsed = parseNumber(numberText, ctx.defaultCountry);
  if (!parsed.ok) problems.push({ column: 'number', value: numberText, message: parsed.reason });
  const extension = get('extension') || (parsed.ok ? parsed.value.extension : '');
  if (extension && !/^\d{1,10}$/.test(extension)) problems.push({ column: 'extension', value: extension, message: 'An extension is 1 to 10 digits.' });

  const kindText = get('kind');
  const kind = kindText === '' ? 'direct_routing' : kindAliases[kindText.toLowerCase().replace(/[^a-z0-9]/g, '')];
  if (!kind) problems.push({ column: 'kind', value: kindText, message: `Unknown kind; use one of: ${importKinds.join(', ')}.` });

  if (kind === 'extension_only' && !extension) problems.push({ column: 'extension', value: '', message: 'An extension-only number needs its extension (the digits dialled after the main number).' });

  const statusText = get('status').toLowerCase();
  const status = (statusText === '' ? 'available' : statusText) as ImportStatus;
  if (!(importStatuses as readonly string[]).includes(status)) {
    problems.push({ column: 'status', value: get('status'), message: statusHints[statusText] ?? `Status must be one of: ${importStatuses.join(', ')}.` });
  }

  const rangeName = get('range');
  const range = rangeName ? ctx.rangesByName.get(rangeName.toLowerCase()) : undefined;
  const rangeId = range?.id ?? null;
  if (rangeName && !range) problems.push({ column: 'range', value: rangeName, message: `There is no range named "${rangeName}" in this tenant.` });
  if (range && parsed.ok && !inRange(parsed.value.e164, range.startE164, range.endE164)) {
    problems.push({ column: 'range', value: rangeName, message: `${parsed.value.e164} is outside the range ${rangeName} (${range.startE164} to ${range.endE164}).` });
  }
  const siteName = get('site');
  const siteId = siteName ? (ctx.sitesByName.get(siteName.toLowerCase()) ?? null) : null;
  if (siteName && !siteId) problems.push({ column: 'site', value: siteName, message: `There is no site named "${siteName}" in this tenant.` });

  const assignee = get('assignee') || null;
  if (status === 'assigned' && !assignee) problems.push({ column: 'assignee', value: '', message: 'An assigned number needs its assignee (UPN or 3CX extension).' });
  if (status !== 'assigned' && assignee) problems.push({ column: 'assignee', value: assignee, message: `Only assigned numbers have an assignee; this row says ${status}.` });

  let reservedUntil: string | null = null;
  const untilText = get('reserved_until');
  if (status === 'reserved') {
    const until = untilText ? isoDate(untilText) : new Date(ctx.now.getTime() + 30 * 86_400_000);
    if (Number.isNaN(until.getTime())) problems.push({ column: 'reserved_until', value: untilText, message: 'Not a date; use YYYY-MM-DD.' });
    else if (until <= ctx.now) problems.push({ column: 'reserved_until', value: untilText, message: 'A reservation must end in the future.' });
    else reservedUntil = until.toISOString();
  } else if (untilText) {
    problems.push({ column: 'reserved_until', value: untilText, message: `Only reserved numbers have a reservation end; this row says ${status}.` });
  }

  const notes = get('notes');
  if (notes.length > 2000) problems.push({ column: 'notes', value: `${notes.slice(0, 20)}…`, message: 'Notes are limited to 2,000 characters.' });
  const tags = get('tags')
    .split(/[;|]/)
    .map((t) => t.trim())
    .filter(Boolean);
  if (tags.some((t) => t.length > 50)) problems.push({ column: 'tags', value: get('tags'), message: 'A tag is at most 50 characters.' });

  const displayName = get('display_name');
  if (displayName.length > 200) problems.push({ column: 'display_name', value: `${displayName.slice(0, 20)}…`, message: 'A display name is at most 200 characters.' });
  const usageText = get('usage_location');
  const usageLocation = usageText.toUpperCase();
  if (usageText && !isKnownCountry(usageLocation)) problems.push({ column: 'usage_location', value: usageText, message: 'Not a country code; use two letters (ISO 3166-1 alpha-2), such as GB or US.' });

  if (problems.length > 0 || !parsed.ok || !kind) return { ok: false, problems };
  return {
    ok: true,
    value: {
      e164: parsed.value.e164,
      extension,
      kind,
      status,
      rangeId,
      siteId,
      carrier: get('carrier'),
      tags,
      notes,
      displayName,
      usageLocation,
      country: parsed.value.country ?? '',
      assignee: assignee?.toLowerCase() ?? null,
      assigneeName: get('assignee_name') || null,
      reservedUntil,
      reservationReason: status === 'reserved' ? get('reservation_reason') || 'Imported reservation' : null,
    },
  };
}
