import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { uploadCsvOptions } from '../../core/import-csv.ts';
import { stringify } from 'csv-stringify';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { inventoryKindOf, mapBulkHeader, nextFromRange, nextFromSite, readBulkRow } from '../../core/bulk-row.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { parseNumber } from '../../core/phone-number.ts';
import { spreadsheetSafe } from '../../core/spreadsheet-safe.ts';
import { queryRows } from '../../db/connection.ts';
import { bulkJobRows, bulkJobs, numberRanges, phoneNumbers, sites, teamsPolicies, teamsUsers, voiceChanges, voiceProfiles } from '../../db/schema/index.ts';
import type { BulkRowInput } from '../../core/bulk-row.ts';
import type { TeamsPolicyType } from '../../core/policy-types.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { allocateNextNumber } from '../numbers/number-allocator.ts';
import { matchLocation, tenantLocations } from '../numbers/emergency-defaults.ts';
import { syncTeamsDirectory } from '../teams/directory.ts';
import { setNumberLocation } from '../teams/number-location.ts';
import { loadActiveTenant, loadTenant, tenantFeatures, type TenantRow } from '../tenants/tenants.ts';
import { teamsApiFor } from '../teams/connection.ts';
import { followVoiceChange, requestVoiceChange } from '../teams/voice-changes.ts';

export const BULK_QUEUE = 'bulk-assignment';
const MAX_ROWS = 5_000;

type JobRow = typeof bulkJobs.$inferSelect;
type RowRow = typeof bulkJobRows.$inferSelect;

async function jobView(deps: AppDeps, job: JobRow) {
  const counts = await deps.db.select({ state: bulkJobRows.state, n: sql<number>`count(*)::int` }).from(bulkJobRows).where(eq(bulkJobRows.jobId, job.id)).groupBy(bulkJobRows.state);
  const byState = Object.fromEntries(counts.map((c) => [c.state, c.n])) as Record<string, number>;
  const done = (byState.succeeded ?? 0) + (byState.failed ?? 0);
  const toDo = (byState.pending ?? 0) + (byState.running ?? 0);
  const elapsed = job.startedAt ? Math.max(1, (job.finishedAt ?? deps.now()).getTime() - job.startedAt.getTime()) : 0;
  return {
    id: job.id,
    tenantId: job.tenantId,
    fileName: job.fileName,
    source: job.source,
    status: job.status,
    cancelRequested: job.cancelRequested,
    ticketId: job.ticketId,
    total: job.total,
    counts: { pending: byState.pending ?? 0, running: byState.running ?? 0, succeeded: byState.succeeded ?? 0, failed: byState.failed ?? 0, skipped: byState.skipped ?? 0, cancelled: byState.cancelled ?? 0 },
    etaSeconds: job.status === 'running' && done > 0 ? Math.round(((elapsed / done) * toDo) / 1000) : null,
    ...throttleView(deps, job),
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}
export type BulkJobView = Awaited<ReturnType<typeof jobView>>;

/** While Teams makes the tenant wait, the job says until when; it resumes by itself then. */
function throttleView(deps: AppDeps, job: JobRow): { throttledUntil: string | null; notice: string | null } {
  const until = job.throttledUntil;
  if (!until || job.status !== 'running' || until.getTime() <= deps.now().getTime()) return { throttledUntil: null, notice: null };
  return { throttledUntil: until.toISOString(), notice: `Throttled by Teams, resuming at ${until.toISOString().slice(11, 16)} UTC.` };
}

function rowView(r: RowRow) {
  return { id: r.id, rowNumber: r.rowNumber, input: r.input, verdict: r.verdict, verdictMessage: r.verdictMessage, state: r.state, attempts: r.attempts, numberE164: r.numberE164, resultMessage: r.resultMessage, voiceChangeId: r.voiceChangeId };
}

/**
 * Reads the CSV and checks every row against the inventory and the live tenant (D5): the
 * directory is synced from Teams first, then each row gets a verdict. Nothing is changed in
 * Teams or the inventory; the job is saved as a draft to run later.
 */
export async function dryRunBulk(deps: AppDeps, actor: Actor, tenantId: string, input: Readable, info: RequestInfo, options: { fileName?: string | undefined; ticketId?: string | null | undefined } = {}): Promise<BulkJobWithRows> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const rows = await readCsv(input);
  await syncTeamsDirectory(deps, tenant);
  const verdicts = await judgeRows(deps, tenant, rows);
  return saveDryRun(deps, actor, tenant, verdicts, info, { fileName: options.fileName ?? '', ticketId: options.ticketId ?? null, source: 'csv' });
}

type BulkJobWithRows = BulkJobView & { rows: ReturnType<typeof rowView>[] };

/** The dry run as a draft job: rows that passed wait to run, the others are skipped with their reason. */
async function saveDryRun(deps: AppDeps, actor: Actor, tenant: TenantRow, verdicts: Verdict[], info: RequestInfo, options: { fileName: string; ticketId: string | null; source: 'csv' | 'selection' }): Promise<BulkJobWithRows> {
  const tenantId = tenant.id;
  const job = await deps.db.transaction(async (tx) => {
    const [created] = await tx.insert(bulkJobs).values({ tenantId, operatorId: actor.operatorId, fileName: options.fileName, source: options.source, ticketId: options.ticketId, total: verdicts.length, createdAt: deps.now() }).returning();
    for (let i = 0; i < verdicts.length; i += 500) {
      await tx.insert(bulkJobRows).values(
        verdicts.slice(i, i + 500).map((v) => ({ jobId: created!.id, rowNumber: v.rowNumber, input: v.input, verdict: v.error ? ('error' as const) : ('ok' as const), verdictMessage: v.error ?? null, userId: v.userId, state: v.error ? ('skipped' as const) : ('pending' as const) })),
      );
    }
    await recordAudit(tx, { action: 'bulk.dry_run', actor, tenantId, targetType: 'bulk_job', targetId: created!.id, after: { source: options.source, file: options.fileName || null, rows: verdicts.length, errors: verdicts.filter((v) => v.error).length }, ticketId: options.ticketId, request: info });
    return created!;
  });
  const stored = await deps.db.select().from(bulkJobRows).where(eq(bulkJobRows.jobId, job.id)).orderBy(asc(bulkJobRows.rowNumber));
  return { ...(await jobView(deps, job)), rows: stored.map(rowView) };
}

/** One ticked user and what they get: a number (next free of a range or site, or a given one), a profile, policies. */
export type SelectionRow = {
  upn: string;
  number?: { nextFromRange: string } | { nextFromSite: string } | { e164: string } | null | undefined;
  profile?: string | null | undefined;
  policies?: Partial<Record<TeamsPolicyType, string | null>> | undefined;
};

/** The row a CSV line would give for the same choices, so the selection goes through the same checks and worker. */
export function selectionRowInput(row: SelectionRow): BulkRowInput {
  const n = row.number;
  const phoneNumber = !n ? null : 'nextFromRange' in n ? `next:${n.nextFromRange}` : 'nextFromSite' in n ? `next site:${n.nextFromSite}` : n.e164;
  return { upn: row.upn.trim().toLowerCase(), phoneNumber, numberType: null, policies: { ...row.policies }, profile: row.profile?.trim() || null, location: null };
}

/**
 * Users ticked in the Teams user list, assigned without a spreadsheet: the rows a CSV would give
 * are judged and saved as a bulk job exactly like an upload. With run, the job starts at once,
 * but only when every row passes; otherwise nothing is saved and each bad row says why.
 */
export async function bulkFromSelection(deps: AppDeps, actor: Actor, tenantId: string, input: { users: SelectionRow[]; ticketId?: string | null | undefined; run?: boolean | undefined }, info: RequestInfo): Promise<BulkJobWithRows> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  if (input.users.length === 0) throw new ValidationError('Tick at least one user.', [{ field: 'users', message: 'No user ticked' }]);
  const rows = input.users.map((u, i) => ({ rowNumber: i + 1, input: selectionRowInput(u) }));
  await syncTeamsDirectory(deps, tenant);
  const verdicts = await judgeRows(deps, tenant, rows, (rowNumber) => `row ${rowNumber} (${rows[rowNumber - 1]?.input.upn ?? ''})`);
  const bad = verdicts.filter((v) => v.error);
  if (input.run && bad.length) {
    throw new ValidationError(
      `${bad.length === 1 ? 'One user does' : `${bad.length} users do`} not pass the dry run, so nothing ran: ${bad.map((v) => `${v.input.upn}: ${v.error}`).join(' ')}`,
      bad.map((v) => ({ field: `users.${v.rowNumber - 1}`, message: v.error! })),
    );
  }
  const job = await saveDryRun(deps, actor, tenant, verdicts, info, { fileName: `Selected users (${rows.length})`, ticketId: input.ticketId ?? null, source: 'selection' });
  if (!input.run) return job;
  await startBulkJob(deps, actor, tenantId, job.id, info);
  return getBulkJob(deps, actor, tenantId, job.id);
}

async function readCsv(input: Readable): Promise<Array<{ rowNumber: number; input: BulkRowInput }>> {
  const parser = input.pipe(parse({ ...uploadCsvOptions, info: true }));
  const rows: Array<{ rowNumber: number; input: BulkRowInput }> = [];
  let columns: ReturnType<typeof mapBulkHeader>['columns'] | undefined;
  try {
    for await (const record of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!columns) {
        const header = mapBulkHeader(record.record);
        if (header.problems.length) throw new ValidationError(header.problems.join(' '), [{ field: 'file', message: header.problems[0]! }]);
        columns = header.columns;
        continue;
      }
      rows.push({ rowNumber: record.info.lines, input: readBulkRow(record.record, columns) });
      if (rows.length > MAX_ROWS) throw new ValidationError(`A bulk file holds at most ${MAX_ROWS} users; split it.`);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new ValidationError(`The file could not be read as CSV: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!columns) throw new ValidationError('The file is empty.');
  if (rows.length === 0) throw new ValidationError('The file has a header but no rows.');
  return rows;
}

type Verdict = { rowNumber: number; input: BulkRowInput; error: string | undefined; userId: string | null };

/** One verdict per row, in words an engineer can act on. */
async function judgeRows(deps: AppDeps, tenant: TenantRow, rows: Array<{ rowNumber: number; input: BulkRowInput }>, where: (rowNumber: number) => string = (n) => `line ${n}`): Promise<Verdict[]> {
  const users = new Map((await deps.db.select().from(teamsUsers).where(eq(teamsUsers.tenantId, tenant.id))).map((u) => [u.upn, u]));
  const ranges = new Map((await deps.db.select().from(numberRanges).where(eq(numberRanges.tenantId, tenant.id))).map((r) => [r.name.toLowerCase(), r]));
  const profiles = new Map((await deps.db.select().from(voiceProfiles).where(eq(voiceProfiles.tenantId, tenant.id))).map((p) => [p.name.toLowerCase(), p]));
  const policies = new Set((await deps.db.select().from(teamsPolicies).where(eq(teamsPolicies.tenantId, tenant.id))).map((p) => `${p.policyType}|${p.name.toLowerCase()}`));
  const features = await tenantFeatures(deps, tenant);
  const explicit = rows.map((r) => (r.input.phoneNumber && !nextFromRange(r.input.phoneNumber) ? parseNumber(r.input.phoneNumber, tenant.defaultCountry) : undefined));
  const e164s = explicit.flatMap((p) => (p?.ok ? [p.value.e164] : []));
  const inventory = new Map<string, typeof phoneNumbers.$inferSelect>();
  for (let i = 0; i < e164s.length; i += 1000) {
    for (const n of await deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenant.id), inArray(phoneNumbers.e164, e164s.slice(i, i + 1000))))) inventory.set(n.e164, n);
  }
  const freeInRange = new Map<string, number>();
  for (const r of ranges.values()) {
    const [count] = await deps.db.select({ n: sql<number>`count(*)::int` }).from(phoneNumbers).where(and(eq(phoneNumbers.rangeId, r.id), eq(phoneNumbers.status, 'available')));
    freeInRange.set(r.id, count?.n ?? 0);
  }
  const siteRows = rows.some((r) => nextFromSite(r.input.phoneNumber)) ? await deps.db.select().from(sites).where(eq(sites.tenantId, tenant.id)) : [];
  const siteByName = new Map(siteRows.map((x) => [x.name.toLowerCase(), x]));
  const freeInSite = new Map<string, number>();
  for (const x of siteRows) {
    // The allocator takes a site's numbers by the number's own site (as the inventory records it).
    const [count] = await deps.db.select({ n: sql<number>`count(*)::int` }).from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, tenant.id), eq(phoneNumbers.siteId, x.id), eq(phoneNumbers.status, 'available')));
    freeInSite.set(x.id, count?.n ?? 0);
  }
  const locations = rows.some((r) => r.input.location) ? await tenantLocations(deps.db, tenant.id) : [];
  const seenUser = new Map<string, number>();
  const seenNumber = new Map<string, number>();
  return rows.map(({ rowNumber, input }, index) => {
    const fail = (error: string): Verdict => ({ rowNumber, input, error, userId: users.get(input.upn)?.userId ?? null });
    const location = input.location ? matchLocation(locations, input.location) : undefined;
    if (typeof location === 'string') return fail(location);
    if (!input.upn && input.location) {
      // Sets one number's emergency location; the number stays with whoever has it.
      const parsed = explicit[index];
      if (!parsed) return fail('PhoneNumber is missing: a row without UserPrincipalName sets the emergency location of that number.');
      if (!parsed.ok) return fail(parsed.reason);
      if (seenNumber.has(parsed.value.e164)) return fail(`The same number is on ${where(seenNumber.get(parsed.value.e164)!)}.`);
      seenNumber.set(parsed.value.e164, rowNumber);
      if (!inventory.get(parsed.value.e164)) return fail(`${parsed.value.e164} is not in ${tenant.name}'s inventory.`);
      return { rowNumber, input, error: undefined, userId: null };
    }
    if (!input.upn || !input.upn.includes('@')) return fail('UserPrincipalName is missing or not a UPN.');
    const user = users.get(input.upn);
    if (!user) return fail(`No user ${input.upn} in ${tenant.name}.`);
    if (seenUser.has(input.upn)) return fail(`The same user is on ${where(seenUser.get(input.upn)!)}.`);
    seenUser.set(input.upn, rowNumber);
    if (!user.accountEnabled) return fail(`${input.upn} is disabled in Entra ID.`);
    const profile = input.profile ? profiles.get(input.profile.toLowerCase()) : undefined;
    if (input.profile && !profile) return fail(`There is no profile named "${input.profile}".`);
    const wantsNumber = Boolean(input.phoneNumber) || Boolean(profile?.numberSource);
    if (wantsNumber && !user.phoneSystem) return fail(`${input.upn} has no Teams Phone licence (Phone System).`);
    if (wantsNumber && !user.usageLocation) return fail(`${input.upn} has no usage location.`);
    for (const [type, name] of Object.entries({ ...(profile?.policies ?? {}), ...input.policies })) {
      if (name && !policies.has(`${type}|${name.toLowerCase()}`)) return fail(`The tenant has no ${type} named "${name}" (add it to the policy catalog if it exists).`);
    }
    const siteName = nextFromSite(input.phoneNumber);
    if (siteName) {
      const site = siteByName.get(siteName.toLowerCase());
      if (!site) return fail(`There is no site named "${siteName}".`);
      const left = freeInSite.get(site.id) ?? 0;
      if (left <= 0) return fail(`No available number is left in site ${site.name} for this row.`);
      freeInSite.set(site.id, left - 1);
      return { rowNumber, input, error: undefined, userId: user.userId };
    }
    const rangeName = nextFromRange(input.phoneNumber);
    if (rangeName) {
      const range = ranges.get(rangeName.toLowerCase());
      if (!range) return fail(`There is no range named "${rangeName}".`);
      const left = freeInRange.get(range.id) ?? 0;
      if (left <= 0) return fail(`No available number is left in ${range.name} for this row.`);
      freeInRange.set(range.id, left - 1);
      return { rowNumber, input, error: undefined, userId: user.userId };
    }
    const parsed = explicit[index];
    if (parsed && !parsed.ok) return fail(parsed.reason);
    if (parsed?.ok) {
      const e164 = parsed.value.e164;
      if (seenNumber.has(e164)) return fail(`The same number is on ${where(seenNumber.get(e164)!)}.`);
      seenNumber.set(e164, rowNumber);
      const number = inventory.get(e164);
      const kind = inventoryKindOf(input.numberType);
      if (input.numberType && !kind) return fail(`PhoneNumberType must be DirectRouting, CallingPlan or OperatorConnect.`);
      if (!number) {
        if (!features.manualNumberEntry) return fail(`${e164} is not in ${tenant.name}'s inventory.`);
      } else {
        if (kind && number.kind !== kind) return fail(`${e164} is a ${number.kind.replace('_', ' ')} number in the inventory, not ${input.numberType}.`);
        const mine = number.status === 'assigned' && number.assigneeId === user.userId;
        if (!mine && number.status !== 'available' && number.status !== 'reserved') return fail(`${e164} is ${number.status}${number.assigneeUpn ? ` (${number.assigneeUpn})` : ''}.`);
      }
    }
    return { rowNumber, input, error: undefined, userId: user.userId };
  });
}

async function loadJob(deps: AppDeps, tenantId: string, jobId: string): Promise<JobRow> {
  const [job] = await deps.db.select().from(bulkJobs).where(and(eq(bulkJobs.id, jobId), eq(bulkJobs.tenantId, tenantId)));
  if (!job) throw new NotFoundError('Bulk job');
  return job;
}

export async function getBulkJob(deps: AppDeps, actor: Actor, tenantId: string, jobId: string) {
  await loadTenant(deps.db, actor, tenantId);
  const job = await loadJob(deps, tenantId, jobId);
  const rows = await deps.db.select().from(bulkJobRows).where(eq(bulkJobRows.jobId, jobId)).orderBy(asc(bulkJobRows.rowNumber));
  return { ...(await jobView(deps, job)), rows: rows.map(rowView) };
}

/** A tenant's bulk jobs, newest first, with their progress. */
export async function listBulkJobs(deps: AppDeps, actor: Actor, tenantId: string, limit: number): Promise<BulkJobView[]> {
  await loadTenant(deps.db, actor, tenantId);
  const jobs = await deps.db.select().from(bulkJobs).where(eq(bulkJobs.tenantId, tenantId)).orderBy(sql`${bulkJobs.createdAt} desc`).limit(limit);
  return Promise.all(jobs.map((job) => jobView(deps, job)));
}

/** Starts (or restarts, after retry) a job on the queue; the worker does the rows. */
export async function startBulkJob(deps: AppDeps, actor: Actor, tenantId: string, jobId: string, info: RequestInfo): Promise<BulkJobView> {
  await loadActiveTenant(deps.db, actor, tenantId);
  const job = await loadJob(deps, tenantId, jobId);
  if (job.status !== 'draft' && job.status !== 'completed' && job.status !== 'cancelled') throw new ConflictError('This job is already queued or running.', 'job_running');
  const [pending] = await deps.db.select({ n: sql<number>`count(*)::int` }).from(bulkJobRows).where(and(eq(bulkJobRows.jobId, jobId), eq(bulkJobRows.state, 'pending')));
  if (!pending?.n) throw new ConflictError('No row is waiting to run.', 'nothing_to_run');
  if (job.source === 'selection') {
    const [bad] = await deps.db.select({ n: sql<number>`count(*)::int` }).from(bulkJobRows).where(and(eq(bulkJobRows.jobId, jobId), eq(bulkJobRows.verdict, 'error')));
    if (bad?.n) throw new ConflictError('Ticked users run only when every one passes the dry run: fix the users with errors and dry-run again.', 'selection_has_errors');
  }
  if (!deps.queue) throw new AppError(503, 'jobs_unavailable', 'The job queue is not running.');
  const [updated] = await deps.db.update(bulkJobs).set({ status: 'queued', cancelRequested: false, finishedAt: null }).where(eq(bulkJobs.id, jobId)).returning();
  await recordAudit(deps.db, { action: 'bulk.started', actor, tenantId, targetType: 'bulk_job', targetId: jobId, after: { pending: pending.n }, ticketId: job.ticketId, request: info });
  // Heartbeats let the queue notice a dead worker within seconds and hand the job to another.
  await deps.queue.send(BULK_QUEUE, { jobId }, { retryLimit: 10, retryDelay: 2, expireInSeconds: 3600, heartbeatSeconds: 10 });
  return jobView(deps, updated!);
}

export async function cancelBulkJob(deps: AppDeps, actor: Actor, tenantId: string, jobId: string, info: RequestInfo): Promise<BulkJobView> {
  await loadTenant(deps.db, actor, tenantId);
  const job = await loadJob(deps, tenantId, jobId);
  if (job.status !== 'queued' && job.status !== 'running') throw new ConflictError('Only a queued or running job can be cancelled.', 'not_running');
  await deps.db.transaction(async (tx) => {
    await tx.update(bulkJobs).set({ cancelRequested: true }).where(eq(bulkJobs.id, jobId));
    // Rows not started are cancelled at once; rows in flight finish (Teams may already be acting on them).
    await tx.update(bulkJobRows).set({ state: 'cancelled', updatedAt: deps.now() }).where(and(eq(bulkJobRows.jobId, jobId), eq(bulkJobRows.state, 'pending')));
    await recordAudit(tx, { action: 'bulk.cancelled', actor, tenantId, targetType: 'bulk_job', targetId: jobId, ticketId: job.ticketId, request: info });
  });
  return jobView(deps, await loadJob(deps, tenantId, jobId));
}

/** Failed (and cancelled) rows go back to pending; succeeded rows are never touched again. */
export async function retryFailedRows(deps: AppDeps, actor: Actor, tenantId: string, jobId: string, info: RequestInfo): Promise<BulkJobView> {
  await loadActiveTenant(deps.db, actor, tenantId);
  const job = await loadJob(deps, tenantId, jobId);
  if (job.status === 'queued' || job.status === 'running') throw new ConflictError('Wait for the job to finish before retrying rows.', 'job_running');
  const retried = await deps.db.transaction(async (tx) => {
    const rows = await tx.select().from(bulkJobRows).where(and(eq(bulkJobRows.jobId, jobId), inArray(bulkJobRows.state, ['failed', 'cancelled'])));
    // The old, failed changes stay on record but no longer belong to the row, so the retry makes a new one.
    const ids = rows.map((r) => r.id);
    if (ids.length) {
      await tx.update(voiceChanges).set({ bulkRowId: null }).where(inArray(voiceChanges.bulkRowId, ids));
      await tx.update(bulkJobRows).set({ state: 'pending', voiceChangeId: null, resultMessage: null, updatedAt: deps.now() }).where(inArray(bulkJobRows.id, ids));
    }
    await tx.update(bulkJobs).set({ status: 'draft' }).where(eq(bulkJobs.id, jobId));
    return ids.length;
  });
  if (retried === 0) throw new ConflictError('No failed row to retry.', 'nothing_to_retry');
  return startBulkJob(deps, actor, tenantId, jobId, info);
}

/** A running row is touched this often; one untouched for ROW_STALE_MS belongs to a dead worker. */
const ROW_HEARTBEAT_MS = 5_000;
const ROW_STALE_MS = 20_000;

/**
 * The worker's side: claims pending rows one at a time with SKIP LOCKED (so several workers
 * and nodes share a job without doing a row twice), carries each out as a voice change linked
 * to the row, and follows it to Teams' answer. After a crash, a row left "running" is resumed
 * from its linked change instead of being done again.
 */
export async function processBulkJob(deps: AppDeps, jobId: string, options: { concurrency?: number; pollMs?: number } = {}): Promise<void> {
  const [job] = await deps.db.select().from(bulkJobs).where(eq(bulkJobs.id, jobId));
  if (!job || job.status === 'draft') return;
  await deps.db.update(bulkJobs).set({ status: 'running', startedAt: job.startedAt ?? deps.now() }).where(and(eq(bulkJobs.id, jobId), inArray(bulkJobs.status, ['queued', 'running'])));
  // Rows a dead worker left running (no heartbeat for a while): pick them up again; their change, if any, is followed, not repeated.
  await deps.db
    .update(bulkJobRows)
    .set({ state: 'pending' })
    .where(and(eq(bulkJobRows.jobId, jobId), eq(bulkJobRows.state, 'running'), sql`${bulkJobRows.updatedAt} < ${new Date(Date.now() - ROW_STALE_MS).toISOString()}::timestamptz`));
  const [operator] = job.operatorId ? await queryRows<{ id: string; email: string; display_name: string }>(deps.db, sql`select id, email, display_name from operators where id = ${job.operatorId}::uuid`) : [];
  const actor: Actor = { operatorId: operator?.id ?? job.operatorId ?? '', email: operator?.email ?? 'system (bulk)', displayName: operator?.display_name ?? 'Bulk', role: 'operator', allTenants: true, tenantIds: [], via: 'session' };
  const info: RequestInfo = { requestId: `bulk-${jobId}`, ip: undefined };
  const stopWatching = await watchThrottling(deps, job, actor);
  const worker = async () => {
    for (;;) {
      const [current] = await deps.db.select({ cancel: bulkJobs.cancelRequested }).from(bulkJobs).where(eq(bulkJobs.id, jobId));
      if (current?.cancel) return;
      const row = await claimRow(deps, jobId);
      if (!row) return;
      await runRow(deps, job, row, actor, info, options.pollMs);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency ?? deps.config.bulkConcurrency }, worker));
  } finally {
    stopWatching();
  }
  const [left] = await deps.db.select({ n: sql<number>`count(*)::int` }).from(bulkJobRows).where(and(eq(bulkJobRows.jobId, jobId), inArray(bulkJobRows.state, ['pending', 'running'])));
  if ((left?.n ?? 0) === 0) {
    const [finished] = await deps.db.select().from(bulkJobs).where(eq(bulkJobs.id, jobId));
    const status = finished?.cancelRequested ? 'cancelled' : 'completed';
    const [updated] = await deps.db.update(bulkJobs).set({ status, finishedAt: deps.now() }).where(and(eq(bulkJobs.id, jobId), inArray(bulkJobs.status, ['queued', 'running']))).returning();
    if (updated) {
      const view = await jobView(deps, updated);
      await recordAudit(deps.db, { action: `bulk.${status}`, actor, tenantId: job.tenantId, targetType: 'bulk_job', targetId: jobId, after: view.counts, ticketId: job.ticketId, request: info });
    }
  }
}

/**
 * Records on the job when Teams pauses this tenant (429 + Retry-After, honoured in full by the
 * background client), so every node's view of the job can say until when. Returns the unsubscribe.
 */
async function watchThrottling(deps: AppDeps, job: JobRow, actor: Actor): Promise<() => void> {
  let api;
  try {
    api = await teamsApiFor(deps, await loadTenant(deps.db, actor, job.tenantId));
  } catch {
    return () => undefined; // Teams not usable: each row fails with the reason on its own
  }
  return api.client.onThrottle((until) => {
    deps.db
      .update(bulkJobs)
      .set({ throttledUntil: until })
      .where(eq(bulkJobs.id, job.id))
      .catch((error: unknown) => deps.log.warn({ err: error, jobId: job.id }, 'could not record the Teams throttle on the bulk job'));
  });
}

async function claimRow(deps: AppDeps, jobId: string): Promise<RowRow | undefined> {
  const rows = await queryRows<{ id: string }>(
    deps.db,
    sql`update bulk_job_rows set state = 'running', attempts = attempts + 1, updated_at = now()
         where id = (select id from bulk_job_rows where job_id = ${jobId}::uuid and state = 'pending' order by row_number for update skip locked limit 1)
         returning id`,
  );
  if (!rows[0]) return undefined;
  const [row] = await deps.db.select().from(bulkJobRows).where(eq(bulkJobRows.id, rows[0].id));
  return row;
}

async function runRow(deps: AppDeps, job: JobRow, row: RowRow, actor: Actor, info: RequestInfo, pollMs?: number): Promise<void> {
  const finish = (state: 'succeeded' | 'failed', message: string | null, extra: { voiceChangeId?: string | null; numberE164?: string | null } = {}) =>
    deps.db.update(bulkJobRows).set({ state, resultMessage: message, updatedAt: deps.now(), ...extra }).where(eq(bulkJobRows.id, row.id));
  const heartbeat = setInterval(() => {
    deps.db.update(bulkJobRows).set({ updatedAt: new Date() }).where(and(eq(bulkJobRows.id, row.id), eq(bulkJobRows.state, 'running'))).catch(() => undefined);
  }, ROW_HEARTBEAT_MS);
  try {
    if (!row.userId && row.input.location) {
      const result = await setRowLocation(deps, job, row, actor, info);
      await finish('succeeded', result.appliedInTeams ? 'Emergency location set in Teams.' : 'Emergency location recorded; it goes to Teams with the number\'s next assignment.', { numberE164: result.number.e164 });
      return;
    }
    const [existing] = await deps.db.select().from(voiceChanges).where(eq(voiceChanges.bulkRowId, row.id));
    let changeId = existing?.id;
    if (!changeId) {
      const request = await rowRequest(deps, job, row, actor, info);
      if (request.numberE164) await deps.db.update(bulkJobRows).set({ numberE164: request.numberE164 }).where(eq(bulkJobRows.id, row.id));
      const change = await requestVoiceChange(deps, actor, job.tenantId, { userId: row.userId!, ...request.change, ticketId: job.ticketId }, info, { bulkRowId: row.id });
      changeId = change.id;
    }
    await deps.db.update(bulkJobRows).set({ voiceChangeId: changeId }).where(eq(bulkJobRows.id, row.id));
    // A change found from before a crash may never have reached Teams: resume it rather than repeat it.
    const outcome = await followVoiceChange(deps, changeId, { ...(pollMs ? { pollMs } : {}), resumeStranded: Boolean(existing) });
    const message = outcome.status === 'succeeded' ? outcome.errorMessage : (outcome.errorMessage ?? `The change ended as ${outcome.status}.`);
    await finish(outcome.status === 'succeeded' ? 'succeeded' : 'failed', message, { voiceChangeId: changeId, numberE164: outcome.requested.number?.e164 ?? null });
  } catch (error) {
    if (error instanceof ValidationError && /Nothing to change/.test(error.message)) {
      // The user already has the number: what is left is its emergency location, if the row names one.
      if (row.input.location && (row.numberE164 || row.input.phoneNumber)) {
        const result = await setRowLocation(deps, job, row, actor, info).catch((e: unknown) => e);
        if (result instanceof Error) await finish('failed', result.message);
        else await finish('succeeded', 'Number already assigned; emergency location set.');
        return;
      }
      await finish('succeeded', 'Already configured this way; nothing to change.');
      return;
    }
    if (!(error instanceof AppError)) deps.log.error({ err: error, jobId: job.id, row: row.rowNumber }, 'bulk row failed unexpectedly');
    await finish('failed', error instanceof Error ? error.message : String(error));
  } finally {
    clearInterval(heartbeat);
  }
}

/** A row's emergency location, on the number it names (Teams updateNumber for a number assigned in Teams). */
async function setRowLocation(deps: AppDeps, job: JobRow, row: RowRow, actor: Actor, info: RequestInfo) {
  const tenant = await loadTenant(deps.db, actor, job.tenantId);
  const parsed = parseNumber(row.numberE164 ?? row.input.phoneNumber ?? '', tenant.defaultCountry);
  if (!parsed.ok) throw new ValidationError(parsed.reason);
  const [number] = await deps.db.select({ id: phoneNumbers.id }).from(phoneNumbers).where(and(eq(phoneNumbers.tenantId, job.tenantId), eq(phoneNumbers.e164, parsed.value.e164), eq(phoneNumbers.extension, '')));
  if (!number) throw new NotFoundError('Number');
  return setNumberLocation(deps, actor, job.tenantId, number.id, row.input.location!, info, { ticketId: job.ticketId, api: 'jobs' });
}

/** What a row asks for, with "next from range" and profiles resolved to a number held for the row. */
async function rowRequest(deps: AppDeps, job: JobRow, row: RowRow, actor: Actor, info: RequestInfo): Promise<{ change: { number?: { numberId: string } | { e164: string }; policies: Record<string, string | null>; locationId?: string }; numberE164: string | null }> {
  const input = row.input;
  const [profile] = input.profile ? await deps.db.select().from(voiceProfiles).where(and(eq(voiceProfiles.tenantId, job.tenantId), sql`lower(${voiceProfiles.name}) = lower(${input.profile})`)) : [];
  const policies = { ...(profile?.policies ?? {}), ...input.policies };
  const location = input.location ? { locationId: input.location } : {};
  // A resumed row reuses the number it already holds.
  if (row.numberE164) return { change: { number: { e164: row.numberE164 }, policies, ...location }, numberE164: row.numberE164 };
  const rangeName = nextFromRange(input.phoneNumber);
  const siteName = nextFromSite(input.phoneNumber);
  let source: { rangeId: string } | { siteId: string } | { tag: string } | null = null;
  if (siteName) {
    const [site] = await deps.db.select({ id: sites.id }).from(sites).where(and(eq(sites.tenantId, job.tenantId), sql`lower(${sites.name}) = lower(${siteName})`));
    if (!site) throw new ValidationError(`There is no site named "${siteName}".`);
    source = { siteId: site.id };
  } else if (rangeName) {
    const [range] = await deps.db.select({ id: numberRanges.id }).from(numberRanges).where(and(eq(numberRanges.tenantId, job.tenantId), sql`lower(${numberRanges.name}) = lower(${rangeName})`));
    if (!range) throw new ValidationError(`There is no range named "${rangeName}".`);
    source = { rangeId: range.id };
  } else if (!input.phoneNumber && profile?.numberSource) {
    source = profile.numberSource;
  }
  if (source) {
    const held = await allocateNextNumber(deps, actor, job.tenantId, source, { action: 'reserve', reason: `Bulk job row ${row.rowNumber}`, until: new Date(deps.now().getTime() + 86_400_000), ticketId: job.ticketId }, info);
    return { change: { number: { numberId: held.id }, policies, ...location }, numberE164: held.e164 };
  }
  return { change: { ...(input.phoneNumber ? { number: { e164: input.phoneNumber } } : {}), policies, ...location }, numberE164: null };
}

/** The job's rows and outcomes as CSV, spreadsheet-safe, for the customer. */
export async function bulkResultsCsv(deps: AppDeps, actor: Actor, tenantId: string, jobId: string): Promise<Readable> {
  await loadTenant(deps.db, actor, tenantId);
  await loadJob(deps, tenantId, jobId);
  const rows = await deps.db.select().from(bulkJobRows).where(eq(bulkJobRows.jobId, jobId)).orderBy(asc(bulkJobRows.rowNumber));
  const out = stringify({ bom: true });
  out.write(['line', 'UserPrincipalName', 'PhoneNumber', 'result', 'message']);
  for (const r of rows) {
    const result = r.state === 'skipped' ? 'not run (dry-run error)' : r.state;
    out.write([String(r.rowNumber), r.input.upn, r.numberE164 ?? r.input.phoneNumber ?? '', result, r.verdictMessage ?? r.resultMessage ?? ''].map(spreadsheetSafe));
  }
  out.end();
  return out;
}
