import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const operators = pgTable(
  'operators',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull().unique(),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: ['viewer', 'operator', 'admin'] }).notNull(),
    /** pending: signed in with Entra ID and waits for an admin; disabled: may not sign in. */
    status: text('status', { enum: ['active', 'pending', 'disabled'] }).notNull().default('active'),
    /** Null for operators who only sign in with Entra ID. */
    passwordHash: text('password_hash'),
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }),
    /** TOTP secret, encrypted with the secret box; set once enrolment is confirmed. */
    totpSecretEnc: text('totp_secret_enc'),
    /** Secret offered during enrolment, until the operator proves it with a code. */
    pendingTotpSecretEnc: text('pending_totp_secret_enc'),
    totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
    /** Last accepted TOTP time step: a code is never accepted twice. */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    failedLoginCount: integer('failed_login_count').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    /** Scope: all tenants, or only the tenant ids listed. */
    allTenants: boolean('all_tenants').notNull().default(false),
    tenantIds: jsonb('tenant_ids').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    entraObjectId: text('entra_object_id').unique(),
    /** The operator's ConnectWise member identifier, for notes and time entries (F4). */
    connectwiseMember: text('connectwise_member'),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('operators_email_lower', sql`${t.email} = lower(${t.email})`)],
);

export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    operatorId: uuid('operator_id')
      .notNull()
      .references(() => operators.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('recovery_codes_operator_idx').on(t.operatorId)],
);
