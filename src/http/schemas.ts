import { z } from 'zod';

export const idParam = z.object({ id: z.string().uuid('must be an id (UUID)') });
export const emailSchema = z.string().trim().toLowerCase().email('must be an email address').max(254);
export const okSchema = z.object({ ok: z.literal(true) });

export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional(), requestId: z.string() }),
});

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

export const tenantParams = z.object({ tenantId: z.string().uuid('must be a tenant id (UUID)') });

/**
 * A date in a JSON body (an ISO 8601 string, or milliseconds since 1970), as z.coerce.date()
 * reads it, bounded to the years PostgreSQL stores and people mean: JavaScript's Date goes to
 * the year 275760, a timestamp column does not.
 */
export const dateInput = (message = 'must be a date') =>
  z.coerce.date({ message }).refine((d) => d.getUTCFullYear() >= 1970 && d.getUTCFullYear() <= 9999, 'must be between the years 1970 and 9999');
