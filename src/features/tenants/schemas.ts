import { isIanaTimeZone } from '../../core/time-zone.ts';
import { z } from 'zod';
import { tenantParams } from '../../http/schemas.ts';

export const siteParams = tenantParams.extend({ siteId: z.string().uuid('must be a site id (UUID)') });

const featureOverrides = z
  .object({
    teams: z.boolean().nullable(),
    threecx: z.boolean().nullable(),
    connectwise: z.boolean().nullable(),
    manualNumberEntry: z.boolean().nullable(),
    coolingDays: z.number().int().min(0).max(365).nullable(),
  })
  .partial();

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain name such as contoso.com');

/** An IANA time-zone name; abbreviations and bare offsets are refused (they ignore daylight saving). */
export const timeZoneName = z
  .string()
  .trim()
  .max(64)
  .refine(isIanaTimeZone, 'must be an IANA time zone such as Europe/London or America/New_York (not an abbreviation like EST or an offset)');

export const tenantInput = z.object({
  name: z.string().trim().min(1, 'is required').max(120),
  microsoftTenantId: z.string().trim().uuid('must be the Microsoft tenant id, a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47').nullable().optional(),
  primaryDomain: domain.nullable().optional(),
  defaultCountry: z.string().trim().regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code such as US or GB').nullable().optional(),
  timeZone: timeZoneName.nullable().optional(),
  connectwiseCompanyId: z.string().trim().max(100).nullable().optional(),
  notes: z.string().max(5000).optional(),
  overrides: featureOverrides.optional(),
});

export const tenantSchema = z.object({
  id: z.string(),
  name: z.string(),
  microsoftTenantId: z.string().nullable(),
  primaryDomain: z.string().nullable(),
  defaultCountry: z.string().nullable(),
  timeZone: z.string(),
  timeZoneSet: z.boolean(),
  connectwiseCompanyId: z.string().nullable(),
  notes: z.string(),
  status: z.enum(['active', 'archived']),
  isDemo: z.boolean(),
  overrides: z.object({
    teams: z.boolean().nullable(),
    threecx: z.boolean().nullable(),
    connectwise: z.boolean().nullable(),
    manualNumberEntry: z.boolean().nullable(),
    coolingDays: z.number().nullable(),
  }),
  features: z.object({ teams: z.boolean(), threecx: z.boolean(), connectwise: z.boolean(), manualNumberEntry: z.boolean(), coolingDays: z.number() }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TenantDto = z.infer<typeof tenantSchema>;

export const siteSchema = z.object({ id: z.string(), tenantId: z.string(), name: z.string(), address: z.string(), createdAt: z.string() });
export type SiteDto = z.infer<typeof siteSchema>;

/** The sign-in address of a national cloud or the built-in simulator: https, or http on localhost only. */
export const loginBaseUrl = z
  .string()
  .trim()
  .url('must be a URL such as https://login.microsoftonline.us')
  .refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
  }, 'must be an https:// address (plain http only on localhost)');

export const resolvedMicrosoftTenantSchema = z.object({ microsoftTenantId: z.string(), domain: z.string().nullable(), issuer: z.string(), regionScope: z.string().nullable() });
export type ResolvedMicrosoftTenantDto = z.infer<typeof resolvedMicrosoftTenantSchema>;
