import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { operators } from './operators.ts';
import { tenants } from './tenants.ts';

export type LifecycleStepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'undone' | 'undo_failed';
/** One step of a joiner or leaver job: what it is, how far it got, and what it did (to show and to undo). */
export type LifecycleStep = {
  name: string;
  title: string;
  state: LifecycleStepState;
  message: string | null;
  /** What the step did, in the terms its undo needs (e.g. the voice change id, the licence added). */
  result: Record<string, unknown> | null;
  startedAt: string | null;
  finishedAt: string | null;
};

/**
 * A joiner (onboard) or leaver (offboard) job (#18): the whole voice life of one user as ordered
 * steps, run durably by the job queue, each step's state kept here so a worker that dies mid-way
 * is resumed by another without repeating or skipping a step.
 */
export const lifecycleJobs = pgTable(
  'lifecycle_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['onboard', 'offboard'] }).notNull(),
    userId: text('user_id').notNull(),
    userUpn: text('user_upn').notNull(),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed', 'undoing', 'undone', 'undo_failed'] }).notNull(),
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    steps: jsonb('steps').$type<LifecycleStep[]>().notNull().default(sql`'[]'::jsonb`),
    ticketId: text('ticket_id'),
    error: text('error'),
    /** The worker holding the job keeps this in the future; a job whose lease ran out belongs to a dead worker. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    operatorId: uuid('operator_id').references(() => operators.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('lifecycle_jobs_tenant_idx').on(t.tenantId, t.createdAt), index('lifecycle_jobs_user_idx').on(t.tenantId, t.userId)],
);

/**
 * A change set for a future time (#18): a voice change, an onboarding, an offboarding or the run
 * of a bulk job. A job polled every minute runs the due ones; each is claimed with
 * FOR UPDATE SKIP LOCKED, so with several nodes on one database exactly one runs it. It can be
 * edited or cancelled until it starts; at run time it is checked again like a change made then.
 */
export const scheduledChanges = pgTable(
  'scheduled_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['voice_change', 'onboard', 'offboard', 'bulk_run'] }).notNull(),
    /** What to do: the body the matching API call takes. */
    input: jsonb('input').$type<Record<string, unknown>>().notNull(),
    /** Who or what it is about, for the list (a UPN, a bulk file name). */
    subject: text('subject').notNull().default(''),
    runAt: timestamp('run_at', { withTimezone: true }).notNull(),
    /** The IANA time zone the time was chosen in, to show it as the operator meant it. */
    timeZone: text('time_zone').notNull().default('UTC'),
    status: text('status', { enum: ['scheduled', 'running', 'done', 'failed', 'cancelled'] }).notNull().default('scheduled'),
    /** What it started: the voice change, lifecycle job or bulk job id. */
    result: jsonb('result').$type<Record<string, unknown>>(),
    error: text('error'),
    ticketId: text('ticket_id'),
    operatorId: uuid('operator_id').references(() => operators.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('scheduled_changes_due_idx').on(t.runAt).where(sql`${t.status} = 'scheduled'`), index('scheduled_changes_tenant_idx').on(t.tenantId, t.runAt)],
);
