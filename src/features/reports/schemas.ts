import { z } from 'zod';
import { numberStatuses } from '../../core/number-vocabulary.ts';

export const reportNames = ['utilisation', 'ranges-running-out', 'licensed-without-number', 'teams-drift'] as const;
export type ReportName = (typeof reportNames)[number];

/** Every report: all tenants in the operator's scope, or the one chosen. */
export const reportQuerySchema = z.object({ tenantId: z.string().uuid('must be a tenant id (UUID)').optional() });

export const statusCountsSchema = z.object(Object.fromEntries(numberStatuses.map((s) => [s, z.number()])) as Record<(typeof numberStatuses)[number], z.ZodNumber>);

const tenantRef = { tenantId: z.string(), tenantName: z.string() };

export const rangeUseSchema = z.object({
  ...tenantRef,
  rangeId: z.string(),
  name: z.string(),
  startE164: z.string(),
  endE164: z.string(),
  size: z.number(),
  counts: statusCountsSchema,
  free: z.number(),
  inUse: z.number(),
  percentInUse: z.number(),
});

export const utilisationReportSchema = z.object({
  generatedAt: z.string(),
  tenants: z.array(z.object({ ...tenantRef, total: z.number(), counts: statusCountsSchema, inUse: z.number(), percentInUse: z.number() })),
  ranges: z.array(rangeUseSchema),
});

export const rangesRunningOutReportSchema = z.object({
  generatedAt: z.string(),
  /** The rule: at least this share in use, or fewer free numbers than `lowFree` (a setting). */
  fullPercent: z.number(),
  lowFree: z.number(),
  ranges: z.array(rangeUseSchema),
});

/** When the Teams directory of a tenant was last read (null: never synced, so nothing is known). */
const directoryState = { directorySyncedAt: z.string().nullable(), directoryUsers: z.number() };

export const licensedWithoutNumberReportSchema = z.object({
  generatedAt: z.string(),
  tenants: z.array(z.object({ ...tenantRef, ...directoryState, users: z.number() })),
  users: z.array(z.object({ ...tenantRef, userId: z.string(), upn: z.string(), displayName: z.string(), accountEnabled: z.boolean(), usageLocation: z.string().nullable(), enterpriseVoice: z.boolean(), syncedAt: z.string() })),
  /** All users found; `users` lists the first `shown` (the CSV has them all). */
  total: z.number(),
  shown: z.number(),
});

export const teamsDriftReportSchema = z.object({
  generatedAt: z.string(),
  tenants: z.array(
    z.object({
      ...tenantRef,
      ...directoryState,
      /** Numbers the inventory has assigned to a Teams user. */
      assignedInUcr: z.number(),
      /** Of those, numbers no user in the stored Teams directory has; null when the directory was never synced. */
      notInTeams: z.number().nullable(),
      /**
       * The last comparison with Teams itself (reconcile, or the nightly sync), as recorded then:
       * `notInTeams` = numbers assigned in the inventory that Teams did not have assigned. Null: never compared.
       */
      lastReconcile: z.object({ checkedAt: z.string(), notInTeams: z.number(), drift: z.number() }).nullable(),
    }),
  ),
  numbers: z.array(z.object({ ...tenantRef, numberId: z.string(), e164: z.string(), assigneeId: z.string(), assigneeUpn: z.string().nullable(), teamsSays: z.string() })),
  total: z.number(),
  shown: z.number(),
});

export type StatusCountsDto = z.infer<typeof statusCountsSchema>;
export type RangeUseDto = z.infer<typeof rangeUseSchema>;
export type UtilisationReportDto = z.infer<typeof utilisationReportSchema>;
export type RangesRunningOutReportDto = z.infer<typeof rangesRunningOutReportSchema>;
export type LicensedWithoutNumberReportDto = z.infer<typeof licensedWithoutNumberReportSchema>;
export type TeamsDriftReportDto = z.infer<typeof teamsDriftReportSchema>;
