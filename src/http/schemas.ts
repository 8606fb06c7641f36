import { z } from 'zod';
import { roles } from '../core/roles.ts';

export const idParam = z.object({ id: z.string().uuid('must be an id (UUID)') });
export const roleSchema = z.enum(roles);
export const emailSchema = z.string().trim().toLowerCase().email('must be an email address').max(254);
export const okSchema = z.object({ ok: z.literal(true) });

export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional(), requestId: z.string() }),
});

export const operatorSchema = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: roleSchema,
  status: z.enum(['active', 'pending', 'disabled']),
  mfaEnrolled: z.boolean(),
  mustChangePassword: z.boolean(),
  allTenants: z.boolean(),
  tenantIds: z.array(z.string()),
  lockedUntil: z.string().nullable(),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
  connectwiseMember: z.string().nullable(),
  signInMethods: z.array(z.enum(['password', 'entra'])),
});
export type OperatorDto = z.infer<typeof operatorSchema>;

export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  access: z.enum(['read', 'read-write']),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type ApiTokenDto = z.infer<typeof apiTokenSchema>;

export const sessionStateSchema = z.object({
  signedIn: z.boolean(),
  stage: z.enum(['mfa', 'full']).optional(),
  csrfToken: z.string().optional(),
  obligation: z.enum(['password_change_required', 'mfa_enrolment_required']).nullable().optional(),
  operator: operatorSchema.optional(),
});
export type SessionStateDto = z.infer<typeof sessionStateSchema>;

/**
 * A date or date-time in ISO 8601 form (2025-01-31, 2025-01-31T08:00, 2025-01-31T08:00:00Z).
 * Stricter than z.coerce.date(): JavaScript's Date also reads "' OR '1'='1" as the year 2001.
 * Bounded to years PostgreSQL stores and people mean.
 */
export const isoDateParam = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be a date like 2025-01-31 or 2025-01-31T08:00:00Z')
  .transform((text) => new Date(text))
  .refine((d) => !Number.isNaN(d.getTime()), 'is not a real date')
  .refine((d) => d.getUTCFullYear() >= 1970 && d.getUTCFullYear() <= 9999, 'must be between the years 1970 and 9999');

export const auditEventSchema = z.object({
  id: z.number(),
  occurredAt: z.string(),
  actor: z.string(),
  operatorId: z.string().nullable(),
  tenantId: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  result: z.enum(['success', 'failure']),
  error: z.string().nullable(),
  requestId: z.string().nullable(),
  ticketId: z.string().nullable(),
  ip: z.string().nullable(),
});
export type AuditEventDto = z.infer<typeof auditEventSchema>;

export const settingsSchemaDto = z.object({
  mfaRequired: z.boolean(),
  lockoutThreshold: z.number().int().min(3).max(50),
  lockoutMinutes: z.number().int().min(1).max(1440),
  teamsEnabled: z.boolean(),
  threecxEnabled: z.boolean(),
  connectwiseEnabled: z.boolean(),
  manualNumberEntry: z.boolean(),
  coolingDays: z.number().int().min(0).max(365),
  auditRetentionDays: z.number().int().min(30, 'must be at least 30 days').max(3650, 'must be at most 3650 days (10 years)').nullable(),
});
export type SettingsDto = z.infer<typeof settingsSchemaDto>;
