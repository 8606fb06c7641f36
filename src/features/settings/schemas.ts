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
