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
