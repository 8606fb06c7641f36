import { z } from 'zod';

const counts = z.object({ pending: z.number(), running: z.number(), succeeded: z.number(), failed: z.number(), skipped: z.number(), cancelled: z.number() });
export const jobSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  fileName: z.string(),
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

export type BulkJobDto = z.infer<typeof jobSchema>;
export type BulkRowDto = z.infer<typeof rowSchema>;
export type BulkJobWithRowsDto = BulkJobDto & { rows: BulkRowDto[] };
