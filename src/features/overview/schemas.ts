import { z } from 'zod';

/** Where an Overview line is fixed: a tenant page (and, for some, the user or job on it). */
export const overviewLinkSchema = z.object({
  page: z.enum(['voice', 'bulk', 'ranges', 'connections', 'threecx', 'reconcile', 'scheduled', 'lifecycle']),
  user: z.string().optional(),
  job: z.string().optional(),
});

export const overviewItemSchema = z.object({
  kind: z.enum(['voice_change_pending', 'voice_change_failed', 'ticket_log_failed', 'bulk_running', 'bulk_finished_with_errors', 'range_running_out', 'connection_failing', 'certificate_expiring', 'secret_expiring', 'drift_found', 'scheduled_upcoming', 'scheduled_failed', 'lifecycle_failed']),
  severity: z.enum(['error', 'warning', 'info']),
  tenantId: z.string(),
  tenantName: z.string(),
  title: z.string(),
  detail: z.string(),
  at: z.string(),
  link: overviewLinkSchema,
  progress: z.object({ done: z.number(), total: z.number() }).optional(),
  /** A voice change whose ticket logging failed: the Overview offers "Try logging again". */
  changeId: z.string().optional(),
});

export const overviewSchema = z.object({ generatedAt: z.string(), tenants: z.number(), items: z.array(overviewItemSchema) });

export type OverviewItemDto = z.infer<typeof overviewItemSchema>;
export type OverviewDto = z.infer<typeof overviewSchema>;
