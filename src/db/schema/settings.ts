import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Global settings an admin changes at run time (environment covers the rest). */
export const appSettings = pgTable('app_settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  /** A setting's secret (the Entra sign-in client secret), secret-box encrypted; never in `value`, so key rotation finds it. */
  secretEnc: text('secret_enc'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
