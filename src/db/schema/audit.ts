import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { operators } from './operators.ts';

/**
 * One row per mutation or security event, written in the same transaction as the change.
 * Designed for every later area too: tenant, target, before/after and ticket reference.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    operatorId: uuid('operator_id').references(() => operators.id, { onDelete: 'set null' }),
    /** Who acted, as text, so the record survives renames: an email, "system" or "api-token:<name>". */
    actor: text('actor').notNull(),
    tenantId: uuid('tenant_id'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    result: text('result', { enum: ['success', 'failure'] }).notNull(),
    error: text('error'),
    requestId: text('request_id'),
    ticketId: text('ticket_id'),
    ip: text('ip'),
  },
  (t) => [
    index('audit_occurred_idx').on(t.occurredAt),
    // A tenant's page, newest first: the page reads its ids from this index alone (an index-only
    // scan; the action as the last column lets the action filter be checked there too), then
    // fetches those rows. Replaced (tenant, occurred_at), which no query ordered by (#16).
    index('audit_tenant_page_idx').on(t.tenantId, t.id, t.action),
    index('audit_target_idx').on(t.targetType, t.targetId),
    index('audit_action_idx').on(t.action),
    index('audit_ticket_idx').on(t.ticketId),
  ],
);
