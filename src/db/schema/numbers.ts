import { numberKinds, numberStatuses } from '../../core/number-vocabulary.ts';
import { sql } from 'drizzle-orm';
import { check, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { sites, tenants } from './tenants.ts';


export const numberRanges = pgTable(
  'number_ranges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    startE164: text('start_e164').notNull(),
    endE164: text('end_e164').notNull(),
    size: integer('size').notNull(),
    /**
     * The range as a pattern (`+1555123xxxx`), when it was defined so: its numbers are created one
     * by one as the allocator hands them out, instead of all when the range is made. Null: a range
     * whose numbers were all created with it.
     */
    pattern: text('pattern'),
    /** Pattern ranges: how many of the pattern's numbers the allocator has created (or found taken) so far, in order. */
    patternNext: integer('pattern_next').notNull().default(0),
    kind: text('kind', { enum: numberKinds }).notNull(),
    carrier: text('carrier').notNull().default(''),
    siteId: uuid('site_id').references(() => sites.id, { onDelete: 'set null' }),
    /** The Teams emergency location (locationId) a number of this range gets when none is given; before the site's. */
    defaultLocationId: text('default_location_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('number_ranges_tenant_name_unique').on(t.tenantId, sql`lower(${t.name})`)],
);

/**
 * Every number the MSP holds. One row per number; the row carries its single assignee, so
 * a number cannot be assigned to two users, and a partial unique index keeps one user from
 * holding two primary numbers of the same tenant.
 */
export const phoneNumbers = pgTable(
  'phone_numbers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    e164: text('e164').notNull(),
    extension: text('extension').notNull().default(''),
    kind: text('kind', { enum: numberKinds }).notNull(),
    status: text('status', { enum: numberStatuses }).notNull().default('available'),
    rangeId: uuid('range_id').references(() => numberRanges.id, { onDelete: 'set null' }),
    siteId: uuid('site_id').references(() => sites.id, { onDelete: 'set null' }),
    carrier: text('carrier').notNull().default(''),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    notes: text('notes').notNull().default(''),
    /** What the number is called (a main line, "Reception", a fax): the number's own name, not its assignee's. */
    displayName: text('display_name').notNull().default(''),
    /** The country (ISO 3166-1 alpha-2) where the number is used, as Teams' usage location; '' when not said. */
    usageLocation: text('usage_location').notNull().default(''),
    /**
     * The number's country (ISO 3166-1 alpha-2), derived from the E.164 by number-store.ts when the row is
     * written ('' when libphonenumber names none, null until derived). Stored, though derivable, because
     * the country filter needs an index on it.
     */
    country: text('country'),
    assigneeType: text('assignee_type', { enum: ['teams_user', 'threecx_extension'] }),
    assigneeId: text('assignee_id'),
    assigneeUpn: text('assignee_upn'),
    assigneeName: text('assignee_name'),
    /**
     * The 3CX extension that also holds this number when it is the same person's as the Teams
     * user assignee (3CX integrated with Teams: one DID on both). Never a second Teams user, never
     * a second extension; written only by number-store.ts (docs/decisions/0006-number-on-teams-and-3cx.md).
     */
    linkedExtension: text('linked_extension'),
    linkedExtensionName: text('linked_extension_name'),
    reservedBy: uuid('reserved_by'),
    reservedUntil: timestamp('reserved_until', { withTimezone: true }),
    reservationReason: text('reservation_reason'),
    reservationTicket: text('reservation_ticket'),
    coolingUntil: timestamp('cooling_until', { withTimezone: true }),
    /** The number's Teams emergency location (Graph numberAssignment.locationId), as last set or read; null: none. */
    emergencyLocationId: text('emergency_location_id'),
    /** Lower-cased digits, assignee, tags and notes: what the search box matches (trigram index). */
    searchText: text('search_text').notNull().default(''),
    /** The CSV import that created the number (null: added another way), so a bad import can be undone. */
    importId: uuid('import_id'),
    statusChangedAt: timestamp('status_changed_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('phone_numbers_e164_ext_unique').on(t.e164, t.extension),
    uniqueIndex('phone_numbers_one_number_per_assignee')
      .on(t.tenantId, t.assigneeType, t.assigneeId)
      .where(sql`${t.status} = 'assigned'`),
    index('phone_numbers_tenant_e164_idx').on(t.tenantId, t.e164, t.id),
    index('phone_numbers_tenant_status_e164_idx').on(t.tenantId, t.status, t.e164, t.id),
    index('phone_numbers_tenant_updated_idx').on(t.tenantId, t.updatedAt, t.id),
    index('phone_numbers_tenant_assignee_idx').on(t.tenantId, t.status, sql`coalesce(${t.assigneeUpn}, '')`, t.e164, t.id),
    index('phone_numbers_tenant_country_idx').on(t.tenantId, t.country, t.e164, t.id),
    index('phone_numbers_tenant_usage_location_idx').on(t.tenantId, t.usageLocation, t.e164, t.id).where(sql`${t.usageLocation} <> ''`),
    index('phone_numbers_range_status_idx').on(t.rangeId, t.status, t.e164),
    index('phone_numbers_site_idx').on(t.siteId),
    index('phone_numbers_import_idx').on(t.importId).where(sql`${t.importId} is not null`),
    index('phone_numbers_cooling_idx').on(t.coolingUntil).where(sql`${t.status} = 'cooling'`),
    index('phone_numbers_reserved_idx').on(t.reservedUntil).where(sql`${t.status} = 'reserved'`),
    // Tenant first in both GIN indexes (btree_gin), so a tag or search within one tenant of a million numbers stays small.
    index('phone_numbers_tenant_tags_idx').using('gin', t.tenantId, t.tags),
    index('phone_numbers_tenant_search_idx').using('gin', t.tenantId, sql`${t.searchText} gin_trgm_ops`),
    // Global search (#19): a number read out without its country code is a suffix of its E.164;
    // reversed, the suffix becomes a prefix the btree answers (e164 is COLLATE "C", so is this).
    index('phone_numbers_e164_reversed_idx').on(sql`reverse(${t.e164})`),
    // Global search: a 3CX extension number across every tenant.
    index('phone_numbers_threecx_extension_idx').on(t.assigneeId).where(sql`${t.assigneeType} = 'threecx_extension'`),
    // One extension holds at most one number through a link.
    uniqueIndex('phone_numbers_one_linked_number_per_extension').on(t.tenantId, t.linkedExtension).where(sql`${t.linkedExtension} is not null`),
    check('phone_numbers_linked_extension_beside_teams_user', sql`${t.linkedExtension} is null or (${t.status} = 'assigned' and ${t.assigneeType} = 'teams_user')`),
    check('phone_numbers_assigned_has_assignee', sql`(${t.status} = 'assigned') = (${t.assigneeId} is not null)`),
    check('phone_numbers_reserved_has_expiry', sql`${t.status} <> 'reserved' or ${t.reservedUntil} is not null`),
    check('phone_numbers_cooling_has_end', sql`${t.status} <> 'cooling' or ${t.coolingUntil} is not null`),
    check('phone_numbers_e164_format', sql`${t.e164} ~ '^\\+[1-9][0-9]{6,14}$'`),
  ],
);

/** One row per tenant, range and day: the history behind the utilisation chart. */
export const numberStatsDaily = pgTable(
  'number_stats_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    /** Null row: the whole tenant. */
    rangeId: uuid('range_id'),
    status: text('status', { enum: numberStatuses }).notNull(),
    count: integer('count').notNull(),
  },
  (t) => [uniqueIndex('number_stats_daily_unique').on(t.day, t.tenantId, sql`coalesce(${t.rangeId}, '00000000-0000-0000-0000-000000000000'::uuid)`, t.status)],
);

/**
 * The outcome of the last comparison of a tenant's inventory with an external system (reconcile),
 * one row per tenant and system, so the Overview can say "Teams has 12 numbers the inventory
 * disagrees with, checked 02:30" without calling Teams. Written only by the reconcile engine.
 */
export const reconcileChecks = pgTable(
  'reconcile_checks',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    system: text('system', { enum: ['teams', 'threecx'] }).notNull(),
    checkedAt: timestamp('checked_at', { withTimezone: true }).notNull(),
    systemNumbers: integer('system_numbers').notNull(),
    inventoryNumbers: integer('inventory_numbers').notNull(),
    driftCount: integer('drift_count').notNull(),
    /** Of the drift, how many a one-click fix would settle. */
    fixableCount: integer('fixable_count').notNull(),
    /** Drift count per kind (missing_in_inventory, different_assignee …). */
    byKind: jsonb('by_kind').$type<Record<string, number>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.system] })],
);
