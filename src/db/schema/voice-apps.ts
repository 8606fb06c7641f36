import { jsonb, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.ts';

/**
 * A tenant's resource accounts, auto attendants and call queues as last read from Teams (Graph
 * plus the optional PowerShell bridge), kept whole: the Voice apps page and its export read this
 * instead of starting pwsh on every visit. In the database, so every node of an installation
 * shows the same read. Written only by features/voice-apps/voice-apps.ts.
 */
export const voiceAppSnapshots = pgTable('voice_app_snapshots', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  /** The read, in the shape the API answers (features/voice-apps/schemas.ts voiceAppsReadSchema). */
  snapshot: jsonb('snapshot').$type<Record<string, unknown>>().notNull(),
  refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull(),
});
