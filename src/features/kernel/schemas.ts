import { z } from 'zod';

/**
 * One step of a step job (joiners and leavers, resource account creation): the same shape for
 * every such job, so the web shows each job's progress with one view.
 */
export const stepSchema = z.object({
  name: z.string(),
  title: z.string(),
  state: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped', 'undone', 'undo_failed']),
  message: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
