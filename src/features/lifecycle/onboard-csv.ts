import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { headerKey, uploadCsvOptions } from '../../core/import-csv.ts';
import { and, eq, sql } from 'drizzle-orm';
import { AppError, ValidationError } from '../../core/errors.ts';
import { voiceProfiles } from '../../db/schema/index.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { teamsApiFor } from '../teams/connection.ts';
import { loadActiveTenant } from '../tenants/tenants.ts';
import { planOnboarding, startOnboarding, type OnboardInput } from './lifecycle-jobs.ts';

/** Onboarding from a CSV (#18): one joiner a row, each checked like the API's dry run, then started as its own job. */
export const ONBOARD_TEMPLATE = 'UserPrincipalName,Profile,PhoneNumber,Licence,UsageLocation,ThreeCxExtension,TicketId\r\nann@contoso.com,US user,,MCOEV,,,48213\r\nbob@contoso.com,,+14255551234,,US,7001,\r\n';
const MAX_ROWS = 500;
const columns: Record<string, keyof CsvRow> = { userprincipalname: 'upn', upn: 'upn', user: 'upn', profile: 'profile', phonenumber: 'number', number: 'number', licence: 'licence', license: 'licence', sku: 'licence', usagelocation: 'usageLocation', threecxextension: 'threecxExtension', extension: 'threecxExtension', ticketid: 'ticketId', ticket: 'ticketId' };
type CsvRow = { upn: string; profile: string; number: string; licence: string; usageLocation: string; threecxExtension: string; ticketId: string };

export type CsvVerdict = { line: number; upn: string; ok: boolean; problem: { code: string; message: string } | null; plan: string[]; jobId: string | null };

async function readRows(input: Readable): Promise<Array<{ line: number; row: CsvRow }>> {
  const parser = input.pipe(parse({ ...uploadCsvOptions, info: true }));
  const rows: Array<{ line: number; row: CsvRow }> = [];
  let map: Array<keyof CsvRow | null> | undefined;
  try {
    for await (const record of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!map) {
        map = record.record.map((h) => columns[headerKey(h)] ?? null);
        const unknown = record.record.filter((_, i) => !map![i]);
        if (!map.includes('upn')) throw new ValidationError('The file needs a UserPrincipalName column.', [{ field: 'file', message: 'No UserPrincipalName column' }]);
        if (unknown.length) throw new ValidationError(`Unknown column${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. The columns are UserPrincipalName, Profile, PhoneNumber, Licence, UsageLocation, ThreeCxExtension, TicketId.`, [{ field: 'file', message: 'Unknown column' }]);
        continue;
      }
      const row: CsvRow = { upn: '', profile: '', number: '', licence: '', usageLocation: '', threecxExtension: '', ticketId: '' };
      record.record.forEach((value, i) => {
        const key = map![i];
        if (key) row[key] = value;
      });
      rows.push({ line: record.info.lines, row });
      if (rows.length > MAX_ROWS) throw new ValidationError(`An onboarding file holds at most ${MAX_ROWS} users; split it.`);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new ValidationError(`The file could not be read as CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!map) throw new ValidationError('The file is empty.');
  if (rows.length === 0) throw new ValidationError('The file has a header but no rows.');
  return rows;
}

/**
 * Checks every row against the inventory and the live tenant; with `run`, starts a job for each
 * row that passed (rows that did not are reported and left alone). Without `run` nothing changes.
 */
export async function onboardFromCsv(deps: AppDeps, actor: Actor, tenantId: string, input: Readable, info: RequestInfo, options: { run: boolean }): Promise<{ rows: CsvVerdict[]; started: number }> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const rows = await readRows(input);
  const skus = await (await teamsApiFor(deps, tenant)).listSubscribedSkus();
  const verdicts: CsvVerdict[] = [];
  const seen = new Map<string, number>();
  for (const { line, row } of rows) {
    const fail = (code: string, message: string) => verdicts.push({ line, upn: row.upn, ok: false, problem: { code, message }, plan: [], jobId: null });
    const key = row.upn.toLowerCase();
    if (!row.upn) {
      fail('upn_missing', 'UserPrincipalName is empty.');
      continue;
    }
    if (seen.has(key)) {
      fail('duplicate_user', `The same user is on line ${seen.get(key)}.`);
      continue;
    }
    seen.set(key, line);
    const [profile] = row.profile ? await deps.db.select().from(voiceProfiles).where(and(eq(voiceProfiles.tenantId, tenantId), sql`lower(${voiceProfiles.name}) = lower(${row.profile})`)) : [];
    if (row.profile && !profile) {
      fail('profile_unknown', `There is no profile named "${row.profile}".`);
      continue;
    }
    const sku = row.licence ? skus.find((s) => s.skuId.toLowerCase() === row.licence.toLowerCase() || (s.skuPartNumber ?? '').toLowerCase() === row.licence.toLowerCase()) : undefined;
    if (row.licence && !sku) {
      fail('licence_unknown', `The tenant has no licence "${row.licence}" (give its SKU part number, e.g. MCOEV, or its SKU id).`);
      continue;
    }
    if (row.usageLocation && !/^[A-Za-z]{2}$/.test(row.usageLocation)) {
      fail('usage_location_invalid', 'UsageLocation is a two-letter country code, e.g. US.');
      continue;
    }
    if (row.threecxExtension && !/^\d{2,10}$/.test(row.threecxExtension)) {
      fail('threecx_extension_invalid', 'ThreeCxExtension is a 3CX extension number of 2 to 10 digits.');
      continue;
    }
    if (row.ticketId && !/^\d{1,12}$/.test(row.ticketId)) {
      fail('ticket_invalid', 'TicketId is a ticket number (digits only).');
      continue;
    }
    const request: OnboardInput = {
      userId: row.upn,
      profileId: profile?.id ?? null,
      number: row.number ? { e164: row.number } : null,
      ...(sku ? { licenceSkuIds: [sku.skuId] } : {}),
      usageLocation: row.usageLocation ? row.usageLocation.toUpperCase() : null,
      threecxExtension: row.threecxExtension || null,
      ticketId: row.ticketId || null,
    };
    try {
      const plan = await planOnboarding(deps, actor, tenantId, request);
      if (!plan.ok) {
        fail(plan.problem!.code, plan.problem!.message);
        continue;
      }
      const jobId = options.run ? (await startOnboarding(deps, actor, tenantId, request, info)).id : null;
      verdicts.push({ line, upn: plan.userUpn, ok: true, problem: null, plan: plan.lines.filter((l) => l.action === 'do').map((l) => `${l.title}: ${l.message}`), jobId });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      fail(error.code, error.message);
    }
  }
  return { rows: verdicts, started: verdicts.filter((v) => v.jobId).length };
}
