import { z } from 'zod';
import { tenantParams } from '../../http/schemas.ts';

export const emergencyLocationSchema = z.object({
  locationId: z.string(),
  civicAddressId: z.string(),
  label: z.string(),
  place: z.string(),
  isDefault: z.boolean(),
  companyName: z.string(),
  description: z.string(),
  houseNumber: z.string(),
  streetName: z.string(),
  city: z.string(),
  stateOrProvince: z.string(),
  postalCode: z.string(),
  countryOrRegion: z.string(),
  source: z.enum(['powershell', 'csv', 'ucr']),
  refreshedAt: z.string(),
});
export const emergencyListSchema = z.object({
  locations: z.array(emergencyLocationSchema),
  lastRefresh: z.object({ source: z.enum(['powershell', 'csv', 'ucr']), at: z.string() }).nullable(),
  /** Whether this server can read and create locations through Teams PowerShell (UCR_PWSH_PATH). */
  powershellBridge: z.boolean(),
});

const text = (max: number) => z.string().trim().max(max).optional();
export const newAddressBody = z.object({
  companyName: z.string().trim().min(1, 'is required').max(200),
  countryOrRegion: z.string().trim().regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code'),
  description: text(200),
  houseNumber: text(10),
  streetName: text(100),
  city: text(100),
  stateOrProvince: text(100),
  postalCode: text(20),
  /** Optional place at the address ("Floor 2"), created as its own location. */
  place: text(100),
});
export const newLocationBody = z.object({ civicAddressId: z.string().trim().min(1).max(100), place: z.string().trim().min(1, 'is required').max(100) });

export const locationRefBody = z.object({
  /** A Teams locationId or a location's name; null clears it. */
  locationId: z.string().trim().min(1).max(200).nullable(),
  ticketId: z.string().trim().regex(/^\d{1,12}$/, 'must be a ticket number').nullable().optional(),
});
export const defaultsSchema = z.object({
  sites: z.array(z.object({ id: z.string(), name: z.string(), defaultLocationId: z.string().nullable() })),
  ranges: z.array(z.object({ id: z.string(), name: z.string(), siteId: z.string().nullable(), defaultLocationId: z.string().nullable() })),
});
export const defaultParams = tenantParams.extend({ kind: z.enum(['sites', 'ranges']), id: z.string().uuid('must be a site or range id (UUID)') });

export const issueSchema = z.object({
  numberId: z.string(),
  e164: z.string(),
  assignee: z.string().nullable(),
  problem: z.enum(['missing', 'differs']),
  locationId: z.string().nullable(),
  locationLabel: z.string().nullable(),
  defaultLocationId: z.string().nullable(),
  defaultFrom: z.enum(['range', 'site']).nullable(),
  defaultLabel: z.string().nullable(),
  fixable: z.boolean(),
});
export const reportSchema = z.object({ assignedNumbers: z.number(), missing: z.number(), differs: z.number(), fixable: z.number(), issues: z.array(issueSchema) });
export const fixBody = z.object({
  numbers: z.array(z.string().regex(/^\+\d{7,15}$/, 'must be E.164 numbers')).min(1).max(5_000).optional(),
  ticketId: z.string().trim().regex(/^\d{1,12}$/, 'must be a ticket number').nullable().optional(),
});

export type EmergencyLocationDto = z.infer<typeof emergencyLocationSchema>;
export type EmergencyListDto = z.infer<typeof emergencyListSchema>;
export type EmergencyReportDto = z.infer<typeof reportSchema>;
export type EmergencyIssueDto = z.infer<typeof issueSchema>;
export type LocationDefaultsDto = z.infer<typeof defaultsSchema>;
