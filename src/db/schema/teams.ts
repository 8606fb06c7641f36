import { sql } from 'drizzle-orm';
import { boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { TicketLogChoices } from './connectwise.ts';
import { operators } from './operators.ts';
import { tenants } from './tenants.ts';

/**
 * A tenant's connection to an external system. `settings` holds what may be shown (client id,
 * endpoints, certificate thumbprint); `secretEnc` holds the secrets as one secret-box value.
 */
export const tenantConnections = pgTable(
  'tenant_connections',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    system: text('system', { enum: ['teams', 'threecx', 'connectwise'] }).notNull(),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
    secretEnc: text('secret_enc'),
    lastTestAt: timestamp('last_test_at', { withTimezone: true }),
    lastTestOk: boolean('last_test_ok'),
    lastTestResult: jsonb('last_test_result'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.system] })],
);

export type TeamsUserNumbers = Array<{ telephoneNumber: string; assignmentCategory: string | null }>;
export type TeamsUserPolicies = Record<string, { name: string | null; policyId: string | null; assignmentType: string | null }>;

/** The user directory of a tenant as last read from Teams (D1): searchable without calling Graph. */
export const teamsUsers = pgTable(
  'teams_users',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    upn: text('upn').notNull(),
    displayName: text('display_name').notNull().default(''),
    accountEnabled: boolean('account_enabled').notNull().default(true),
    usageLocation: text('usage_location'),
    accountType: text('account_type'),
    phoneSystem: boolean('phone_system').notNull().default(false),
    enterpriseVoice: boolean('enterprise_voice').notNull().default(false),
    numbers: jsonb('numbers').$type<TeamsUserNumbers>().notNull().default(sql`'[]'::jsonb`),
    policies: jsonb('policies').$type<TeamsUserPolicies>().notNull().default(sql`'{}'::jsonb`),
    searchText: text('search_text').notNull().default(''),
    syncedAt: timestamp('synced_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId] }),
    index('teams_users_tenant_upn_idx').on(t.tenantId, t.upn),
    index('teams_users_search_idx').using('gin', t.tenantId, sql`${t.searchText} gin_trgm_ops`),
  ],
);

/** Policies known in a tenant (D3): seen on users, added by an admin, or read through PowerShell. */
export const teamsPolicies = pgTable(
  'teams_policies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    policyType: text('policy_type').notNull(),
    name: text('name').notNull(),
    policyId: text('policy_id'),
    source: text('source', { enum: ['seen', 'admin', 'powershell'] }).notNull(),
    description: text('description').notNull().default(''),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('teams_policies_unique').on(t.tenantId, t.policyType, sql`lower(${t.name})`)],
);

/** When a tenant's policy catalog was last read from Teams in full (through the PowerShell bridge). */
export const teamsPolicyRefreshes = pgTable('teams_policy_refreshes', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull(),
});

/**
 * When a tenant's user directory was last read from Teams in full, and when a background refresh
 * was last asked for: the claim on requested_at keeps several nodes from starting two at once.
 */
export const teamsDirectorySyncs = pgTable('teams_directory_syncs', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  syncedAt: timestamp('synced_at', { withTimezone: true }),
  requestedAt: timestamp('requested_at', { withTimezone: true }),
});

export type VoiceState = {
  /** locationId: the emergency location sent with the assignment (present only when one was). */
  number: { e164: string; numberId: string | null; numberType: string | null; locationId?: string | null } | null;
  policies: Record<string, string | null>;
};

/**
 * One change to a user's voice configuration, from request to the tenant's confirmation (D2, D7).
 * Recorded before Teams is called, so a crash or a slow order never loses track of it.
 */
export const voiceChanges = pgTable(
  'voice_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    userUpn: text('user_upn').notNull(),
    kind: text('kind', { enum: ['assign_number', 'remove_number', 'policies', 'revert'] }).notNull(),
    status: text('status', { enum: ['pending', 'succeeded', 'failed'] }).notNull(),
    before: jsonb('before').$type<VoiceState>().notNull(),
    requested: jsonb('requested').$type<VoiceState>().notNull(),
    /** The inventory numbers this change takes and gives back. */
    newNumberId: uuid('new_number_id'),
    oldNumberId: uuid('old_number_id'),
    /** The inventory state of the new number before we claimed it, to undo the claim on failure. */
    claimedFrom: jsonb('claimed_from'),
    operationUrl: text('operation_url'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    ticketId: text('ticket_id'),
    revertOf: uuid('revert_of'),
    /** The bulk-assignment row this change carries out, so a resumed run finds it instead of repeating it. */
    bulkRowId: uuid('bulk_row_id'),
    /** Logging the change on its ConnectWise ticket (F5): never blocks or undoes the change itself. */
    ticketLogStatus: text('ticket_log_status', { enum: ['none', 'queued', 'logged', 'retrying', 'failed'] }).notNull().default('none'),
    ticketLogError: text('ticket_log_error'),
    /** Steps already done on the ticket (note, status, time), so a retry does not repeat them. */
    ticketLogDone: jsonb('ticket_log_done').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /** The operator's choices for the ticket's time entry and status; empty: the defaults. */
    ticketChoices: jsonb('ticket_choices').$type<TicketLogChoices>().notNull().default(sql`'{}'::jsonb`),
    operatorId: uuid('operator_id').references(() => operators.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    index('voice_changes_tenant_user_idx').on(t.tenantId, t.userId, t.createdAt),
    uniqueIndex('voice_changes_bulk_row_unique').on(t.bulkRowId),
    index('voice_changes_pending_idx').on(t.status).where(sql`${t.status} = 'pending'`),
    // The tenant-wide list (issue #17 item 4): newest first with its keyset, and its operator and ticket filters.
    index('voice_changes_tenant_created_idx').on(t.tenantId, t.createdAt, t.id),
    index('voice_changes_tenant_operator_idx').on(t.tenantId, t.operatorId, t.createdAt),
    index('voice_changes_tenant_ticket_idx').on(t.tenantId, t.ticketId),
  ],
);

/** Saved configuration templates (D4): where the number comes from and which policies to set. */
export const voiceProfiles = pgTable(
  'voice_profiles',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    numberSource: jsonb('number_source').$type<{ rangeId: string } | { siteId: string } | { tag: string } | null>(),
    policies: jsonb('policies').$type<Record<string, string | null>>().notNull().default(sql`'{}'::jsonb`),
    /** Licences (Graph SKU ids) onboarding assigns when the user lacks Teams Phone (or a Calling Plan for a Calling Plan number). */
    licenceSkuIds: text('licence_sku_ids').array().notNull().default(sql`'{}'::text[]`),
    /** ISO 3166 country onboarding sets when the user has no usage location; null: none. */
    usageLocation: text('usage_location'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('voice_profiles_unique').on(t.tenantId, sql`lower(${t.name})`)],
);
