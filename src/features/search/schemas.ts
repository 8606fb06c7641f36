import { z } from 'zod';

export const searchKinds = ['tenant', 'number', 'range', 'teams_user', 'threecx_extension', 'ticket'] as const;
export type SearchKind = (typeof searchKinds)[number];

export const searchQuerySchema = z.object({
  q: z.string().trim().min(1, 'type something to search for').max(100),
  /** Hits per kind; one more is looked for, to tell whether there are more. */
  limit: z.coerce.number().int().min(1).max(25).default(5),
});

/** Where a hit opens: a page of its tenant (or the audit log filtered to the tenant). */
export const searchLinkSchema = z.object({
  page: z.enum(['tenant', 'numbers', 'ranges', 'voice', 'threecx', 'audit']),
  /** numbers: the numbers page's search box and the number to open. */
  search: z.string().optional(),
  numberId: z.string().optional(),
  /** voice: the Teams user whose panel opens. */
  userId: z.string().optional(),
  /** audit: the ticket's events. */
  ticketId: z.string().optional(),
});

export const searchHitSchema = z.object({
  kind: z.enum(searchKinds),
  /** Unique within its kind. */
  id: z.string(),
  tenantId: z.string(),
  tenantName: z.string(),
  title: z.string(),
  detail: z.string(),
  link: searchLinkSchema,
});

export const searchGroupSchema = z.object({ kind: z.enum(searchKinds), hits: z.array(searchHitSchema), more: z.boolean() });

export const searchResultSchema = z.object({
  query: z.string(),
  /** Tenants searched: the operator's scope. */
  tenants: z.number(),
  groups: z.array(searchGroupSchema),
});

export type SearchHitDto = z.infer<typeof searchHitSchema>;
export type SearchGroupDto = z.infer<typeof searchGroupSchema>;
export type SearchResultDto = z.infer<typeof searchResultSchema>;
