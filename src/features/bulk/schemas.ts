import { policyTypeNames } from '../../core/policy-types.ts';
import { z } from 'zod';

const counts = z.object({ pending: z.number(), running: z.number(), succeeded: z.number(), failed: z.number(), skipped: z.number(), cancelled: z.number() });
export const jobSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  fileName: z.string(),
  /** csv: an uploaded file; selection: users ticked in the Teams user list (run only when every row passes). */
  source: z.enum(['csv', 'selection']),
  status: z.enum(['draft', 'queued', 'running', 'completed', 'cancelled']),
  cancelRequested: z.boolean(),
  ticketId: z.string().nullable(),
  total: z.number(),
  counts,
  etaSeconds: z.number().nullable(),
  /** Teams is making the tenant wait until then (ISO time); the job resumes by itself. */
  throttledUntil: z.string().nullable(),
  /** e.g. "Throttled by Teams, resuming at 14:05 UTC." while that lasts. */
  notice: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export const rowSchema = z.object({
  id: z.string(),
  rowNumber: z.number(),
  input: z.object({ upn: z.string(), phoneNumber: z.string().nullable(), numberType: z.string().nullable(), policies: z.record(z.string(), z.string().nullable()), profile: z.string().nullable(), location: z.string().nullable().optional() }),
  verdict: z.enum(['ok', 'error']),
  verdictMessage: z.string().nullable(),
  state: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled']),
  attempts: z.number(),
  numberE164: z.string().nullable(),
  resultMessage: z.string().nullable(),
  voiceChangeId: z.string().nullable(),
});

const policyName = z.string().trim().min(1).max(256).nullable();
/** One ticked user: number (next free of a range or site, or a given one), profile and policies, as a CSV row would say them. */
export const selectionUserSchema = z.object({
  upn: z.string().trim().min(3).max(256),
  number: z
    .union([z.object({ nextFromRange: z.string().trim().min(1).max(200) }).strict(), z.object({ nextFromSite: z.string().trim().min(1).max(200) }).strict(), z.object({ e164: z.string().trim().min(1).max(40) }).strict()])
    .nullable()
    .optional(),
  profile: z.string().trim().max(200).nullable().optional(),
  policies: z.partialRecord(z.enum(policyTypeNames), policyName).optional(),
});
export const selectionBodySchema = z.object({
  users: z.array(selectionUserSchema).min(1, 'tick at least one user').max(500, 'at most 500 users at once; use a CSV for more'),
  ticketId: z.string().regex(/^\d{1,12}$/, 'must be a ticket number').nullable().optional(),
  /** false (the default): a dry run saved as a draft job. true: run at once, only if every user passes. */
  run: z.boolean().optional(),
});
export type SelectionBodyDto = z.infer<typeof selectionBodySchema>;

export type BulkJobDto = z.infer<typeof jobSchema>;
export type BulkRowDto = z.infer<typeof rowSchema>;
export type BulkJobWithRowsDto = BulkJobDto & { rows: BulkRowDto[] };
