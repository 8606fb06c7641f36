import { sql } from 'drizzle-orm';
import { boolean, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * A customer tenant. Feature flags and cooling days are nullable: null means "use the
 * global default an admin set", so changing a default reaches every tenant that never
 * overrode it.
 */
export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    microsoftTenantId: uuid('microsoft_tenant_id').unique(),
    primaryDomain: text('primary_domain'),
    /** ISO 3166 country used to read numbers written without +country code. */
    defaultCountry: text('default_country'),
    /** IANA time zone the tenant's times are chosen and shown in (scheduled changes); null: the server's. */
    timeZone: text('time_zone'),
    connectwiseCompanyId: text('connectwise_company_id'),
    notes: text('notes').notNull().default(''),
    status: text('status', { enum: ['active', 'archived'] }).notNull().default('active'),
    isDemo: boolean('is_demo').notNull().default(false),
    teamsEnabled: boolean('teams_enabled'),
    threecxEnabled: boolean('threecx_enabled'),
    connectwiseEnabled: boolean('connectwise_enabled'),
    manualNumberEntry: boolean('manual_number_entry'),
    coolingDays: integer('cooling_days'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('tenants_name_unique').on(sql`lower(${t.name})`)],
);

export const sites = pgTable(
  'sites',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    address: text('address').notNull().default(''),
    /** The Teams emergency location (locationId) a number at this site gets when neither it nor its range names one. */
    defaultLocationId: text('default_location_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sites_tenant_name_unique').on(t.tenantId, sql`lower(${t.name})`)],
);

/** Per-operator preferences, such as the visible columns of the numbers table. */
export const operatorPreferences = pgTable(
  'operator_preferences',
  {
    operatorId: uuid('operator_id').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('operator_preferences_pk').on(t.operatorId, t.key)],
);
