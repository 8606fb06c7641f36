import { z } from 'zod';
import { stepSchema } from '../kernel/schemas.ts';

const ticketId = z.string().regex(/^\d{1,12}$/, 'must be a ticket number').nullish();
const skuId = z.string().uuid('must be a licence SKU id (GUID)');
const numberRef = z.union([z.object({ numberId: z.string().uuid() }), z.object({ e164: z.string().min(3).max(20) })]);

export const onboardBody = z.object({
  userId: z.string().min(1).max(200),
  profileId: z.string().uuid().nullish(),
  number: numberRef.nullish(),
  policies: z.record(z.string(), z.string().max(200).nullable()).optional(),
  licenceSkuIds: z.array(skuId).max(5).optional(),
  usageLocation: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code (ISO 3166)').nullish(),
  threecxExtension: z.string().trim().regex(/^\d{2,10}$/, 'must be a 3CX extension number of 2 to 10 digits').nullish(),
  ticketId,
  dryRun: z.boolean().optional(),
});
export const offboardBody = z.object({
  userId: z.string().min(1).max(200),
  reserveFor: z.object({ reason: z.string().trim().min(1).max(200), days: z.number().int().min(1).max(365) }).nullish(),
  removeLicenceSkuIds: z.array(skuId).max(5).optional(),
  ticketId,
  dryRun: z.boolean().optional(),
});

export const lifecycleJobSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  kind: z.enum(['onboard', 'offboard']),
  userId: z.string(),
  userUpn: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'undoing', 'undone', 'undo_failed']),
  input: z.record(z.string(), z.unknown()),
  steps: z.array(stepSchema),
  ticketId: z.string().nullable(),
  error: z.string().nullable(),
  canRetry: z.boolean(),
  canUndo: z.boolean(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export const planSchema = z.object({
  kind: z.enum(['onboard', 'offboard']),
  userId: z.string(),
  userUpn: z.string(),
  ok: z.boolean(),
  lines: z.array(z.object({ step: z.string(), title: z.string(), action: z.enum(['do', 'skip', 'blocked']), message: z.string() })),
  warnings: z.array(z.string()),
  problem: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export const licenceSchema = z.object({ skuId: z.string(), skuPartNumber: z.string(), total: z.number(), free: z.number(), teamsPhone: z.boolean(), callingPlan: z.boolean() });

export type LicenceDto = z.infer<typeof licenceSchema>;
export type LifecycleJobDto = z.infer<typeof lifecycleJobSchema>;
export type LifecycleStepDto = z.infer<typeof stepSchema>;
export type LifecyclePlanDto = z.infer<typeof planSchema>;

export const scheduledKinds = ['voice_change', 'onboard', 'offboard', 'bulk_run'] as const;
export const scheduleBody = z.object({
  kind: z.enum(scheduledKinds),
  runAt: z.string().datetime({ offset: true, message: 'must be an ISO date-time with a zone, e.g. 2026-12-01T09:00:00+01:00' }),
  timeZone: z.string().min(1).max(64).optional(),
  /** The body the matching call takes: voice change (with userId), onboard, offboard, or { jobId } of a dry-run bulk job. */
  input: z.record(z.string(), z.unknown()),
});
export const scheduleUpdateBody = z.object({ runAt: scheduleBody.shape.runAt.optional(), timeZone: z.string().min(1).max(64).optional(), input: z.record(z.string(), z.unknown()).optional() });
export const scheduledSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  kind: z.enum(scheduledKinds),
  subject: z.string(),
  input: z.record(z.string(), z.unknown()),
  runAt: z.string(),
  timeZone: z.string(),
  status: z.enum(['scheduled', 'running', 'done', 'failed', 'cancelled']),
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  ticketId: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type ScheduledChangeDto = z.infer<typeof scheduledSchema>;

export const csvResultSchema = z.object({
  rows: z.array(z.object({ line: z.number(), upn: z.string(), ok: z.boolean(), problem: z.object({ code: z.string(), message: z.string() }).nullable(), plan: z.array(z.string()), jobId: z.string().nullable() })),
  started: z.number(),
});
export type OnboardCsvResultDto = z.infer<typeof csvResultSchema>;
