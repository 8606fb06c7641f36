import type { BulkRowInput } from '../../core/bulk-row.ts';
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { operators } from './operators.ts';
import { tenants } from './tenants.ts';

/** A bulk assignment (D5): a CSV, its dry-run verdicts, then a durable run row by row. */
export const bulkJobs = pgTable(
  'bulk_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    operatorId: uuid('operator_id').references(() => operators.id, { onDelete: 'set null' }),
    fileName: text('file_name').notNull().default(''),
    /** Where the rows came from: a CSV file, or users ticked in the Teams user list (these run only when every row passes). */
    source: text('source', { enum: ['csv', 'selection'] }).notNull().default('csv'),
    status: text('status', { enum: ['draft', 'queued', 'running', 'completed', 'cancelled'] }).notNull().default('draft'),
    cancelRequested: boolean('cancel_requested').notNull().default(false),
    ticketId: text('ticket_id'),
    total: integer('total').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Teams asked this tenant to wait (429 + Retry-After) until then; the job resumes by itself. */
    throttledUntil: timestamp('throttled_until', { withTimezone: true }),
  },
  (t) => [index('bulk_jobs_tenant_idx').on(t.tenantId, t.createdAt)],
);

export const bulkJobRows = pgTable(
  'bulk_job_rows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => bulkJobs.id, { onDelete: 'cascade' }),
    rowNumber: integer('row_number').notNull(),
    input: jsonb('input').$type<BulkRowInput>().notNull(),
    /** Dry-run verdict: ok rows run; error rows are skipped with the reason. */
    verdict: text('verdict', { enum: ['ok', 'error'] }).notNull(),
    verdictMessage: text('verdict_message'),
    userId: text('user_id'),
    state: text('state', { enum: ['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    voiceChangeId: uuid('voice_change_id'),
    numberE164: text('number_e164'),
    resultMessage: text('result_message'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('bulk_job_rows_unique').on(t.jobId, t.rowNumber), index('bulk_job_rows_pending_idx').on(t.jobId, t.state, t.rowNumber).where(sql`${t.state} in ('pending', 'running')`)],
);
