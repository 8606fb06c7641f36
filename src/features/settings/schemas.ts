import { z } from 'zod';

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
  rangeLowFree: z.number().int().min(0).max(100_000, 'must be at most 100000'),
  usersStaleMinutes: z.number({ error: 'must be a number of minutes' }).int('must be whole minutes').min(1, 'must be at least 1 minute').max(1440, 'must be at most 1440 minutes (a day)'),
});
export type SettingsDto = z.infer<typeof settingsSchemaDto>;

const optionalText = (max: number) => z.string().max(max).nullable().optional();

/** Checked field by field in the service, so each bad value is named in words (nothing is saved then). */
export const entraSignInInput = z.object({
  tenant: optionalText(300),
  clientId: optionalText(200),
  clientSecret: z.string().max(1000).optional(),
  authMethod: z.enum(['secret', 'certificate']).optional(),
  authority: optionalText(500),
  redirectUri: optionalText(1000),
});

export const entraSignInSchema = z.object({
  enabled: z.boolean(),
  tenant: z.string().nullable(),
  clientId: z.string().nullable(),
  clientSecretSet: z.boolean(),
  authMethod: z.enum(['secret', 'certificate']),
  certificate: z.object({ thumbprint: z.string(), x5tS256: z.string(), subject: z.string(), notAfter: z.string() }).nullable(),
  authority: z.string(),
  redirectUri: z.string(),
  redirectUriOverride: z.string().nullable(),
  fromEnvironment: z.array(z.enum(['tenant', 'clientId', 'clientSecret', 'authority'])),
});
export type EntraSignInDto = z.infer<typeof entraSignInSchema>;

export const entraSignInCheckSchema = z.object({ ok: z.boolean(), tenantId: z.string().nullable(), steps: z.array(z.object({ name: z.string(), ok: z.boolean(), message: z.string() })) });
export type EntraSignInCheckDto = z.infer<typeof entraSignInCheckSchema>;
