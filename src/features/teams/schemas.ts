import { z } from 'zod';
import { ticketLogChoicesSchema } from '../kernel/ticket-work.ts';
import { policyTypeNames } from '../../core/policy-types.ts';
import { isoDateParam, tenantParams } from '../../http/schemas.ts';
import { decodeVoiceChangeCursor } from '../../core/voice-change-cursor.ts';

export const userParams = tenantParams.extend({ userId: z.string().min(1).max(200) });
export const changeParams = tenantParams.extend({ changeId: z.string().uuid('must be a change id (UUID)') });

export const teamsConnectionSchema = z.object({
  configured: z.boolean(),
  clientId: z.string().nullable(),
  authMethod: z.enum(['certificate', 'secret']).nullable(),
  cloud: z.enum(['global', 'custom']),
  loginBaseUrl: z.string(),
  graphBaseUrl: z.string(),
  clientSecretSet: z.boolean(),
  clientSecretExpiresOn: z.string().nullable().describe('The day the client secret expires, as Entra ID shows it next to the secret (YYYY-MM-DD); the Overview warns 30 days before'),
  certificate: z.object({ thumbprint: z.string(), subject: z.string(), notAfter: z.string(), privateKeySet: z.boolean() }).nullable(),
  lastTest: z.object({ at: z.string(), ok: z.boolean(), result: z.unknown() }).nullable(),
});

export const teamsConnectionInput = z.object({
  clientId: z.string().trim().min(1, 'is required').max(100).regex(/^\S+$/, 'must be the application (client) id, without spaces'),
  authMethod: z.enum(['certificate', 'secret']),
  clientSecret: z.string().min(1).max(500).optional(),
  clientSecretExpiresOn: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)')
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'must be a real date')
    .nullable()
    .optional()
    .describe('When the client secret expires (Entra ID › App registrations › Certificates & secrets › Expires); null clears it, absent keeps it'),
  cloud: z.enum(['global', 'custom']).optional(),
  loginBaseUrl: z.string().url().optional(),
  graphBaseUrl: z.string().url().optional(),
});

export const connectionCheckSchema = z.object({
  ok: z.boolean(),
  steps: z.array(z.object({ name: z.string(), ok: z.boolean(), message: z.string() })),
  missingPermissions: z.array(z.string()),
  grantedPermissions: z.array(z.string()),
});

export const teamsUserSchema = z.object({
  userId: z.string(),
  upn: z.string(),
  displayName: z.string(),
  accountEnabled: z.boolean(),
  usageLocation: z.string().nullable(),
  accountType: z.string().nullable(),
  phoneSystem: z.boolean(),
  enterpriseVoice: z.boolean(),
  numbers: z.array(z.object({ telephoneNumber: z.string(), assignmentCategory: z.string().nullable() })),
  policies: z.record(z.string(), z.object({ name: z.string().nullable(), policyId: z.string().nullable(), assignmentType: z.string().nullable() })),
  syncedAt: z.string(),
});

const voiceState = z.object({
  number: z.object({ e164: z.string(), numberId: z.string().nullable(), numberType: z.string().nullable(), locationId: z.string().nullable().optional() }).nullable(),
  policies: z.record(z.string(), z.string().nullable()),
});

export const voiceChangeSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  userId: z.string(),
  userUpn: z.string(),
  kind: z.enum(['assign_number', 'remove_number', 'policies', 'revert']),
  status: z.enum(['pending', 'succeeded', 'failed']),
  before: voiceState,
  requested: voiceState,
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  ticketId: z.string().nullable(),
  ticketLog: z.object({ status: z.enum(['none', 'queued', 'logged', 'retrying', 'failed']), error: z.string().nullable(), choices: ticketLogChoicesSchema }),
  revertOf: z.string().nullable(),
  operatorId: z.string().nullable(),
  /** Who asked for it (name, else email); on the list and the single change. */
  operator: z.string().nullable().optional(),
  /** Teams completed it and nothing newer completed for the user: Revert is offered (a taken old number is still refused then). */
  revertible: z.boolean().optional(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});

const policyNames = z.object(Object.fromEntries(policyTypeNames.map((t) => [t, z.string().trim().max(200).nullable().optional()])) as Record<(typeof policyTypeNames)[number], z.ZodOptional<z.ZodNullable<z.ZodString>>>);

export const voiceChangeInput = z.object({
  number: z.union([z.object({ numberId: z.string().uuid() }), z.object({ e164: z.string().trim().min(3).max(40) }), z.null()]).optional(),
  policies: policyNames.strict().optional(),
  /** The emergency location for the new number (a Teams locationId or a location's name); absent: the number's range, then site default. */
  locationId: z.string().trim().min(1).max(200).optional(),
  ticketId: z.string().trim().regex(/^\d{1,12}$/, 'must be a ticket number').nullable().optional(),
  /** Minutes, status, work role and type, member for the ticket (issue #17 item 1); left out: the defaults. */
  ticketLog: ticketLogChoicesSchema.optional(),
  /** Remove every directly assigned policy (the user inherits the tenant's); not with `policies`. */
  resetPolicies: z.literal(true).optional(),
  /** The number the caller saw on the user (E.164): if Teams shows another now, 409 number_moved and nothing changes. */
  expectedNumber: z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +14255550100').optional(),
});

export const voiceChangeStatuses = ['pending', 'succeeded', 'failed'] as const;

export const voiceChangeListQuery = z
  .object({
    userId: z.string().max(200).optional().describe("Exact Teams user id (a user's own history)"),
    user: z.string().trim().max(200).optional().describe('A Teams user id, or part of the UPN'),
    operator: z.string().uuid('must be an operator id (UUID)').optional().describe('The operator who asked for the change'),
    ticket: z.string().trim().regex(/^\d{1,12}$/, 'must be a ticket number (digits only)').optional(),
    status: z.preprocess(
      (v) => (typeof v === 'string' ? (v ? v.split(',') : undefined) : v),
      z.array(z.enum(voiceChangeStatuses, { message: 'must be pending, succeeded or failed (comma-separated for several)' })).optional(),
    ),
    from: isoDateParam.optional().describe('Changes made at or after this time'),
    to: isoDateParam.optional().describe('Changes made at or before this time'),
    ids: z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(z.string().uuid('must be change ids (UUIDs), comma-separated')).max(200).optional()),
    cursor: z.string().max(200).optional().describe('The `nextCursor` of the previous page'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .superRefine((query, ctx) => {
    if (query.from && query.to && query.from > query.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    if (query.cursor !== undefined && !decodeVoiceChangeCursor(query.cursor)) ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'is not a cursor from this list (use nextCursor as given)' });
  });

export const policyCatalogSchema = z.array(
  z.object({
    policyType: z.string(),
    label: z.string(),
    policies: z.array(z.object({ id: z.string(), name: z.string(), policyId: z.string().nullable(), source: z.string(), description: z.string() })),
  }),
);

/** Where a profile takes its number from: a range, a site or a tag (D4). */
export const numberSourceSchema = z.union([z.object({ rangeId: z.string().uuid() }), z.object({ siteId: z.string().uuid() }), z.object({ tag: z.string().trim().min(1).max(50) })]).nullable();
export const profileInput = z.object({
  name: z.string().trim().min(1, 'is required').max(120),
  numberSource: numberSourceSchema,
  policies: z.record(z.string(), z.string().trim().max(200).nullable()).default({}),
  /** Licences onboarding assigns when the user lacks Teams Phone (or a Calling Plan): Graph SKU ids of the tenant's subscriptions. */
  licenceSkuIds: z.array(z.string().uuid('must be a licence SKU id (GUID)')).max(5).optional(),
  /** The usage location onboarding sets when the user has none. */
  usageLocation: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code (ISO 3166), e.g. US').nullish(),
});
export const profileSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  numberSource: numberSourceSchema,
  policies: z.record(z.string(), z.string().nullable()),
  licenceSkuIds: z.array(z.string()),
  usageLocation: z.string().nullable(),
  updatedAt: z.string(),
});
export type VoiceProfileDto = z.infer<typeof profileSchema>;

/** How fresh a tenant's synced user directory is. */
export const directoryFreshnessSchema = z.object({
  /** The last full read from Teams (ISO time), or null if never. */
  syncedAt: z.string().nullable(),
  /** A background refresh is queued or running. */
  refreshing: z.boolean(),
  /** The installation setting: older than this, opening the users refreshes them. */
  staleAfterMinutes: z.number(),
});
