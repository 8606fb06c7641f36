import { and, desc, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import { bulkJobRows, bulkJobs, lifecycleJobs, numberRanges, phoneNumbers, reconcileChecks, scheduledChanges, tenantConnections, tenants, voiceChanges } from '../../db/schema/index.ts';
import { formatInZone } from '../../core/time-zone.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';
import { scopeCondition } from '../kernel/tenant-scope.ts';
import { isRunningOut, percentInUse, rangeCounts } from '../../core/range-rules.ts';
import { cachedSettings } from '../settings/app-settings.ts';
import type { OverviewDto, OverviewItemDto } from './schemas.ts';

/** What counts as recent for failures worth a look, and as soon for an expiring certificate. */
const RECENT_DAYS = 7;
const EXPIRY_WARNING_DAYS = 30;
/** Scheduled changes this close are on the list. */
const UPCOMING_DAYS = 7;
/** Each kind of line is capped, so one noisy tenant cannot bury the others. */
const PER_KIND = 50;

const systemNames = { teams: 'Teams', threecx: '3CX', connectwise: 'ConnectWise' } as const;
const scheduledNames = { voice_change: 'voice change', onboard: 'onboarding', offboard: 'offboarding', bulk_run: 'bulk run' } as const;
const changeNames = { assign_number: 'number change', remove_number: 'number removal', policies: 'policy change', revert: 'revert' } as const;

const days = (n: number) => n * 24 * 60 * 60 * 1000;

/**
 * The operator's work list across the tenants they may see (L3): what is waiting, what failed and
 * what is about to run out, each with the page where it is fixed. Archived tenants are left out.
 */
export async function buildOverview(deps: AppDeps, actor: Actor): Promise<OverviewDto> {
  const now = deps.now();
  const visible = await deps.db
    .select({ id: tenants.id, name: tenants.name })
    .from(tenants)
    .where(and(eq(tenants.status, 'active'), scopeCondition(actor, tenants.id)));
  if (visible.length === 0) return { generatedAt: now.toISOString(), tenants: 0, items: [] };
  const ids = visible.map((t) => t.id);
  const nameOf = new Map(visible.map((t) => [t.id, t.name]));
  const of = (tenantId: string) => ({ tenantId, tenantName: nameOf.get(tenantId) ?? '' });
  const since = new Date(now.getTime() - days(RECENT_DAYS));

  const [changes, ticketLogs, bulk, ranges, connections, checks, scheduled, lifecycle] = await Promise.all([
    voiceChangeItems(deps, ids, since),
    deps.db
      .select()
      .from(voiceChanges)
      .where(and(inArray(voiceChanges.tenantId, ids), eq(voiceChanges.ticketLogStatus, 'failed')))
      .orderBy(desc(voiceChanges.createdAt))
      .limit(PER_KIND),
    bulkItems(deps, ids, since),
    rangeItems(deps, ids),
    deps.db.select().from(tenantConnections).where(inArray(tenantConnections.tenantId, ids)),
    deps.db.select().from(reconcileChecks).where(and(inArray(reconcileChecks.tenantId, ids), sql`${reconcileChecks.driftCount} > 0`)),
    // Coming up in the next days, and those that failed lately.
    deps.db
      .select()
      .from(scheduledChanges)
      .where(
        and(
          inArray(scheduledChanges.tenantId, ids),
          sql`((${scheduledChanges.status} = 'scheduled' and ${scheduledChanges.runAt} <= ${new Date(now.getTime() + days(UPCOMING_DAYS))}) or (${scheduledChanges.status} = 'failed' and ${scheduledChanges.finishedAt} >= ${since}))`,
        ),
      )
      .orderBy(scheduledChanges.runAt)
      .limit(PER_KIND * 2),
    deps.db
      .select()
      .from(lifecycleJobs)
      .where(and(inArray(lifecycleJobs.tenantId, ids), inArray(lifecycleJobs.status, ['failed', 'undo_failed']), gte(lifecycleJobs.createdAt, since)))
      .orderBy(desc(lifecycleJobs.createdAt))
      .limit(PER_KIND),
  ]);

  const items: OverviewItemDto[] = [];
  for (const c of changes) {
    const what = changeNames[c.kind];
    if (c.status === 'pending') {
      items.push({ kind: 'voice_change_pending', severity: 'info', ...of(c.tenantId), title: `${c.userUpn}: ${what} waiting for Teams`, detail: 'Teams has not confirmed the change yet.', at: c.createdAt.toISOString(), link: { page: 'voice', user: c.userId } });
    } else {
      items.push({ kind: 'voice_change_failed', severity: 'error', ...of(c.tenantId), title: `${c.userUpn}: ${what} failed`, detail: c.errorMessage ?? 'Teams refused the change.', at: (c.completedAt ?? c.createdAt).toISOString(), link: { page: 'voice', user: c.userId } });
    }
  }
  for (const c of ticketLogs) {
    items.push({ kind: 'ticket_log_failed', severity: 'error', ...of(c.tenantId), title: `Ticket #${c.ticketId ?? '?'}: logging the change for ${c.userUpn} failed`, detail: c.ticketLogError ?? 'ConnectWise refused the note or time entry.', at: c.createdAt.toISOString(), link: { page: 'voice', user: c.userId }, changeId: c.id });
  }
  for (const job of bulk) {
    const done = job.counts.succeeded + job.counts.failed + job.counts.skipped + job.counts.cancelled;
    if (job.status === 'queued' || job.status === 'running') {
      items.push({ kind: 'bulk_running', severity: 'info', ...of(job.tenantId), title: `Bulk job ${job.fileName} is ${job.status}`, detail: `${done} of ${job.total} rows done${job.counts.failed ? `, ${job.counts.failed} failed` : ''}.`, at: (job.startedAt ?? job.createdAt).toISOString(), link: { page: 'bulk', job: job.id }, progress: { done, total: job.total } });
    } else {
      items.push({ kind: 'bulk_finished_with_errors', severity: 'warning', ...of(job.tenantId), title: `Bulk job ${job.fileName} finished with ${job.counts.failed} failed ${job.counts.failed === 1 ? 'row' : 'rows'}`, detail: `${job.counts.succeeded} succeeded. Retry the failed rows or download the results.`, at: (job.finishedAt ?? job.createdAt).toISOString(), link: { page: 'bulk', job: job.id }, progress: { done, total: job.total } });
    }
  }
  for (const r of ranges) {
    items.push({ kind: 'range_running_out', severity: r.free === 0 ? 'error' : 'warning', ...of(r.tenantId), title: `Range ${r.name} is running out`, detail: `${r.free} of ${r.size} numbers free (${r.percentInUse} % in use).`, at: now.toISOString(), link: { page: 'ranges' } });
  }
  for (const c of connections) {
    const system = systemNames[c.system];
    const page = c.system === 'threecx' ? 'threecx' : 'connections';
    if (c.lastTestOk === false && c.lastTestAt) {
      items.push({ kind: 'connection_failing', severity: 'error', ...of(c.tenantId), title: `${system} connection: the last test failed`, detail: failedStep(c.lastTestResult) ?? 'Open the connection and test it again.', at: c.lastTestAt.toISOString(), link: { page } });
    }
    const notAfter = certificateNotAfter(c.settings);
    if (c.system === 'teams' && notAfter && notAfter.getTime() - now.getTime() <= days(EXPIRY_WARNING_DAYS)) {
      const expired = notAfter.getTime() <= now.getTime();
      items.push({ kind: 'certificate_expiring', severity: expired ? 'error' : 'warning', ...of(c.tenantId), title: expired ? 'Teams certificate has expired' : 'Teams certificate expires soon', detail: `The app's certificate is valid until ${notAfter.toISOString().slice(0, 10)}. Generate or upload a new one and add it to the app registration.`, at: notAfter.toISOString(), link: { page: 'connections' } });
    }
    const secretEnds = secretExpiresOn(c.settings);
    if (c.system === 'teams' && secretEnds && (c.settings as { authMethod?: string }).authMethod === 'secret' && secretEnds.getTime() - now.getTime() <= days(EXPIRY_WARNING_DAYS)) {
      const expired = secretEnds.getTime() <= now.getTime();
      items.push({ kind: 'secret_expiring', severity: expired ? 'error' : 'warning', ...of(c.tenantId), title: expired ? 'Teams client secret has expired' : 'Teams client secret expires soon', detail: `The app registration's client secret is valid until ${secretEnds.toISOString().slice(0, 10)}. Add a new secret in Entra ID and enter it under Connections (with its expiry date).`, at: secretEnds.toISOString(), link: { page: 'connections' } });
    }
  }
  for (const c of checks) {
    const system = systemNames[c.system];
    const fixable = c.fixableCount === c.driftCount ? 'each has a one-click fix' : `${c.fixableCount} with a one-click fix, ${c.driftCount - c.fixableCount} to look at`;
    items.push({
      kind: 'drift_found',
      severity: 'warning',
      ...of(c.tenantId),
      title: `${system} and the inventory disagree on ${c.driftCount} ${c.driftCount === 1 ? 'number' : 'numbers'}`,
      detail: `Found by the last comparison (${describeKinds(c.byKind)}); ${fixable}.`,
      at: c.checkedAt.toISOString(),
      link: { page: c.system === 'threecx' ? 'threecx' : 'reconcile' },
    });
  }
  for (const c of scheduled) {
    const what = `${scheduledNames[c.kind]}${c.subject ? ` for ${c.subject}` : ''}`;
    if (c.status === 'scheduled') {
      items.push({ kind: 'scheduled_upcoming', severity: 'info', ...of(c.tenantId), title: `Scheduled: ${what}`, detail: `Runs ${formatInZone(c.runAt, c.timeZone)}; it can be changed or cancelled until then.`, at: c.runAt.toISOString(), link: { page: 'scheduled' } });
    } else {
      items.push({ kind: 'scheduled_failed', severity: 'error', ...of(c.tenantId), title: `Scheduled ${what} failed`, detail: c.error ?? 'It did not run to the end.', at: (c.finishedAt ?? c.runAt).toISOString(), link: { page: 'scheduled' } });
    }
  }
  for (const job of lifecycle) {
    const what = job.kind === 'onboard' ? 'Onboarding' : 'Offboarding';
    items.push({ kind: 'lifecycle_failed', severity: 'error', ...of(job.tenantId), title: `${what} of ${job.userUpn} ${job.status === 'undo_failed' ? 'could not be undone' : 'stopped at a failed step'}`, detail: job.error ?? 'Open it to retry from the failed step or undo what was done.', at: (job.finishedAt ?? job.createdAt).toISOString(), link: { page: 'lifecycle' } });
  }
  const rank = { error: 0, warning: 1, info: 2 } as const;
  items.sort((a, b) => rank[a.severity] - rank[b.severity] || b.at.localeCompare(a.at));
  return { generatedAt: now.toISOString(), tenants: visible.length, items };
}

/** Pending changes, and failed ones of the last days that no later change of the same user has settled. */
async function voiceChangeItems(deps: AppDeps, tenantIds: string[], since: Date) {
  const settledLater: SQL = sql`exists (select 1 from ${voiceChanges} later where later.tenant_id = ${voiceChanges.tenantId} and later.user_id = ${voiceChanges.userId} and later.created_at > ${voiceChanges.createdAt} and later.status = 'succeeded')`;
  const pending = deps.db.select().from(voiceChanges).where(and(inArray(voiceChanges.tenantId, tenantIds), eq(voiceChanges.status, 'pending'))).orderBy(desc(voiceChanges.createdAt)).limit(PER_KIND);
  const failed = deps.db
    .select()
    .from(voiceChanges)
    .where(and(inArray(voiceChanges.tenantId, tenantIds), eq(voiceChanges.status, 'failed'), gte(voiceChanges.createdAt, since), sql`not ${settledLater}`))
    .orderBy(desc(voiceChanges.createdAt))
    .limit(PER_KIND);
  const [p, f] = await Promise.all([pending, failed]);
  return [...p, ...f];
}

async function bulkItems(deps: AppDeps, tenantIds: string[], since: Date) {
  const jobs = await deps.db
    .select()
    .from(bulkJobs)
    .where(and(inArray(bulkJobs.tenantId, tenantIds), sql`(${bulkJobs.status} in ('queued', 'running') or (${bulkJobs.status} = 'completed' and ${bulkJobs.finishedAt} >= ${since}))`))
    .orderBy(desc(bulkJobs.createdAt))
    .limit(PER_KIND * 2);
  if (jobs.length === 0) return [];
  const rows = await deps.db
    .select({ jobId: bulkJobRows.jobId, state: bulkJobRows.state, n: sql<number>`count(*)::int` })
    .from(bulkJobRows)
    .where(and(inArray(bulkJobRows.jobId, jobs.map((j) => j.id)), eq(bulkJobRows.verdict, 'ok')))
    .groupBy(bulkJobRows.jobId, bulkJobRows.state);
  return jobs
    .map((job) => {
      const counts = { pending: 0, running: 0, succeeded: 0, failed: 0, skipped: 0, cancelled: 0 };
      for (const r of rows) if (r.jobId === job.id) counts[r.state] = r.n;
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      return { ...job, counts, total };
    })
    .filter((job) => job.status !== 'completed' || job.counts.failed > 0)
    .slice(0, PER_KIND);
}

async function rangeItems(deps: AppDeps, tenantIds: string[]) {
  const rows = await deps.db
    .select({
      id: numberRanges.id,
      tenantId: numberRanges.tenantId,
      name: numberRanges.name,
      size: numberRanges.size,
      pattern: numberRanges.pattern,
      rows: sql<number>`count(${phoneNumbers.id})::int`,
      free: sql<number>`count(${phoneNumbers.id}) filter (where ${phoneNumbers.status} = 'available')::int`,
      inUse: sql<number>`count(${phoneNumbers.id}) filter (where ${phoneNumbers.status} in ('assigned', 'reserved'))::int`,
    })
    .from(numberRanges)
    .leftJoin(phoneNumbers, eq(phoneNumbers.rangeId, numberRanges.id))
    .where(inArray(numberRanges.tenantId, tenantIds))
    .groupBy(numberRanges.id);
  const { rangeLowFree } = await cachedSettings(deps.db);
  return rows
    .map(({ pattern, rows: created, ...r }) => ({ ...r, free: rangeCounts({ size: r.size, pattern }, { available: r.free, other: created - r.free }).available ?? 0, percentInUse: percentInUse(r.inUse, r.size) }))
    .filter((r) => isRunningOut(r, rangeLowFree))
    .sort((a, b) => a.free - b.free)
    .slice(0, PER_KIND);
}

function failedStep(result: unknown): string | undefined {
  const steps = (result as { steps?: Array<{ ok?: boolean; message?: string; name?: string }> } | null)?.steps;
  const failed = Array.isArray(steps) ? steps.find((s) => s.ok === false) : undefined;
  return failed?.message ?? undefined;
}

/** The end of the day the admin entered as the secret's expiry (Entra shows a date). */
function secretExpiresOn(settings: Record<string, unknown>): Date | undefined {
  const day = settings.clientSecretExpiresOn;
  if (typeof day !== 'string') return undefined;
  const date = new Date(`${day}T23:59:59Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function certificateNotAfter(settings: Record<string, unknown>): Date | undefined {
  const notAfter = (settings.certificate as { notAfter?: unknown } | undefined)?.notAfter;
  if (typeof notAfter !== 'string') return undefined;
  const date = new Date(notAfter);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const driftWords: Record<string, string> = {
  missing_in_inventory: 'not in the inventory',
  free_in_inventory: 'free in the inventory',
  different_assignee: 'a different assignee',
  unassigned_in_system: 'not assigned there',
  missing_in_system: 'missing there',
};

/** "3 not in the inventory, 1 a different assignee", most first. */
function describeKinds(byKind: Record<string, number>): string {
  return Object.entries(byKind)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${n} ${driftWords[kind] ?? kind}`)
    .join(', ');
}
