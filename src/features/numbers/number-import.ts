import type { ImportError, ImportReport } from './schemas.ts';
import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { and, eq, inArray } from 'drizzle-orm';
import { ValidationError } from '../../core/errors.ts';
import { importCsvOptions, sniffDelimiter } from '../../core/import-csv.ts';
import { canonicalHeader, validateImportRow, type ImportedNumber } from '../../core/number-import-row.ts';
import { isThreecxKind } from '../../core/number-vocabulary.ts';
import { numberRanges, phoneNumbers, sites } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { insertNumbers } from './number-store.ts';
import { loadActiveTenant } from '../tenants/tenants.ts';



const MAX_REPORTED_ERRORS = 1_000;
export const MAX_IMPORT_ROWS = 200_000;

/**
 * Reads a CSV of numbers and checks every row: E.164, columns, duplicates within the file and
 * against the whole inventory, unknown ranges and sites, statuses that cannot be imported.
 * `preview` only reports. `apply` imports all rows in one transaction when, and only when,
 * no row has an error: a file with one bad row changes nothing.
 */
export async function importNumbers(deps: AppDeps, actor: Actor, tenantId: string, input: Readable, mode: 'preview' | 'apply', request: RequestInfo, fileName?: string): Promise<ImportReport> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const ranges = await deps.db.select({ id: numberRanges.id, name: numberRanges.name, startE164: numberRanges.startE164, endE164: numberRanges.endE164 }).from(numberRanges).where(eq(numberRanges.tenantId, tenantId));
  const siteRows = await deps.db.select({ id: sites.id, name: sites.name }).from(sites).where(eq(sites.tenantId, tenantId));
  const ctx = {
    defaultCountry: tenant.defaultCountry,
    rangesByName: new Map(ranges.map((r) => [r.name.toLowerCase(), { id: r.id, startE164: r.startE164, endE164: r.endE164 }])),
    sitesByName: new Map(siteRows.map((s) => [s.name.toLowerCase(), s.id])),
    now: deps.now(),
  };

  const hash = createHash('sha256');
  const errors: ImportError[] = [];
  let errorCount = 0;
  const addError = (e: ImportError) => {
    errorCount += 1;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push(e);
  };
  const valid: Candidate[] = [];
  const seen = new Map<string, number>();
  const assignees = new Map<string, number>();
  let totalRows = 0;
  let columns: string[] | undefined;

  // Sniff the separator from the first bytes, then hand everything to the CSV parser.
  const iterator = input[Symbol.asyncIterator]();
  const first = await iterator.next();
  const firstChunk: Buffer = first.done ? Buffer.alloc(0) : Buffer.from(first.value as Buffer);
  const parser = parse({ ...importCsvOptions(sniffDelimiter(firstChunk.toString('utf8'))), info: true });
  const feed = (async () => {
    hash.update(firstChunk);
    parser.write(firstChunk);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const chunk = Buffer.from(next.value as Buffer);
      hash.update(chunk);
      if (!parser.write(chunk)) await new Promise((resolve) => parser.once('drain', resolve));
    }
    parser.end();
  })();
  feed.catch((error: Error) => parser.destroy(error));

  try {
    for await (const record of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = record.info.lines;
      if (!columns) {
        columns = record.record.map((h) => canonicalHeader(h) ?? `unknown:${h}`);
        if (!columns.includes('number')) {
          throw new ValidationError('The first line must name the columns, and one of them must be "number" (also accepted: phone number, e164, did).', [
            { field: 'file', message: 'No number column' },
          ]);
        }
        continue;
      }
      totalRows += 1;
      if (totalRows > MAX_IMPORT_ROWS) throw new ValidationError(`A file holds at most ${MAX_IMPORT_ROWS.toLocaleString('en')} numbers; split it.`);
      const raw: Record<string, string> = {};
      columns.forEach((c, i) => {
        if (!c.startsWith('unknown:')) raw[c] = record.record[i] ?? '';
      });
      const result = validateImportRow(raw, ctx);
      if (!result.ok) {
        for (const p of result.problems) addError({ row: line, ...p });
        continue;
      }
      const key = `${result.value.e164};${result.value.extension}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        addError({ row: line, column: 'number', value: result.value.e164, message: `Duplicate: the same number is on line ${earlier}.` });
        continue;
      }
      seen.set(key, line);
      if (result.value.assignee) {
        const holder = assignees.get(result.value.assignee);
        if (holder !== undefined) {
          addError({ row: line, column: 'assignee', value: result.value.assignee, message: `This assignee already gets a number on line ${holder}; a user holds one number.` });
          continue;
        }
        assignees.set(result.value.assignee, line);
      }
      valid.push({ ...result.value, line });
    }
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`The file could not be read as CSV: ${message}`, [{ field: 'file', message: 'Not valid CSV' }]);
  }
  await feed.catch(() => {});
  if (!columns) throw new ValidationError('The file is empty.', [{ field: 'file', message: 'Empty file' }]);

  await findExisting(deps, valid, addError);
  await findTakenAssignees(deps, tenantId, valid, addError);
  const report = summarize(mode, hash.digest('hex'), totalRows, valid, errors, errorCount);
  if (mode === 'preview') return report;
  if (errorCount > 0) {
    throw new ValidationError(`Nothing was imported: ${errorCount} problem(s) in the file. Fix them and import again.`, [{ field: 'file', message: `${errorCount} problem(s)` }]);
  }
  const ready = valid.filter((v) => !v.duplicateOfInventory);
  const importId = randomUUID();
  report.importId = importId;
  report.imported = await deps.db.transaction(async (tx) => {
    const count = await insertNumbers(
      tx,
      tenantId,
      ready.map((v) => ({
        e164: v.e164,
        extension: v.extension,
        kind: v.kind,
        status: v.status,
        rangeId: v.rangeId,
        siteId: v.siteId,
        carrier: v.carrier,
        tags: v.tags,
        notes: v.notes,
        assigneeType: v.status === 'assigned' ? (isThreecxKind(v.kind) ? 'threecx_extension' : 'teams_user') : null,
        assigneeId: v.assignee,
        assigneeUpn: isThreecxKind(v.kind) ? null : v.assignee,
        displayName: v.displayName,
        usageLocation: v.usageLocation,
        country: v.country,
        assigneeName: v.assigneeName,
        reservedBy: v.status === 'reserved' ? actor.operatorId : null,
        reservedUntil: v.reservedUntil,
        reservationReason: v.reservationReason,
        importId,
      })),
      actor,
      request,
      { source: 'import', file: fileName ?? null, importId },
    );
    await recordAudit(tx, {
      action: 'numbers.imported',
      actor,
      tenantId,
      targetType: 'tenant',
      targetId: tenantId,
      after: { importId, file: fileName ?? null, sha256: report.fileSha256, rows: count, byStatus: report.byStatus, byKind: report.byKind },
      request,
    });
    return count;
  });
  return report;
}

type Candidate = ImportedNumber & { line: number; duplicateOfInventory?: boolean };

/** Marks rows whose number is already in the inventory (of any tenant) as errors. */
async function findExisting(deps: AppDeps, valid: Candidate[], addError: (e: ImportError) => void): Promise<void> {
  const byE164 = new Map<string, Candidate[]>();
  for (const v of valid) byE164.set(v.e164, [...(byE164.get(v.e164) ?? []), v]);
  const all = [...byE164.keys()];
  for (let i = 0; i < all.length; i += 5_000) {
    const slice = all.slice(i, i + 5_000);
    const found = await deps.db.select({ e164: phoneNumbers.e164, extension: phoneNumbers.extension }).from(phoneNumbers).where(inArray(phoneNumbers.e164, slice));
    for (const f of found) {
      for (const candidate of byE164.get(f.e164) ?? []) {
        if (candidate.extension !== f.extension) continue;
        candidate.duplicateOfInventory = true;
        addError({ row: candidate.line, column: 'number', value: f.e164, message: 'Already in the inventory.' });
      }
    }
  }
  valid.sort((a, b) => a.line - b.line);
}

/** Marks assigned rows whose assignee already holds a number in this tenant. */
async function findTakenAssignees(deps: AppDeps, tenantId: string, valid: Candidate[], addError: (e: ImportError) => void): Promise<void> {
  const withAssignee = valid.filter((v) => v.assignee && !v.duplicateOfInventory);
  for (let i = 0; i < withAssignee.length; i += 5_000) {
    const slice = withAssignee.slice(i, i + 5_000);
    const taken = await deps.db
      .select({ assigneeId: phoneNumbers.assigneeId, e164: phoneNumbers.e164 })
      .from(phoneNumbers)
      .where(and(eq(phoneNumbers.tenantId, tenantId), eq(phoneNumbers.status, 'assigned'), inArray(phoneNumbers.assigneeId, slice.map((v) => v.assignee!))));
    const holders = new Map(taken.map((t) => [t.assigneeId, t.e164]));
    for (const candidate of slice) {
      const held = holders.get(candidate.assignee);
      if (!held) continue;
      candidate.duplicateOfInventory = true;
      addError({ row: candidate.line, column: 'assignee', value: candidate.assignee!, message: `Already holds ${held} in this tenant; release it first.` });
    }
  }
}

function summarize(mode: 'preview' | 'apply', sha: string, totalRows: number, valid: Candidate[], errors: ImportError[], errorCount: number): ImportReport {
  const ok = valid.filter((v) => !v.duplicateOfInventory);
  errors.sort((a, b) => a.row - b.row);
  return {
    mode,
    fileSha256: sha,
    totalRows,
    validRows: ok.length,
    errorCount,
    errors,
    byStatus: countBy(ok, (v) => v.status),
    byKind: countBy(ok, (v) => v.kind),
    sample: ok.slice(0, 20).map(({ line: _line, duplicateOfInventory: _d, ...rest }) => rest),
    imported: 0,
    importId: null,
  };
}

function countBy<T>(items: T[], pick: (item: T) => string): Record<string, number> {
  const result: Record<string, number> = {};
  for (const item of items) result[pick(item)] = (result[pick(item)] ?? 0) + 1;
  return result;
}
