import { index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.ts';

/**
 * A tenant's emergency locations as Teams keeps them (Location Information Service): each row is
 * one location (a place such as "Floor 3") with the civic address it belongs to, copied from
 * Teams. `locationId` is the id Graph's numberAssignment carries; an address's default location
 * has no place name. `source` and `refreshedAt` say how and when UCR last read the row: through
 * the PowerShell bridge, from a Teams admin center CSV export, or created from UCR.
 */
export const emergencyLocations = pgTable(
  'emergency_locations',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    locationId: text('location_id').notNull(),
    civicAddressId: text('civic_address_id').notNull().default(''),
    /** The place within the address (New-CsOnlineLisLocation -Location); empty for the address's default location. */
    place: text('place').notNull().default(''),
    companyName: text('company_name').notNull().default(''),
    description: text('description').notNull().default(''),
    houseNumber: text('house_number').notNull().default(''),
    streetName: text('street_name').notNull().default(''),
    city: text('city').notNull().default(''),
    stateOrProvince: text('state_or_province').notNull().default(''),
    postalCode: text('postal_code').notNull().default(''),
    countryOrRegion: text('country_or_region').notNull().default(''),
    source: text('source', { enum: ['powershell', 'csv', 'ucr'] }).notNull(),
    refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.locationId] }), index('emergency_locations_address_idx').on(t.tenantId, t.civicAddressId)],
);
