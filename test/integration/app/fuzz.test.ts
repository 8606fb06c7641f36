import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../helpers/api-client.ts';
import { queryRows } from '../../../src/db/connection.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

/**
 * Schema-driven fuzz (#21): for every operation of the OpenAPI document the app serves, send
 * generated bad values for each path, query and body parameter, one parameter at a time, the
 * rest of the request kept plausible so the bad value gets as far into the app as it can. Each
 * case goes out as one of four callers in turn (admin, operator, viewer, read-only API token).
 * No answer may be a 5xx, every refusal is the JSON error shape with a message, and the
 * database is the same afterwards (row counts and a checksum of the app's tables). A value that
 * only the database error map caught (src/core/database-errors.ts) counts as a finding as well.
 *
 * Reads get every kind of bad value, including ones the schema's shape accepts (a cursor that
 * decodes to junk, a well-formed id that does not exist). Writes get values the schema refuses,
 * plus ids that point at nothing, so any 2xx on a write is a finding, not noise.
 *
 * FUZZ_RUNS=N raises the number of values per parameter (default 3); the seed is fixed
 * (FUZZ_SEED to change it), so a failure replays.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 3);
const SEED = Number(process.env.FUZZ_SEED ?? 2121);

type Schema = {
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean | number;
  exclusiveMaximum?: boolean | number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
type Parameter = { in: 'path' | 'query' | 'header' | 'cookie'; name: string; required?: boolean; schema?: Schema };
type Operation = { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema?: Schema }> }; description?: string };
type Document = { paths: Record<string, Record<string, Operation>> };

/**
 * Operations whose bad input is not fuzzed, each with why. Empty today: every operation is fuzzed.
 * An operation that is neither fuzzed nor listed here fails the coverage check.
 */
const notFuzzed: Record<string, string> = {};

/**
 * Body fields that take any JSON by design, so no value is "bad" for a write: a preference's
 * value is the UI's own state, stored as given (bounded by the body limit).
 */
const anyValueByDesign = new Set(['PUT /api/me/preferences/{key} value']);

/** Fields holding an id that is an identifier of its own, not a reference to a row here. */
const notAReference = new Set(['microsoftTenantId', 'clientId', 'userId', 'extensionId', 'trunkId', 'boardId', 'ticketId', 'profileId', 'changeId', 'jobId']);

// ---- bad values --------------------------------------------------------------------------------

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

const unicodeEdges = ['\uD800', '\uDFFF', 'a\uD83D', '\u202Eevil', '\uFEFF', 'e\u0301\u0301\u0301', '👩‍👩‍👧‍👦', '\u{10FFFF}', 'Ａ１２３', '\u0000', 'x\u0000y', '\r\n', '\t ', '١٢٣٤', 'İı', 'ß'];
const notUuids = ['not-a-uuid', '00000000-0000-0000-0000-00000000000g', '123e4567e89b12d3a456426614174000', '{123e4567-e89b-12d3-a456-426614174000}', '123e4567-e89b-12d3-a456-4266141740000', ' 123e4567-e89b-12d3-a456-426614174000', '..', '%', "'; drop table tenants; --", '0', '-1'];
const badCursors = [
  b64(['x', 'not-a-uuid']),
  b64(['+14155550100', 'not-a-uuid']),
  b64(['not-a-date', randomUUID()]),
  b64(['275760-09-13T00:00:00Z', randomUUID()]),
  b64([1, 2]),
  b64([null, null]),
  b64([{}, []]),
  b64(['a', 'b', 'c']),
  b64([]),
  b64({ a: 1 }),
  b64('null'),
  b64('"str"'),
  b64('[1,'),
  b64(['\u0000', randomUUID()]),
  b64(['x'.repeat(300), randomUUID()]),
  '!!!not-base64!!!',
  '%%%',
  '====',
  'e30',
];
const badDates = ['0000-00-00', '2025-02-30', '2025-13-01', '9999-12-31T23:59:60Z', '+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z', '10000-01-01', '1969-12-31', 'yesterday', "' OR '1'='1", '2025-01-31T25:61', '1e999'];
const badNumberStrings = ['1e309', '-1', '0', '1.5', '99999999999999999999', '0x10', 'NaN', 'Infinity', '-Infinity', '9007199254740993', '-9223372036854775809', ' 1', '1 ', '١'];
const badPhones = ['+', '+0', '+1', '+'.padEnd(40, '9'), '+１４１５５５５０１００', '+14155550100\n', '14155550100', 'tel:+14155550100', '+1415555010x'];
const badNumbers = [-1, 0, -0, 1.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 8.64e15 + 1, 1e15, Number.MAX_SAFE_INTEGER];
const wrongTypes: unknown[] = [null, true, false, 0, 12345, -1, 3.14, '', 'x', [], ['x'], {}, { a: 1 }, [[[[[]]]]], { $ne: null }];

const stringValues = fc.oneof(
  fc.constantFrom(...unicodeEdges),
  fc.constantFrom(...notUuids),
  fc.constantFrom(...badCursors),
  fc.constantFrom(...badDates),
  fc.constantFrom(...badNumberStrings),
  fc.constantFrom(...badPhones),
  fc.constantFrom('', ' ', 'null', 'undefined', 'true', '[]', '{}', '__proto__', 'constructor'),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 1, max: 4 }).map((k) => 'x'.repeat(10 ** k + 1)),
  fc.integer({ min: 1, max: 3 }).map((k) => '😀'.repeat(10 ** k + 1)),
);
const anyBadValue: fc.Arbitrary<unknown> = fc.oneof(
  stringValues,
  fc.constantFrom(...wrongTypes),
  fc.constantFrom(...badNumbers),
  fc.double(),
  fc.constantFrom(Array.from({ length: 20_001 }, () => 'x'), Array.from({ length: 10_001 }, () => randomUUID())),
  fc.array(stringValues, { maxLength: 5 }),
);

/** Values for a field that its schema refuses (writes) or that only look right (reads). */
function badValuesFor(schema: Schema | undefined, name: string, where: 'path' | 'query' | 'body', write: boolean, seed: number): unknown[] {
  const generated = fc.sample(anyBadValue, { seed, numRuns: RUNS * 6 });
  const extra: unknown[] = [];
  const s = schema ?? {};
  if (typeof s.maxLength === 'number') extra.push('x'.repeat(s.maxLength + 1), 'é'.repeat(s.maxLength + 1));
  if (typeof s.maximum === 'number') extra.push(s.maximum + 1);
  if (typeof s.minimum === 'number') extra.push(s.minimum - 1);
  if (s.format === 'uuid' || /Id$|^id$/.test(name)) extra.push('not-a-uuid');
  if (name === 'after') extra.push(b64(['x', 'not-a-uuid']));
  if (s.type === 'integer') extra.push(2 ** 31, 2 ** 63, '2147483648');
  // Dates JavaScript reads but PostgreSQL cannot store.
  if (s.format === 'date-time' || /until|At$|^from$|^to$/.test(name)) extra.push(8.64e15, 1e15, '+275760-09-13T00:00:00Z', '-000001-01-01T00:00:00Z', '0000-01-01');
  // A well-formed id of nothing: a read answers 404 or an empty list; a write must not keep it.
  const references = s.format === 'uuid' && (!write || where === 'path' || !notAReference.has(name));
  // A body carries what JSON carries: NaN and Infinity arrive as null, so judge that value instead.
  const pool = [...extra, ...generated].map((v) => (where === 'body' && typeof v === 'number' && !Number.isFinite(v) ? null : v));
  // A field the document leaves open ({}: a coerced date, any JSON) gets every value; on a write
  // whatever is accepted is then a finding to look at.
  const open = Object.keys(s).length === 0;
  const chosen = write && !open ? pool.filter((v) => !conforms(s, v, where)) : pool;
  const values = chosen.slice(0, RUNS + extra.length);
  if (references) values.push(randomUUID());
  return values;
}

/** Whether a value passes a (simplified) schema, as the route's validation would see it. */
function conforms(schema: Schema, value: unknown, where: 'path' | 'query' | 'body'): boolean {
  if (Object.keys(schema).length === 0) return true;
  if (schema.anyOf || schema.oneOf) return (schema.anyOf ?? schema.oneOf)!.some((b) => conforms(b, value, where));
  if (value === null) return schema.nullable === true || schema.type === 'null';
  if (where !== 'body' && schema.type !== 'array') {
    if (Array.isArray(value) || (typeof value === 'object' && value !== null)) value = JSON.stringify(value);
    value = String(value);
  }
  if (schema.enum) return schema.enum.some((e) => e === value || String(e) === value);
  if (schema.const !== undefined) return schema.const === value;
  switch (schema.type) {
    case 'string': {
      if (typeof value !== 'string') return false;
      // Lengths count code points, as JSON Schema and zod do (an emoji is one, not two).
      const length = [...value].length;
      if (schema.maxLength !== undefined && length > schema.maxLength) return false;
      if (schema.minLength !== undefined && value.trim().length < schema.minLength) return false;
      if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value.trim())) return false;
      if (schema.format === 'uuid' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return false;
      if (schema.format === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value.trim())) return false;
      return true;
    }
    case 'integer':
    case 'number': {
      const n = typeof value === 'string' && where !== 'body' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return false;
      if (schema.type === 'integer' && !Number.isInteger(n)) return false;
      if (schema.minimum !== undefined && (schema.exclusiveMinimum === true ? n <= schema.minimum : n < schema.minimum)) return false;
      if (schema.maximum !== undefined && (schema.exclusiveMaximum === true ? n >= schema.maximum : n > schema.maximum)) return false;
      return true;
    }
    case 'boolean':
      return typeof value === 'boolean' || (where !== 'body' && (value === 'true' || value === 'false'));
    case 'array':
      if (where !== 'body') return true;
      if (!Array.isArray(value)) return false;
      if (schema.maxItems !== undefined && value.length > schema.maxItems) return false;
      if (schema.minItems !== undefined && value.length < schema.minItems) return false;
      return value.every((v) => conforms(schema.items ?? {}, v, where));
    case 'object':
      return typeof value === 'object' && !Array.isArray(value);
    default:
      return true;
  }
}

// ---- plausible requests -------------------------------------------------------------------------

type Fixtures = Record<string, string>;

/** A plausible value for a field, so the one bad value of a case is what the app has to deal with. */
function plausible(schema: Schema | undefined, name: string, ids: Fixtures): unknown {
  const s = schema ?? {};
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const union = s.anyOf ?? s.oneOf;
  if (union) return plausible(union.find((b) => b.type !== 'null') ?? union[0], name, ids);
  if (s.allOf?.[0]) return plausible(s.allOf[0], name, ids);
  switch (s.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of s.required ?? []) out[key] = plausible(s.properties?.[key], key, ids);
      return out;
    }
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => plausible(s.items, name, ids));
    case 'integer':
    case 'number':
      return s.minimum !== undefined ? s.minimum + (s.exclusiveMinimum === true ? 1 : 0) : 1;
    case 'boolean':
      return false;
    case 'string': {
      if (s.format === 'uuid') return ids[name] ?? randomUUID();
      if (s.format === 'email') return 'fuzz@example.invalid';
      if (s.format === 'date-time' || /until|At$/.test(name)) return '2030-01-01T00:00:00Z';
      const candidates = ['+14155550100', '1234', 'US', 'example.com', 'fuzz', '-----BEGIN CERTIFICATE-----', 'https://example.invalid'];
      const fit = candidates.find((c) => (!s.pattern || new RegExp(s.pattern, 'u').test(c)) && (s.maxLength === undefined || c.length <= s.maxLength) && c.length >= (s.minLength ?? 0));
      return fit ?? 'x'.repeat(Math.max(1, s.minLength ?? 1));
    }
    default:
      return /until|At$/.test(name) ? '2030-01-01T00:00:00Z' : 'fuzz';
  }
}

/** Each body field, by its path inside the body, through nested objects. */
function* bodyFields(schema: Schema | undefined, path: string[] = []): Generator<{ path: string[]; schema: Schema }> {
  if (!schema?.properties) return;
  for (const [name, child] of Object.entries(schema.properties)) {
    yield { path: [...path, name], schema: child };
    const inner = child.anyOf?.find((b) => b.type === 'object') ?? child.oneOf?.find((b) => b.type === 'object') ?? child;
    if (inner.type === 'object' && path.length < 2) yield* bodyFields(inner, [...path, name]);
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(target);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null || Array.isArray(at[key])) at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
  return copy;
}

type Case = {
  op: string;
  what: string;
  method: string;
  path: Record<string, string>;
  query: Record<string, unknown>;
  body?: { json?: unknown; raw?: string; type: string };
  /** Valid by design, so a 2xx is no finding (the database check still holds): see casesFor. */
  validByDesign?: boolean;
};

function queryString(query: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) && value.length < 50 ? value : [value]) params.append(key, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Every case of one operation: each parameter in turn gets its bad values. */
function casesFor(method: string, template: string, op: Operation, ids: Fixtures, seedBase: number): Case[] {
  const key = `${method.toUpperCase()} ${template}`;
  const write = method !== 'get';
  const params = op.parameters ?? [];
  const basePath = Object.fromEntries(params.filter((p) => p.in === 'path').map((p) => [p.name, String(plausible(p.schema, p.name, ids))]));
  const baseQuery = Object.fromEntries(params.filter((p) => p.in === 'query' && p.required).map((p) => [p.name, plausible(p.schema, p.name, ids)]));
  const jsonSchema = op.requestBody?.content['application/json']?.schema;
  const csv = op.requestBody && !jsonSchema ? Object.keys(op.requestBody.content)[0]! : undefined;
  // A union body (the lifecycle actions) is fuzzed in each of its shapes.
  const variants: Schema[] = jsonSchema ? (jsonSchema.oneOf ?? jsonSchema.anyOf ?? [jsonSchema]) : [];
  const baseBodies = variants.map((v) => plausible(v, '', ids) as Record<string, unknown>);
  const baseBody = (i = 0): Case['body'] => (jsonSchema ? { json: baseBodies[i] ?? {}, type: 'application/json' } : csv ? { raw: 'not,a\n"broken csv', type: csv } : undefined);
  const cases: Case[] = [];
  let seed = seedBase;
  for (const p of params) {
    if (p.in !== 'path' && p.in !== 'query') continue;
    const seen = new Set<string>();
    for (const raw of badValuesFor(p.schema, p.name, p.in, write, seed++)) {
      // In an address a huge value only meets Node's header limit (431); one of 4,000 characters says as much.
      const value = JSON.stringify(raw)?.length > 4000 ? (Array.isArray(raw) ? raw.slice(0, 50) : String(raw).slice(0, 4000)) : raw;
      const text = typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
      if (seen.has(text)) continue;
      seen.add(text);
      if (p.in === 'path') {
        if (text === '') continue; // an empty segment is another route, not a bad value
        cases.push({ op: key, what: `path ${p.name}=${preview(value)}`, method, path: { ...basePath, [p.name]: text }, query: baseQuery, body: baseBody() });
      } else {
        cases.push({ op: key, what: `query ${p.name}=${preview(value)}`, method, path: basePath, query: { ...baseQuery, [p.name]: value }, body: baseBody() });
      }
    }
  }
  variants.forEach((variant, i) => {
    for (const field of bodyFields(variant)) {
      if (anyValueByDesign.has(`${key} ${field.path.join('.')}`)) continue;
      for (const value of badValuesFor(field.schema, field.path[field.path.length - 1]!, 'body', write, seed++)) {
        cases.push({ op: key, what: `body${variants.length > 1 ? `[${i}]` : ''} ${field.path.join('.')}=${preview(value)}`, method, path: basePath, query: baseQuery, body: { json: setPath(baseBodies[i]!, field.path, value), type: 'application/json' } });
      }
    }
  });
  if (jsonSchema) {
    // A body whose fields are all optional may be left out (null is read as {}: see acceptEmptyBodies
    // in src/app/http-app.ts), and unknown keys are dropped, so for such a body those two are valid
    // requests that change nothing (an empty PATCH); every other whole-body value is bad.
    const optionalBody = jsonSchema.type === 'object' && !jsonSchema.required?.length;
    for (const whole of [null, [], 'text', 42, Array.from({ length: 20_001 }, () => ({})), JSON.parse('{"a":'.repeat(200) + '1' + '}'.repeat(200))]) {
      const validByDesign = optionalBody && (whole === null || (typeof whole === 'object' && !Array.isArray(whole)));
      cases.push({ op: key, what: `body=${preview(whole)}`, method, path: basePath, query: baseQuery, body: { json: whole, type: 'application/json' }, validByDesign });
    }
  }
  if (method !== 'get') {
    // Broken JSON on every write, with or without a body schema.
    cases.push({ op: key, what: 'body=broken JSON', method, path: basePath, query: baseQuery, body: { raw: '{"a":', type: 'application/json' } });
    cases.push({ op: key, what: 'body=wrong content type', method, path: basePath, query: baseQuery, body: { raw: '<x/>', type: 'application/xml' } });
  } else if (params.length === 0) {
    // No inputs at all: junk the app must ignore.
    cases.push({ op: key, what: 'query junk', method, path: {}, query: { ['x'.repeat(200)]: '\uD800', after: b64(['x', 'not-a-uuid']) } });
  }
  return cases;
}

/**
 * A path segment, percent-encoded; a lone surrogate (which encodeURIComponent refuses) goes out as
 * the bytes it would have in WTF-8, which is not UTF-8: the server must refuse it cleanly.
 */
function encodeSegment(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += encodeURIComponent(text.slice(i, i + 2));
      i += 1;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += `%ED%${(0xa0 | ((unit >> 6) & 0x0f)).toString(16).toUpperCase()}%${(0x80 | (unit & 0x3f)).toString(16).toUpperCase()}`;
    } else {
      out += encodeURIComponent(text[i]!);
    }
  }
  return out;
}

function preview(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}… (${text.length} chars)` : text;
}

// ---- the database before and after --------------------------------------------------------------

/**
 * Row counts and a checksum of every table of the app (schema public). Left out, because a
 * refused request may change them legitimately: pg-boss's own schema (the queue's bookkeeping),
 * sessions.last_seen_at and expires_at (a request touches its session), api_tokens.last_used_at
 * (a request records its token's use), and audit rows of reads (an export is audited when it
 * starts). Everything else must be byte-identical.
 */
const ignoredColumns: Record<string, string[]> = { sessions: ['last_seen_at', 'expires_at'], api_tokens: ['last_used_at'] };
const readAuditActions = ['audit.exported', 'numbers.exported', 'report.exported'];

async function snapshot(t: TestApp): Promise<Record<string, string>> {
  const tables = await queryRows<{ name: string }>(t.deps.db, sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`);
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const ignored = ignoredColumns[name] ?? [];
    const row = sql.raw(ignored.length ? `to_jsonb(t) - array[${ignored.map((c) => `'${c}'`).join(',')}]::text[]` : 'to_jsonb(t)');
    // Reads and refused attempts are on the record by design (an inventory bulk apply that any
    // number refuses is audited as a failure); neither is a change of data.
    const where = name === 'audit_events' ? sql.raw(`where t.action not in (${readAuditActions.map((a) => `'${a}'`).join(',')}) and t.result <> 'failure'`) : sql``;
    const [result] = await queryRows<{ n: number; h: string }>(t.deps.db, sql`select count(*)::int as n, coalesce(md5(string_agg(r::text, '|' order by r::text)), '') as h from (select ${row} as r from ${sql.identifier(name)} t ${where}) s`);
    out[name] = `${result!.n} rows ${result!.h}`;
  }
  return out;
}

// ---- the run ------------------------------------------------------------------------------------

describe.each(dbTargets())('fuzz every OpenAPI operation with bad input on %s', (target) => {
  let t: TestApp;
  let doc: Document;
  let callers: Array<{ role: string; client: ApiClient }>;
  let ids: Fixtures;

  beforeAll(async () => {
    t = await startTestApp(target);
    doc = (await t.client().get('/api/docs/json')).body as Document;
    const admin = await t.signedInAs('admin');
    const operator = await t.signedInAs('operator');
    const viewer = await t.signedInAs('viewer');
    const minted = await viewer.client.post('/api/me/tokens', { name: 'fuzz read', access: 'read' });
    expect(minted.status).toBe(201);
    // Something to find: a tenant with a site, a range of numbers, and the callers themselves.
    const tenant = await admin.client.post('/api/tenants', { name: 'Fuzz tenant', defaultCountry: 'US' });
    const site = await admin.client.post(`/api/tenants/${tenant.body.id}/sites`, { name: 'HQ' });
    const range = await admin.client.post(`/api/tenants/${tenant.body.id}/ranges`, { name: 'Main', start: '+14155550100', count: 5, kind: 'direct_routing', siteId: site.body.id });
    const numbers = await admin.client.get(`/api/tenants/${tenant.body.id}/numbers?limit=2`);
    expect(numbers.body.next).toBeTruthy();
    ids = { tenantId: tenant.body.id, siteId: site.body.id, rangeId: range.body.id, numberId: numbers.body.numbers[0].id, id: operator.operatorId, operatorId: operator.operatorId };
    callers = [
      { role: 'admin', client: admin.client },
      { role: 'operator', client: operator.client },
      { role: 'viewer', client: viewer.client },
      { role: 'read token', client: t.client().withToken(minted.body.token) },
    ];
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers every bad value with a 4xx JSON error, and changes nothing', { timeout: 600_000 }, async ({ annotate }) => {
    const before = await snapshot(t);
    const problems: string[] = [];
    const writesAccepted: string[] = [];
    const covered = new Set<string>();
    let sent = 0;
    let seed = SEED;
    const statuses = new Map<number, number>();
    for (const [template, methods] of Object.entries(doc.paths)) {
      if (!template.startsWith('/api/') || template.startsWith('/api/docs')) continue;
      for (const [method, op] of Object.entries(methods)) {
        const key = `${method.toUpperCase()} ${template}`;
        if (notFuzzed[key]) continue;
        const cases = casesFor(method, template, op, ids, (seed += 1000));
        for (const c of cases) {
          const caller = callers[sent % callers.length]!;
          sent += 1;
          const path = template.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeSegment(c.path[name] ?? ''));
          const headers: Record<string, string> = {};
          if (caller.client.bearer) headers.authorization = `Bearer ${caller.client.bearer}`;
          if (caller.client.cookie) headers.cookie = `ucr_session=${caller.client.cookie}`;
          if (caller.client.cookie && caller.client.csrfToken && c.method !== 'get') headers['x-csrf-token'] = caller.client.csrfToken;
          let body: string | undefined;
          if (c.body) {
            headers['content-type'] = c.body.type;
            body = c.body.raw ?? JSON.stringify(c.body.json);
          }
          const res = await fetch(`${t.url}${path}${queryString(c.query)}`, { method: c.method.toUpperCase(), headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) });
          const text = await res.text();
          covered.add(key);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const label = `${c.op} ${c.what} as ${caller.role}: ${res.status}`;
          if (res.status >= 500) {
            problems.push(`${label} ${text.slice(0, 200)}`);
            continue;
          }
          if (res.status >= 400) {
            let message: unknown;
            try {
              message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
            } catch {
              message = undefined;
            }
            if (!res.headers.get('content-type')?.includes('application/json') || typeof message !== 'string' || !message.trim()) problems.push(`${label} not a JSON error with a message: ${text.slice(0, 200)}`);
          } else if (c.method !== 'get' && res.status < 300 && !c.validByDesign) {
            writesAccepted.push(`${label} ${text.slice(0, 200)}`);
          }
        }
      }
    }
    const after = await snapshot(t);
    const uncovered = Object.entries(doc.paths).flatMap(([template, methods]) => (template.startsWith('/api/') && !template.startsWith('/api/docs') ? Object.keys(methods).map((m) => `${m.toUpperCase()} ${template}`) : [])).filter((key) => !covered.has(key) && !notFuzzed[key]);
    await annotate(`fuzz on ${target}: ${sent} requests over ${covered.size} operations (FUZZ_RUNS=${RUNS}, seed ${SEED}); answers ${[...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ')}`);
    // The database error map is the safety net, not the check: a value it had to catch is one the
    // route's schema let through, so it is a finding too (the warning says which database error).
    const safetyNet = t.logs.text().split('\n').filter((line) => line.includes('database refused a value from the request')).map((line) => String((JSON.parse(line) as { err?: { message?: string } }).err?.message).slice(0, 200));
    expect.soft(problems).toEqual([]);
    expect.soft(safetyNet).toEqual([]);
    expect.soft(writesAccepted).toEqual([]);
    expect.soft(uncovered).toEqual([]);
    expect.soft(covered.size).toBeGreaterThan(100);
    expect.soft(after).toEqual(before);
  });
});
