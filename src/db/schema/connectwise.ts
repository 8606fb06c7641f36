import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { operators } from './operators.ts';
import { tenants } from './tenants.ts';

/**
 * What the operator chose for logging a change on its ticket (issue #17 item 1). A field left out
 * takes the default: minutes from the tenant (else the time the change took), the tenant's status,
 * work role and type, and the operator's mapped member. `statusId: null` leaves the status as is.
 */
export type TicketLogChoices = {
  minutes?: number | undefined;
  statusId?: number | null | undefined;
  workRoleId?: number | null | undefined;
  workTypeId?: number | null | undefined;
  member?: string | undefined;
};

/**
 * Ticket logging of work that has no change row of its own (3CX changes, number lifecycle
 * actions): the note to write, the choices, and how far the durable job got. Teams voice
 * changes keep this state on their voice_changes row; the one logger serves both.
 */
export const ticketLogs = pgTable(
  'ticket_logs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    ticketId: text('ticket_id').notNull(),
    system: text('system', { enum: ['threecx', 'numbers'] }).notNull(),
    /** What the work was done on (an extension, a trunk, a number), shown with the log. */
    subject: text('subject').notNull(),
    note: text('note').notNull(),
    choices: jsonb('choices').$type<TicketLogChoices>().notNull().default(sql`'{}'::jsonb`),
    status: text('status', { enum: ['queued', 'logged', 'retrying', 'failed'] }).notNull().default('queued'),
    error: text('error'),
    /** Steps already done on the ticket (note, status, time), so a retry does not repeat them. */
    done: jsonb('done').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    operatorId: uuid('operator_id').references(() => operators.id, { onDelete: 'set null' }),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('ticket_logs_tenant_idx').on(t.tenantId, t.createdAt)],
);
