import { z } from 'zod';
import { roles } from '../../core/roles.ts';

export const roleSchema = z.enum(roles);
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
