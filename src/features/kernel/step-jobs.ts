/**
 * The durable step model of the job tables (a job row with ordered `steps`, a `status` and a
 * worker `lease_until`), for jobs that are not joiners or leavers: the lease that hands a dead
 * worker's job to another, saving a step's state before and after it acts, and running the steps
 * in order so a resumed job skips what is done and finds the step in flight. The same model as
 * lifecycle/lifecycle-jobs.ts (which keeps its own copy with undo); new step jobs use this one.
 */
import { sql } from 'drizzle-orm';
import { AppError } from '../../core/errors.ts';
import { queryRows, type Db } from '../../db/connection.ts';
import type { LifecycleStep } from '../../db/schema/index.ts';
import type { AppDeps } from './deps.ts';

export type JobStep = LifecycleStep;
export type StepOutcome = { state: 'succeeded' | 'skipped'; message: string; result?: Record<string, unknown> };

/** A table whose rows are step jobs: id uuid, status text, steps jsonb, lease_until, started_at, finished_at, error. */
export type StepJobTable = 'resource_account_jobs';

const LEASE_MS = 15_000;
const HEARTBEAT_MS = 5_000;

/** Another worker holds the job: the queue delivers it again later, when that one is done or dead. */
export class JobLeaseHeld extends Error {}

export const newSteps = (list: ReadonlyArray<readonly [string, string]>): JobStep[] => list.map(([name, title]) => ({ name, title, state: 'pending', message: null, result: null, startedAt: null, finishedAt: null }));

/**
 * Takes the job's lease (a job whose lease ran out belonged to a dead worker), keeps it while
 * `work` runs and lets it go after. Does nothing for a finished job; throws JobLeaseHeld while
 * another live worker has it.
 */
export async function withJobLease(deps: AppDeps, table: StepJobTable, jobId: string, work: () => Promise<void>): Promise<void> {
  const name = sql.identifier(table);
  const claimed = await queryRows<{ id: string }>(
    deps.db,
    sql`update ${name} set lease_until = now() + ${`${LEASE_MS} milliseconds`}::interval,
               status = case when status = 'queued' then 'running' else status end,
               started_at = coalesce(started_at, ${deps.now().toISOString()}::timestamptz)
         where id = ${jobId}::uuid and status in ('queued', 'running') and (lease_until is null or lease_until < now())
         returning id`,
  );
  if (!claimed[0]) {
    const [job] = await queryRows<{ status: string }>(deps.db, sql`select status from ${name} where id = ${jobId}::uuid`);
    if (job && (job.status === 'queued' || job.status === 'running')) throw new JobLeaseHeld(`${table} ${jobId} is held by another worker`);
    return;
  }
  const heartbeat = setInterval(() => {
    deps.db.execute(sql`update ${name} set lease_until = now() + ${`${LEASE_MS} milliseconds`}::interval where id = ${jobId}::uuid`).catch(() => undefined);
  }, HEARTBEAT_MS);
  try {
    await work();
  } finally {
    clearInterval(heartbeat);
    await deps.db.execute(sql`update ${name} set lease_until = null where id = ${jobId}::uuid`);
  }
}

/** What the runner needs from a job kind: how to run one step and how to audit a step's outcome. */
export type StepJobContext = {
  deps: AppDeps;
  table: StepJobTable;
  jobId: string;
  steps: JobStep[];
  runStep(step: JobStep, index: number): Promise<StepOutcome>;
  /** Writes the audit event of a step that finished (or failed), in the step's transaction. */
  auditStep(tx: Db, before: JobStep, after: JobStep, outcome: { result: 'success' | 'failure'; error?: string }): Promise<void>;
  /** Marks the job done or failed and audits it. */
  finish(status: 'succeeded' | 'failed', error: string | null): Promise<void>;
};

/** Saves a step's state on the job row (locked), auditing it when `audit` is given; keeps ctx.steps current. */
export async function saveJobStep(ctx: StepJobContext, index: number, patch: Partial<JobStep>, audit?: { result: 'success' | 'failure'; error?: string }): Promise<JobStep> {
  const name = sql.identifier(ctx.table);
  return ctx.deps.db.transaction(async (tx) => {
    const [row] = await queryRows<{ steps: JobStep[] }>(tx, sql`select steps from ${name} where id = ${ctx.jobId}::uuid for update`);
    const steps = [...row!.steps];
    const before = steps[index]!;
    steps[index] = { ...before, ...patch };
    await tx.execute(sql`update ${name} set steps = ${JSON.stringify(steps)}::jsonb where id = ${ctx.jobId}::uuid`);
    if (audit) await ctx.auditStep(tx, before, steps[index]!, audit);
    ctx.steps = steps;
    return steps[index]!;
  });
}

/** Records what a step is about to do, so a resumed step finds it. */
export async function noteJobStep(ctx: StepJobContext, index: number, result: Record<string, unknown>): Promise<void> {
  await saveJobStep(ctx, index, { result: { ...(ctx.steps[index]!.result ?? {}), ...result } });
}

/**
 * Runs the steps in order. A step done or skipped is passed over; a step found `running` was in
 * flight when a worker died and is run again from what it noted. The first failure ends the job.
 */
export async function runJobSteps(ctx: StepJobContext): Promise<void> {
  for (let index = 0; index < ctx.steps.length; index += 1) {
    const step = ctx.steps[index]!;
    if (step.state === 'succeeded' || step.state === 'skipped') continue;
    const current = step.state === 'running' ? step : await saveJobStep(ctx, index, { state: 'running', startedAt: ctx.deps.now().toISOString(), message: null });
    let outcome: StepOutcome;
    try {
      outcome = await ctx.runStep(current, index);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!(error instanceof AppError)) ctx.deps.log.error({ err: error, jobId: ctx.jobId, step: step.name }, `${ctx.table} step failed unexpectedly`);
      await saveJobStep(ctx, index, { state: 'failed', message, finishedAt: ctx.deps.now().toISOString() }, { result: 'failure', error: message });
      await ctx.finish('failed', `Step "${step.title}" failed: ${message}`);
      return;
    }
    await saveJobStep(ctx, index, { state: outcome.state, message: outcome.message, result: { ...(ctx.steps[index]!.result ?? {}), ...(outcome.result ?? {}) }, finishedAt: ctx.deps.now().toISOString() }, { result: 'success' });
  }
  await ctx.finish('succeeded', null);
}
