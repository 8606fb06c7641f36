import { z } from 'zod';
import { ticketLogChoicesSchema } from '../kernel/ticket-work.ts';
import type { ImportedNumber } from '../../core/number-import-row.ts';
import { bulkStatusActions } from '../../core/number-bulk-change.ts';
import { decodeNumberCursor } from '../../core/number-cursor.ts';
import { numberKinds, numberStatuses } from '../../core/number-vocabulary.ts';
import { dateInput, tenantParams } from '../../http/schemas.ts';
import { isKnownCountry } from '../../core/phone-number.ts';

export const numberParams = tenantParams.extend({ numberId: z.string().uuid('must be a number id (UUID)') });
export const rangeParams = tenantParams.extend({ rangeId: z.string().uuid('must be a range id (UUID)') });

export const kindSchema = z.enum(numberKinds);
export const statusSchema = z.enum(numberStatuses);

export const rangeSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  startE164: z.string(),
  endE164: z.string(),
  size: z.number().describe('How many numbers the range holds (a pattern range: 10 to the power of its x count)'),
  pattern: z.string().nullable().describe('The pattern the range was defined by (+1555123xxxx); its numbers are created as they are allocated. null: all numbers were created with the range'),
  used: z.number().describe('Numbers in use (assigned or reserved)'),
  percentUsed: z.number().describe('used / size, in percent (one decimal)'),
  kind: kindSchema,
  carrier: z.string(),
  siteId: z.string().nullable(),
  createdAt: z.string(),
  counts: z.record(z.string(), z.number()),
  utilisation: z.number(),
});
export type RangeDto = z.infer<typeof rangeSchema>;

export const numberSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  e164: z.string(),
  extension: z.string(),
  national: z.string(),
  kind: kindSchema,
  status: statusSchema,
  rangeId: z.string().nullable(),
  siteId: z.string().nullable(),
  carrier: z.string(),
  tags: z.array(z.string()),
  notes: z.string(),
  displayName: z.string().describe("The number's own name (Reception, Main line); '' when none"),
  usageLocation: z.string().describe("Where the number is used (ISO 3166-1 alpha-2, as Teams' usage location); '' when not said"),
  country: z.string().describe("The number's country (ISO 3166-1 alpha-2), derived from the E.164; '' when it names none"),
  assignee: z.object({ type: z.enum(['teams_user', 'threecx_extension']), id: z.string(), upn: z.string().nullable(), name: z.string().nullable() }).nullable(),
  /** The same person's 3CX extension when it shares the Teams user's number (3CX integrated with Teams); null: none. */
  linkedExtension: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  reservation: z.object({ by: z.string().nullable(), until: z.string().nullable(), reason: z.string().nullable(), ticketId: z.string().nullable() }).nullable(),
  coolingUntil: z.string().nullable(),
  /** The Teams emergency location (Graph locationId) of the number; null: none. */
  emergencyLocationId: z.string().nullable(),
  statusChangedAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type NumberDto = z.infer<typeof numberSchema>;

/** A country as ISO 3166-1 alpha-2 (GB, US), upper-cased; one libphonenumber does not know is refused. */
export const countryCode = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .refine((v) => isKnownCountry(v), 'must be a two-letter country code (ISO 3166-1 alpha-2), such as GB or US');

/** `status=available,reserved` or repeated `status=…` both work. */
const list = <T extends z.ZodTypeAny>(item: T) =>
  z.preprocess((v) => (v === undefined || v === '' ? undefined : (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).filter(Boolean)), z.array(item).optional());

export const numberFilterQuery = z.object({
  search: z.string().max(100).optional(),
  status: list(statusSchema),
  kind: list(kindSchema),
  rangeId: z.string().uuid().optional(),
  siteId: z.string().uuid().optional(),
  carrier: z.string().max(100).optional(),
  tag: z.string().max(50).optional(),
  importId: z.string().uuid('must be an import id (UUID)').optional(),
  country: countryCode.optional().describe("The number's country (derived from its E.164), such as GB"),
  usageLocation: countryCode.optional().describe('The usage location, such as GB'),
  shared: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('true: only numbers a Teams user and the same person\'s 3CX extension both use (Teams + 3CX)'),
  sort: z.enum(['e164', 'status', 'updatedAt', 'assignee']).default('e164'),
  dir: z.enum(['asc', 'desc']).default('asc'),
});

export const numberPageQuery = numberFilterQuery
  .extend({
    after: z.string().max(500).optional().describe('The `next` of the previous page: an opaque cursor for the same sort order'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    withTotal: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
  })
  .superRefine((query, ctx) => {
    // A cursor is the last row's sort key: each value is checked against its column's type here,
    // so a forged or stale one is a 400 naming the cursor, never a database error.
    if (query.after === undefined) return;
    const cursor = decodeNumberCursor(query.sort, query.after);
    if (!cursor.ok) ctx.addIssue({ code: 'custom', path: ['after'], message: cursor.message });
  });

const ticketId = z.string().trim().regex(/^\d{1,12}$/, 'must be a ticket number').nullable().optional();
const assignee = z.object({
  type: z.enum(['teams_user', 'threecx_extension']),
  id: z.string().trim().min(1).max(200),
  upn: z.string().trim().max(200).nullable().optional(),
  name: z.string().trim().max(200).nullable().optional(),
});

/** The ConnectWise choices for the ticket's note, status and time entry (left out: the defaults). */
const ticketLog = ticketLogChoicesSchema.optional();
const simpleAction = <A extends string>(action: A) => z.object({ action: z.literal(action), reason: z.string().trim().max(500).optional(), ticketId, ticketLog });

/** The lifecycle actions a person may take; expiries are the scheduler's alone. */
export const lifecycleBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('reserve'), reason: z.string().trim().min(1, 'is required').max(500), until: dateInput(), ticketId, ticketLog }),
  z.object({ action: z.literal('assign'), assignee, ticketId, ticketLog }),
  simpleAction('cancel_reservation'),
  simpleAction('release'),
  simpleAction('block'),
  simpleAction('unblock'),
  simpleAction('retire'),
  simpleAction('restore'),
]);

export const allocateBody = z.object({
  from: z.union([z.object({ rangeId: z.string().uuid() }), z.object({ siteId: z.string().uuid() }), z.object({ tag: z.string().trim().min(1).max(50) })]),
  reason: z.string().trim().min(1, 'is required').max(500),
  until: dateInput(),
  ticketId,
});

export const numberAttributesBody = z
  .object({
    kind: kindSchema,
    carrier: z.string().trim().max(100),
    tags: z.array(z.string().trim().min(1).max(50)).max(50),
    notes: z.string().max(2000),
    siteId: z.string().uuid().nullable(),
    rangeId: z.string().uuid().nullable(),
    displayName: z.string().trim().max(200),
    usageLocation: z.union([z.literal(''), countryCode]).describe("ISO 3166-1 alpha-2, or '' to clear it"),
  })
  .partial();

export const auditListSchema = z.array(
  z.object({
    id: z.number(),
    occurredAt: z.string(),
    actor: z.string(),
    action: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    result: z.enum(['success', 'failure']),
    error: z.string().nullable(),
    ticketId: z.string().nullable(),
    requestId: z.string().nullable(),
  }),
);

/** The answer of a CSV import, in preview and in apply mode. */
export const importReportSchema = z.object({
  mode: z.enum(['preview', 'apply']),
  fileSha256: z.string(),
  totalRows: z.number(),
  validRows: z.number(),
  errorCount: z.number(),
  errors: z.array(z.object({ row: z.number(), column: z.string(), value: z.string(), message: z.string() })).describe('The first problems, in file order'),
  byStatus: z.record(z.string(), z.number()),
  byKind: z.record(z.string(), z.number()),
  sample: z.array(
    z.object({
      e164: z.string(),
      extension: z.string(),
      kind: kindSchema,
      status: statusSchema,
      rangeId: z.string().nullable(),
      siteId: z.string().nullable(),
      carrier: z.string(),
      tags: z.array(z.string()),
      notes: z.string(),
      displayName: z.string(),
      usageLocation: z.string(),
      assignee: z.string().nullable(),
      assigneeName: z.string().nullable(),
      reservedUntil: z.string().nullable(),
      reservationReason: z.string().nullable(),
    }),
  ),
  imported: z.number().describe('Numbers written (0 in preview mode, and when any row has a problem)'),
  importId: z.string().nullable().describe('The id of this import (apply mode): filter the inventory by it (importId=…) to see or delete its numbers'),
});

export type ImportError = { row: number; column: string; value: string; message: string };

export type ImportReport = {
  mode: 'preview' | 'apply';
  fileSha256: string;
  totalRows: number;
  validRows: number;
  errorCount: number;
  /** The first errors, in file order (all of them up to MAX_REPORTED_ERRORS). */
  errors: ImportError[];
  byStatus: Record<string, number>;
  byKind: Record<string, number>;
  sample: ImportedNumber[];
  imported: number;
  importId: string | null;
};

/**
 * Reconcile (C7): where the inventory and an external system (Teams, a 3CX PBX) disagree about
 * a number. One shape for every system; `system` is what that system has, `inventory` what we have.
 */
export const driftKinds = ['missing_in_inventory', 'free_in_inventory', 'different_assignee', 'unassigned_in_system', 'missing_in_system'] as const;
export type DriftKind = (typeof driftKinds)[number];
export const reconciledSystems = ['teams', 'threecx'] as const;

const assigneeType = z.enum(['teams_user', 'threecx_extension']);

export const driftItemSchema = z.object({
  kind: z.enum(driftKinds),
  e164: z.string(),
  numberId: z.string().nullable(),
  system: z
    .object({
      assigned: z.boolean(),
      assigneeId: z.string().nullable().describe('The Entra user id, or the 3CX extension number'),
      assigneeUpn: z.string().nullable(),
      assigneeName: z.string().nullable(),
      kind: kindSchema.describe('The inventory kind this number has in the system'),
      via: z.string().nullable().describe('Where the system has it, such as the 3CX trunk'),
    })
    .nullable()
    .describe('What the system has; null when it does not have the number'),
  inventory: z.object({ status: statusSchema, kind: kindSchema, assigneeType: assigneeType.nullable(), assigneeId: z.string().nullable(), assigneeUpn: z.string().nullable(), assigneeName: z.string().nullable() }).nullable(),
  fix: z.string().nullable().describe('What the one-click fix does, in words; null when the number is not fixed automatically'),
  reason: z.string().nullable().describe('Why the number is not fixed automatically (another tenant holds it, it is retired or blocked, …)'),
});
export type DriftItem = z.infer<typeof driftItemSchema>;

export const driftReportSchema = z.object({
  system: z.enum(reconciledSystems),
  items: z.array(driftItemSchema),
  systemNumbers: z.number().describe('Numbers the system has'),
  inventoryNumbers: z.number().describe('Numbers of the kinds the system uses in the inventory'),
  checkedAt: z.string(),
});
export type DriftReport = z.infer<typeof driftReportSchema>;

export const driftFixBody = z.object({ numbers: z.union([z.literal('all'), z.array(z.string().regex(/^\+\d{7,15}$/, 'must be E.164 numbers')).min(1).max(10_000)]) });

export const driftFixResultSchema = z.object({
  fixed: z.number(),
  skipped: z.number(),
  skips: z.array(z.object({ e164: z.string(), reason: z.string() })).describe('Each chosen number that was not fixed, with why'),
});
export type DriftFixResult = z.infer<typeof driftFixResultSchema>;

const bulkChange = z
  .object({
    status: z.enum(bulkStatusActions).describe('A lifecycle move; numbers it does not apply to are refused with the reason'),
    kind: kindSchema,
    carrier: z.string().trim().max(100),
    siteId: z.string().uuid().nullable().describe('null takes the numbers off their site'),
    addTags: z.array(z.string().trim().min(1).max(50)).max(50),
    removeTags: z.array(z.string().trim().min(1).max(50)).max(50),
    notes: z.string().max(2000).describe('Replaces the notes'),
  })
  .partial();

/** Inventory bulk work: what to act on (chosen rows, or all numbers matching the list's filter) and what to do. */
export const bulkBody = z.object({
  mode: z.enum(['preview', 'apply']),
  selection: z.union([
    z.object({ ids: z.array(z.string().uuid('must be number ids (UUID)')).min(1, 'choose at least one number').max(10_000) }),
    z.object({ filter: numberFilterQuery.omit({ sort: true, dir: true }) }).describe('Every number the inventory list shows for this filter, across all pages'),
  ]),
  operation: z.discriminatedUnion('type', [z.object({ type: z.literal('update'), change: bulkChange }), z.object({ type: z.literal('delete') })]),
  ticketId,
});

const bulkSampleFields = z.object({ status: statusSchema, kind: kindSchema, carrier: z.string(), siteId: z.string().nullable(), tags: z.array(z.string()), notes: z.string() });
export const bulkReportSchema = z.object({
  mode: z.enum(['preview', 'apply']),
  selected: z.number().describe('Numbers the selection found'),
  changing: z.number().describe('Numbers the action changes (or deletes)'),
  unchanged: z.number().describe('Numbers already as asked'),
  refusedCount: z.number(),
  refused: z.array(z.object({ numberId: z.string(), e164: z.string().nullable(), reason: z.string() })).describe('The first numbers that refuse the action, with why; any refusal makes apply change nothing'),
  sample: z.array(z.object({ numberId: z.string(), e164: z.string(), before: bulkSampleFields, after: bulkSampleFields.nullable().describe('null: deleted') })),
  applied: z.number().describe('Numbers changed or deleted (0 in preview)'),
});
export type BulkReportDto = z.infer<typeof bulkReportSchema>;
