import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { operators } from './operators.ts';

/**
 * Server-side sessions. The cookie holds a random token; only its SHA-256 is stored,
 * so a database dump cannot be replayed as a login. The CSRF token is derived from the
 * cookie token (see csrfTokenFor), so it is not stored either.
 */
export const sessions = pgTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    operatorId: uuid('operator_id')
      .notNull()
      .references(() => operators.id, { onDelete: 'cascade' }),
    /** mfa: password checked, second factor outstanding. full: signed in. */
    stage: text('stage', { enum: ['mfa', 'full'] }).notNull(),
    /** How the person proved who they are: our password (+ TOTP), or Entra ID (which runs its own MFA). */
    authMethod: text('auth_method', { enum: ['password', 'entra'] }).notNull().default('password'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_operator_idx').on(t.operatorId), index('sessions_expires_idx').on(t.expiresAt)],
);
