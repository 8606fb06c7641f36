import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { LifecycleStep } from './lifecycle.ts';
import { operators } from './operators.ts';
import { tenants } from './tenants.ts';

/**
 * Creating a resource account (#20) as one durable job of ordered steps (create the account,
 * wait until Graph shows it, usage location and licence, number, association), run by the job
 * queue with the same step model as joiners and leavers: each step's state is kept here so a
 * worker that dies mid-way is resumed without repeating a step.
 */
export const resourceAccountJobs = pgTable(
  'resource_account_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userPrincipalName: text('user_principal_name').notNull(),
    /** The account's Entra object id, once the first step has created it. */
    objectId: text('object_id'),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed'] }).notNull(),
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
  (t) => [index('resource_account_jobs_tenant_idx').on(t.tenantId, t.createdAt)],
);
