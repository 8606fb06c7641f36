import { countryOfNumber, formatNational } from '../../core/phone-number.ts';
import type { phoneNumbers } from '../../db/schema/index.ts';

export type NumberRow = typeof phoneNumbers.$inferSelect;

export function numberView(n: NumberRow) {
  return {
    id: n.id,
    tenantId: n.tenantId,
    e164: n.e164,
    extension: n.extension,
    national: formatNational(n.e164),
    kind: n.kind,
    status: n.status,
    rangeId: n.rangeId,
    siteId: n.siteId,
    carrier: n.carrier,
    tags: n.tags,
    notes: n.notes,
    displayName: n.displayName,
    usageLocation: n.usageLocation,
    /** Derived from the E.164 (stored for the filter's index); '' when it names no country. */
    country: n.country ?? countryOfNumber(n.e164),
    assignee: n.assigneeId ? { type: n.assigneeType!, id: n.assigneeId, upn: n.assigneeUpn, name: n.assigneeName } : null,
    /** The same person's 3CX extension, when it uses this number too (docs/decisions/0006). */
    linkedExtension: n.linkedExtension ? { id: n.linkedExtension, name: n.linkedExtensionName } : null,
    reservation: n.status === 'reserved' ? { by: n.reservedBy, until: n.reservedUntil?.toISOString() ?? null, reason: n.reservationReason, ticketId: n.reservationTicket } : null,
    coolingUntil: n.coolingUntil?.toISOString() ?? null,
    emergencyLocationId: n.emergencyLocationId,
    statusChangedAt: n.statusChangedAt.toISOString(),
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
  };
}
export type NumberView = ReturnType<typeof numberView>;

/** What an audit event records of a number: enough to show and to revert, nothing more. */
export function numberSnapshot(n: NumberRow) {
  return {
    e164: n.e164,
    extension: n.extension,
    status: n.status,
    kind: n.kind,
    assignee: n.assigneeId ? { type: n.assigneeType, id: n.assigneeId, upn: n.assigneeUpn, name: n.assigneeName } : null,
    linkedExtension: n.linkedExtension,
    reservedUntil: n.reservedUntil?.toISOString() ?? null,
    reservationReason: n.reservationReason,
    coolingUntil: n.coolingUntil?.toISOString() ?? null,
    tags: n.tags,
    notes: n.notes,
    displayName: n.displayName,
    usageLocation: n.usageLocation,
    carrier: n.carrier,
    siteId: n.siteId,
    rangeId: n.rangeId,
    emergencyLocationId: n.emergencyLocationId,
  };
}

/** The lower-cased text the search box matches: digits, the number's name, assignee, tags and notes. */
export function searchTextOf(n: { e164: string; extension: string; displayName?: string | null; assigneeUpn?: string | null; assigneeName?: string | null; assigneeId?: string | null; linkedExtension?: string | null; tags: string[]; notes: string }): string {
  // Digits without the plus: searches are matched on digits, so "+1 415" and "1415" both hit.
  return [n.e164.slice(1), n.extension, n.displayName ?? '', n.assigneeUpn ?? '', n.assigneeName ?? '', n.assigneeId ?? '', n.linkedExtension ?? '', n.tags.join(' '), n.notes].join(' ').toLowerCase();
}
