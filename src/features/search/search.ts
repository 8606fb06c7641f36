import { and, asc, desc, eq, inArray, like, or, sql, type SQL } from 'drizzle-orm';
import { MIN_NUMBER_DIGITS, MIN_TEXT_LENGTH, likeEscape, parseSearchQuery, type SearchTerms } from '../../core/search-query.ts';
import { auditEvents, numberRanges, phoneNumbers, teamsUsers, tenants } from '../../db/schema/index.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';
import { scopeCondition } from '../kernel/tenant-scope.ts';
import type { SearchGroupDto, SearchHitDto, SearchKind, SearchResultDto } from './schemas.ts';

type NumberRow = typeof phoneNumbers.$inferSelect;
type Visible = { ids: string[]; nameOf: Map<string, string> };

const statusWords: Record<NumberRow['status'], string> = { available: 'Available', reserved: 'Reserved', assigned: 'Assigned', cooling: 'Cooling', blocked: 'Blocked', retired: 'Retired' };

/**
 * One search over every tenant the operator may see (#19). Each kind is one indexed query, capped
 * at `limit` (+1 to tell whether more match), so the answer costs the same at a million numbers:
 * a number is found by the start of its E.164 (btree on e164) or by its end — what a person reads
 * out without the country code — (btree on reverse(e164)), words by the trigram indexes on the
 * search text of numbers and of the Teams directory, a 3CX extension by its own partial index, a
 * ticket through the audit log's ticket index. Archived tenants are searched by name only.
 */
export async function globalSearch(deps: AppDeps, actor: Actor, q: string, limit: number): Promise<SearchResultDto> {
  const terms = parseSearchQuery(q);
  const scoped = await deps.db
    .select({ id: tenants.id, name: tenants.name, status: tenants.status })
    .from(tenants)
    .where(scopeCondition(actor, tenants.id));
  const active = scoped.filter((t) => t.status === 'active');
  const visible: Visible = { ids: active.map((t) => t.id), nameOf: new Map(scoped.map((t) => [t.id, t.name])) };
  const empty = { query: terms.text, tenants: scoped.length };
  if (scoped.length === 0 || !terms.text) return { ...empty, groups: [] };

  const [tenantHits, numberHits, teamsHits, extensionHits, ticketHits] = await Promise.all([
    searchTenants(deps, actor, terms, limit),
    visible.ids.length ? searchNumbers(deps, visible.ids, terms, limit) : [],
    visible.ids.length ? searchTeamsUsers(deps, visible.ids, terms, limit) : [],
    visible.ids.length ? searchExtensions(deps, visible.ids, terms, limit) : [],
    visible.ids.length ? searchTickets(deps, visible.ids, terms, limit) : [],
  ]);
  const rangeHits = visible.ids.length ? await searchRanges(deps, visible.ids, terms, limit, numberHits) : [];

  const groups: SearchGroupDto[] = [];
  const add = (kind: SearchKind, hits: SearchHitDto[]) => {
    if (hits.length) groups.push({ kind, hits: hits.slice(0, limit), more: hits.length > limit });
  };
  add('number', numberHits.map((n) => numberHit(n, visible)));
  add('teams_user', teamsHits.map((u) => ({ kind: 'teams_user', id: `${u.tenantId}:${u.userId}`, tenantId: u.tenantId, tenantName: visible.nameOf.get(u.tenantId) ?? '', title: u.displayName ? `${u.displayName} (${u.upn})` : u.upn, detail: teamsDetail(u), link: { page: 'voice', userId: u.userId } })));
  add('threecx_extension', extensionHits.map((n) => ({ kind: 'threecx_extension', id: `${n.tenantId}:${n.assigneeId}`, tenantId: n.tenantId, tenantName: visible.nameOf.get(n.tenantId) ?? '', title: `Extension ${n.assigneeId}${n.assigneeName ? ` · ${n.assigneeName}` : ''}`, detail: `3CX, DID ${n.e164}`, link: { page: 'threecx' } })));
  add('range', rangeHits.map((r) => ({ kind: 'range', id: r.id, tenantId: r.tenantId, tenantName: visible.nameOf.get(r.tenantId) ?? '', title: r.name, detail: `${r.startE164} – ${r.endE164}, ${r.size} ${r.size === 1 ? 'number' : 'numbers'}`, link: { page: 'ranges' } })));
  add('ticket', ticketHits.map((t) => ({ kind: 'ticket', id: `${t.tenantId}:${t.ticketId}`, tenantId: t.tenantId, tenantName: visible.nameOf.get(t.tenantId) ?? '', title: `Ticket #${t.ticketId}`, detail: `${t.events} ${t.events === 1 ? 'change' : 'changes'} logged in UCR Manager, the last on ${t.last.toISOString().slice(0, 10)}`, link: { page: 'audit', ticketId: t.ticketId } })));
  add('tenant', tenantHits.map((t) => ({ kind: 'tenant', id: t.id, tenantId: t.id, tenantName: t.name, title: t.name, detail: [t.primaryDomain, t.status === 'archived' ? 'archived' : ''].filter(Boolean).join(' · ') || 'Tenant', link: { page: 'tenant' } })));
  return { ...empty, groups };
}

function numberHit(n: NumberRow, visible: Visible): SearchHitDto {
  const who = n.assigneeUpn ?? (n.assigneeType === 'threecx_extension' ? `3CX extension ${n.assigneeId}` : n.assigneeId);
  const detail = [statusWords[n.status], who && n.status === 'assigned' ? `to ${n.assigneeName ? `${n.assigneeName} (${who})` : who}` : '', n.extension ? `ext. ${n.extension}` : ''].filter(Boolean).join(' ');
  return { kind: 'number', id: n.id, tenantId: n.tenantId, tenantName: visible.nameOf.get(n.tenantId) ?? '', title: n.e164, detail, link: { page: 'numbers', search: n.e164.slice(1), numberId: n.id } };
}

function teamsDetail(u: typeof teamsUsers.$inferSelect): string {
  const number = u.numbers[0]?.telephoneNumber;
  return [number ? `Teams, ${number}` : 'Teams, no number', u.phoneSystem ? 'Teams Phone licence' : 'no Teams Phone licence', u.accountEnabled ? '' : 'sign-in disabled'].filter(Boolean).join(' · ');
}

async function searchTenants(deps: AppDeps, actor: Actor, terms: SearchTerms, limit: number) {
  const pattern = `%${likeEscape(terms.text)}%`;
  const exact: SQL[] = [sql`lower(${tenants.connectwiseCompanyId}) = ${terms.text}`];
  if (/^[0-9a-f-]{36}$/.test(terms.text)) exact.push(sql`${tenants.microsoftTenantId}::text = ${terms.text}`);
  return deps.db
    .select()
    .from(tenants)
    .where(and(scopeCondition(actor, tenants.id), or(sql`${tenants.name} ilike ${pattern}`, sql`${tenants.primaryDomain} ilike ${pattern}`, ...exact)))
    .orderBy(sql`case when lower(${tenants.name}) like ${`${likeEscape(terms.text)}%`} then 0 else 1 end`, asc(tenants.status), asc(tenants.name))
    .limit(limit + 1);
}

/** Numbers by the start or the end of their E.164 (digits), or by assignee, tags and notes (words). */
async function searchNumbers(deps: AppDeps, tenantIds: string[], terms: SearchTerms, limit: number): Promise<NumberRow[]> {
  const inTenants = inArray(phoneNumbers.tenantId, tenantIds);
  if (terms.digits !== null) {
    if (terms.digits.length < MIN_NUMBER_DIGITS) return [];
    const fromStart = terms.digits.startsWith('00') ? terms.digits.slice(2) : terms.digits;
    const prefix = deps.db
      .select()
      .from(phoneNumbers)
      .where(and(inTenants, like(phoneNumbers.e164, `+${fromStart}%`)))
      .orderBy(asc(phoneNumbers.e164))
      .limit(limit + 1);
    // Read out without the country code, a number is the end of its E.164; a national trunk "0"
    // ("020 7946 0000") may or may not be part of it (Italy keeps it), so both are looked for.
    const endings = terms.international ? [] : [...new Set([terms.digits, terms.digits.replace(/^0(?=\d)/, '')])].filter((d) => d.length >= MIN_NUMBER_DIGITS);
    const suffix = endings.length
      ? deps.db
          .select()
          .from(phoneNumbers)
          .where(and(inTenants, or(...endings.map((d) => sql`reverse(${phoneNumbers.e164}) like ${`${likeEscape([...d].reverse().join(''))}%`}`))))
          .orderBy(sql`reverse(${phoneNumbers.e164})`)
          .limit(limit + 1)
      : Promise.resolve([] as NumberRow[]);
    const [a, b] = await Promise.all([prefix, suffix]);
    const merged = [...new Map([...a, ...b].map((n) => [n.id, n])).values()].sort((x, y) => (x.e164 < y.e164 ? -1 : x.e164 > y.e164 ? 1 : 0));
    if (merged.length) return merged.slice(0, limit + 1);
    // Neither end: digits from the middle ("555 01"), through the trigram index of the search text.
    if (terms.digits.length < 4) return [];
    return deps.db
      .select()
      .from(phoneNumbers)
      .where(and(inTenants, like(phoneNumbers.searchText, `%${likeEscape(terms.digits)}%`)))
      .orderBy(asc(phoneNumbers.e164))
      .limit(limit + 1);
  }
  if (terms.text.length < MIN_TEXT_LENGTH) return [];
  return deps.db
    .select()
    .from(phoneNumbers)
    .where(and(inTenants, like(phoneNumbers.searchText, `%${likeEscape(terms.text.replace(/^\+/, ''))}%`)))
    .orderBy(asc(phoneNumbers.e164))
    .limit(limit + 1);
}

async function searchTeamsUsers(deps: AppDeps, tenantIds: string[], terms: SearchTerms, limit: number) {
  const term = terms.digits ?? terms.text;
  if (term.length < (terms.digits !== null ? MIN_NUMBER_DIGITS : MIN_TEXT_LENGTH)) return [];
  return deps.db
    .select()
    .from(teamsUsers)
    .where(and(inArray(teamsUsers.tenantId, tenantIds), like(teamsUsers.searchText, `%${likeEscape(term)}%`)))
    .orderBy(sql`case when ${teamsUsers.upn} like ${`${likeEscape(term)}%`} then 0 else 1 end`, asc(teamsUsers.displayName), asc(teamsUsers.upn))
    .limit(limit + 1);
}

/** 3CX extensions that hold an inventory DID: by extension number, or by name. */
async function searchExtensions(deps: AppDeps, tenantIds: string[], terms: SearchTerms, limit: number) {
  const isExtension = eq(phoneNumbers.assigneeType, 'threecx_extension');
  let match: SQL | undefined;
  if (terms.digits !== null && /^\d{2,10}$/.test(terms.text)) match = eq(phoneNumbers.assigneeId, terms.text);
  else if (terms.digits === null && terms.text.length >= MIN_TEXT_LENGTH) match = sql`lower(${phoneNumbers.assigneeName}) like ${`%${likeEscape(terms.text)}%`} and ${phoneNumbers.searchText} like ${`%${likeEscape(terms.text)}%`}`;
  if (!match) return [];
  return deps.db
    .select()
    .from(phoneNumbers)
    .where(and(inArray(phoneNumbers.tenantId, tenantIds), isExtension, match))
    .orderBy(asc(phoneNumbers.assigneeId), asc(phoneNumbers.e164))
    .limit(limit + 1);
}

/** ConnectWise tickets that changes in UCR Manager were logged against (the audit log's ticket reference). */
async function searchTickets(deps: AppDeps, tenantIds: string[], terms: SearchTerms, limit: number) {
  if (!terms.ticket) return [];
  const rows = await deps.db
    .select({ tenantId: auditEvents.tenantId, events: sql<number>`count(*)::int`, last: sql<string>`max(${auditEvents.occurredAt})` })
    .from(auditEvents)
    .where(and(eq(auditEvents.ticketId, terms.ticket), inArray(auditEvents.tenantId, tenantIds)))
    .groupBy(auditEvents.tenantId)
    .orderBy(desc(sql`max(${auditEvents.occurredAt})`))
    .limit(limit + 1);
  return rows.map((r) => ({ tenantId: r.tenantId!, ticketId: terms.ticket!, events: r.events, last: new Date(r.last) }));
}

/** Ranges by name, by digits of their first or last number, holding the number typed, or holding a number found. */
async function searchRanges(deps: AppDeps, tenantIds: string[], terms: SearchTerms, limit: number, numbersFound: NumberRow[]) {
  const conditions: SQL[] = [];
  if (terms.digits === null || terms.text.length >= MIN_TEXT_LENGTH) conditions.push(sql`${numberRanges.name} ilike ${`%${likeEscape(terms.text)}%`}`);
  if (terms.digits !== null && terms.digits.length >= MIN_NUMBER_DIGITS) {
    const d = likeEscape(terms.digits);
    conditions.push(sql`${numberRanges.startE164} like ${`%${d}%`}`, sql`${numberRanges.endE164} like ${`%${d}%`}`);
    if (terms.international) conditions.push(sql`(length(${numberRanges.startE164}) = ${terms.digits.length + 1} and ${`+${terms.digits}`} between ${numberRanges.startE164} and ${numberRanges.endE164})`);
  }
  const rangeIds = [...new Set(numbersFound.map((n) => n.rangeId).filter((id): id is string => id !== null))];
  if (rangeIds.length) conditions.push(inArray(numberRanges.id, rangeIds));
  if (!conditions.length) return [];
  return deps.db
    .select()
    .from(numberRanges)
    .where(and(inArray(numberRanges.tenantId, tenantIds), or(...conditions)))
    .orderBy(asc(numberRanges.name), asc(numberRanges.startE164))
    .limit(limit + 1);
}
