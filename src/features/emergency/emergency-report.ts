import { Readable } from 'node:stream';
import { and, asc, eq } from 'drizzle-orm';
import { numberRanges, phoneNumbers, sites } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { dryRunBulk, startBulkJob } from '../bulk/bulk-assignment.ts';
import { locationLabel, tenantLocations } from '../numbers/emergency-defaults.ts';
import { recordTeamsLocations } from '../numbers/number-store.ts';
import { teamsApiFor } from '../teams/connection.ts';
import { loadActiveTenant, loadTenant } from '../tenants/tenants.ts';

export type EmergencyIssue = {
  numberId: string;
  e164: string;
  assignee: string | null;
  problem: 'missing' | 'differs';
  locationId: string | null;
  locationLabel: string | null;
  defaultLocationId: string | null;
  defaultFrom: 'range' | 'site' | null;
  defaultLabel: string | null;
  /** A default applies, so the one-click fix can set it. */
  fixable: boolean;
};

/**
 * Per tenant: numbers assigned to Teams users without an emergency location, and numbers whose
 * location differs from the default of their range (then site). Read from the inventory; `read`
 * first brings each number's locationId over from Teams (numberAssignments).
 */
export async function emergencyReport(deps: AppDeps, actor: Actor, tenantId: string) {
  await loadTenant(deps.db, actor, tenantId);
  const [numbers, ranges, siteRows, locations] = await Promise.all([
    deps.db
      .select()
      .from(phoneNumbers)
      .where(and(eq(phoneNumbers.tenantId, tenantId), eq(phoneNumbers.status, 'assigned'), eq(phoneNumbers.assigneeType, 'teams_user')))
      .orderBy(asc(phoneNumbers.e164)),
    deps.db.select().from(numberRanges).where(eq(numberRanges.tenantId, tenantId)),
    deps.db.select().from(sites).where(eq(sites.tenantId, tenantId)),
    tenantLocations(deps.db, tenantId),
  ]);
  const rangeById = new Map(ranges.map((r) => [r.id, r]));
  const siteById = new Map(siteRows.map((s) => [s.id, s]));
  const label = (id: string | null) => {
    if (!id) return null;
    const found = locations.find((l) => l.locationId === id);
    return found ? locationLabel(found) : `Unknown location ${id}`;
  };
  const issues: EmergencyIssue[] = [];
  for (const n of numbers) {
    const range = n.rangeId ? rangeById.get(n.rangeId) : undefined;
    const siteId = n.siteId ?? range?.siteId ?? null;
    const site = siteId ? siteById.get(siteId) : undefined;
    const fallback = range?.defaultLocationId ? { id: range.defaultLocationId, from: 'range' as const } : site?.defaultLocationId ? { id: site.defaultLocationId, from: 'site' as const } : null;
    const problem = !n.emergencyLocationId ? 'missing' : fallback && fallback.id !== n.emergencyLocationId ? 'differs' : null;
    if (!problem) continue;
    issues.push({
      numberId: n.id,
      e164: n.e164,
      assignee: n.assigneeUpn ?? n.assigneeName ?? n.assigneeId,
      problem,
      locationId: n.emergencyLocationId,
      locationLabel: label(n.emergencyLocationId),
      defaultLocationId: fallback?.id ?? null,
      defaultFrom: fallback?.from ?? null,
      defaultLabel: label(fallback?.id ?? null),
      fixable: Boolean(fallback),
    });
  }
  return {
    assignedNumbers: numbers.length,
    missing: issues.filter((i) => i.problem === 'missing').length,
    differs: issues.filter((i) => i.problem === 'differs').length,
    fixable: issues.filter((i) => i.fixable).length,
    issues,
  };
}

/** Reads every number's locationId from Teams into the inventory (audited per number), then reports. */
export async function readNumberLocationsFromTeams(deps: AppDeps, actor: Actor, tenantId: string, info: RequestInfo) {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const assignments = await (await teamsApiFor(deps, tenant)).listNumberAssignments();
  const byE164 = new Map(assignments.map((a) => [a.telephoneNumber.startsWith('+') ? a.telephoneNumber : `+${a.telephoneNumber}`, a.locationId || null]));
  const changed = await deps.db.transaction((tx) => recordTeamsLocations(tx, tenantId, byE164, actor, info));
  return { changed, ...(await emergencyReport(deps, actor, tenantId)) };
}

/**
 * The one-click fix: every fixable number (or those named) gets its default location, as a bulk
 * job (PhoneNumber + LocationId rows) that is dry-run and started at once; the bulk page follows it.
 */
export async function fixEmergencyLocations(deps: AppDeps, actor: Actor, tenantId: string, info: RequestInfo, options: { numbers?: string[] | undefined; ticketId?: string | null | undefined } = {}) {
  await loadActiveTenant(deps.db, actor, tenantId);
  const report = await emergencyReport(deps, actor, tenantId);
  const wanted = options.numbers ? new Set(options.numbers) : undefined;
  const rows = report.issues.filter((i) => i.fixable && (!wanted || wanted.has(i.e164)));
  if (rows.length === 0) return { job: null, rows: 0 };
  // E.164 numbers and Teams ids (GUIDs): nothing to quote.
  const csv = ['PhoneNumber,LocationId', ...rows.map((r) => `${r.e164},${r.defaultLocationId!}`)].join('\r\n');
  const draft = await dryRunBulk(deps, actor, tenantId, Readable.from([csv]), info, { fileName: 'emergency-locations-fix.csv', ticketId: options.ticketId });
  await recordAudit(deps.db, { action: 'emergency.fix_started', actor, tenantId, targetType: 'bulk_job', targetId: draft.id, after: { numbers: rows.length }, ticketId: options.ticketId ?? null, request: info });
  const job = draft.counts.pending > 0 ? await startBulkJob(deps, actor, tenantId, draft.id, info) : draft;
  return { job, rows: rows.length };
}
