import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { numberStatuses } from '../../core/number-vocabulary.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import { csvFileName, csvStream } from '../kernel/csv.ts';
import type { Actor, AppDeps } from '../kernel/deps.ts';
import { actorOf, requestInfo } from '../kernel/request-info.ts';
import { loadTenant } from '../tenants/tenants.ts';
import { licensedWithoutNumberReport, rangesRunningOutReport, teamsDriftReport, utilisationReport } from './reports.ts';
import { licensedWithoutNumberReportSchema, rangesRunningOutReportSchema, reportQuerySchema, teamsDriftReportSchema, utilisationReportSchema, type RangeUseDto, type ReportName } from './schemas.ts';

type Cell = string | number | boolean | null;
type Report<S extends z.ZodType> = {
  name: ReportName;
  summary: string;
  schema: S;
  /** `all`: every row, for the CSV; the page shows the first ones. */
  build: (deps: AppDeps, actor: Actor, tenantId: string | undefined, all: boolean) => Promise<z.infer<S>>;
  csv: (report: z.infer<S>) => Cell[][];
};

const rangeHeader = ['tenant', 'range', 'first_number', 'last_number', 'size', ...numberStatuses, 'in_use', 'percent_in_use'];
const rangeCells = (r: RangeUseDto): Cell[] => [r.tenantName, r.name, r.startE164, r.endE164, r.size, ...numberStatuses.map((s) => r.counts[s]), r.inUse, r.percentInUse];

const utilisation: Report<typeof utilisationReportSchema> = {
  name: 'utilisation',
  summary: 'Numbers by status per tenant and per range, counted now (in use = assigned + reserved)',
  schema: utilisationReportSchema,
  build: (deps, actor, tenantId) => utilisationReport(deps, actor, tenantId),
  // One sheet: the tenant rows (level "tenant", no range) then the range rows.
  csv: (r) => [
    ['level', ...rangeHeader],
    ...r.tenants.map((t): Cell[] => ['tenant', t.tenantName, '', '', '', t.total, ...numberStatuses.map((s) => t.counts[s]), t.inUse, t.percentInUse]),
    ...r.ranges.map((x): Cell[] => ['range', ...rangeCells(x)]),
  ],
};

const rangesRunningOut: Report<typeof rangesRunningOutReportSchema> = {
  name: 'ranges-running-out',
  summary: 'Ranges at 90 % or more in use, or with fewer free numbers than the "range running out" setting',
  schema: rangesRunningOutReportSchema,
  build: (deps, actor, tenantId) => rangesRunningOutReport(deps, actor, tenantId),
  csv: (r) => [[...rangeHeader, 'free'], ...r.ranges.map((x) => [...rangeCells(x), x.free])],
};

const licensedWithoutNumber: Report<typeof licensedWithoutNumberReportSchema> = {
  name: 'licensed-without-number',
  summary: "Users with a Teams Phone licence and no phone number, from each tenant's stored Teams directory (as of its last sync)",
  schema: licensedWithoutNumberReportSchema,
  build: (deps, actor, tenantId, all) => licensedWithoutNumberReport(deps, actor, tenantId, { all }),
  csv: (r) => [['tenant', 'upn', 'display_name', 'account_enabled', 'usage_location', 'enterprise_voice', 'directory_synced_at'], ...r.users.map((u) => [u.tenantName, u.upn, u.displayName, u.accountEnabled, u.usageLocation, u.enterpriseVoice, u.syncedAt])],
};

const teamsDrift: Report<typeof teamsDriftReportSchema> = {
  name: 'teams-drift',
  summary: "Numbers assigned to a Teams user in UCR Manager that no user holds in the tenant's stored Teams directory, counted per tenant (computed now from the directory's last sync), with what the last comparison with Teams found",
  schema: teamsDriftReportSchema,
  build: (deps, actor, tenantId, all) => teamsDriftReport(deps, actor, tenantId, { all }),
  csv: (r) => [['tenant', 'number', 'assignee_upn', 'assignee_id', 'teams_directory_says', 'directory_synced_at'], ...r.numbers.map((n) => [n.tenantName, n.e164, n.assigneeUpn, n.assigneeId, n.teamsSays, r.tenants.find((t) => t.tenantId === n.tenantId)?.directorySyncedAt ?? ''])],
};

export function reportRoutes(app: FastifyInstance, deps: AppDeps): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['reports'];
  const register = <S extends z.ZodType>(report: Report<S>) => {
    // Plain `app.get`: the zod compilers still validate the query and check the response, but the
    // type provider cannot follow a generic schema into the handler's types.
    app.get<{ Querystring: z.infer<typeof reportQuerySchema> }>(
      `/api/reports/${report.name}`,
      { config: { access: 'viewer' }, schema: { tags, summary: `${report.summary}. Across your tenants, or the one in tenantId`, querystring: reportQuerySchema, response: { 200: report.schema } } },
      async (request) => report.build(deps, actorOf(request), request.query.tenantId, false),
    );
    r.get(
      `/api/reports/${report.name}/export`,
      { config: { access: 'viewer' }, schema: { tags, summary: `The same report as CSV, every row (spreadsheet-safe)`, querystring: reportQuerySchema, produces: ['text/csv'] } },
      async (request, reply) => {
        const actor = actorOf(request);
        const { tenantId } = request.query;
        const data = await report.build(deps, actor, tenantId, true);
        const tenantName = tenantId ? (await loadTenant(deps.db, actor, tenantId)).name : undefined;
        await recordAudit(deps.db, { action: 'report.exported', actor, tenantId: tenantId ?? null, targetType: 'report', targetId: report.name, after: { tenantId: tenantId ?? null }, request: requestInfo(request) });
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${csvFileName(report.name, tenantName, deps.now())}"`)
          .send(csvStream(report.csv(data)));
      },
    );
  };
  register(utilisation);
  register(rangesRunningOut);
  register(licensedWithoutNumber);
  register(teamsDrift);
}
