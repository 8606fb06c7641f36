import { sql } from 'drizzle-orm';
import type { Db } from '../../db/connection.ts';
import { queryRows } from '../../db/connection.ts';
import type { Actor, RequestInfo } from '../kernel/deps.ts';
import { actorLabel } from '../kernel/deps.ts';
import { searchTextOf } from './number-view.ts';

export type NewNumber = {
  e164: string;
  extension: string;
  kind: string;
  status: 'available' | 'reserved' | 'assigned' | 'blocked' | 'retired';
  rangeId: string | null;
  siteId: string | null;
  carrier: string;
  tags: string[];
  notes: string;
  assigneeType?: string | null;
  assigneeId?: string | null;
  assigneeUpn?: string | null;
  assigneeName?: string | null;
  reservedBy?: string | null;
  reservedUntil?: string | null;
  reservationReason?: string | null;
};

const CHUNK = 10_000;

/**
 * Inserts many numbers and one `number.created` audit event per number, set-based: each
 * chunk is one statement that inserts the rows and writes their audit events from the
 * RETURNING list. Runs inside the caller's transaction, so a failure anywhere keeps nothing.
 */
export async function insertNumbers(
  tx: Db,
  tenantId: string,
  rows: NewNumber[],
  actor: Actor,
  request: RequestInfo,
  source: Record<string, unknown>,
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK).map((r) => ({
      tenant_id: tenantId,
      e164: r.e164,
      extension: r.extension,
      kind: r.kind,
      status: r.status,
      range_id: r.rangeId,
      site_id: r.siteId,
      carrier: r.carrier,
      tags: r.tags,
      notes: r.notes,
      assignee_type: r.assigneeType ?? null,
      assignee_id: r.assigneeId ?? null,
      assignee_upn: r.assigneeUpn ?? null,
      assignee_name: r.assigneeName ?? null,
      reserved_by: r.reservedBy ?? null,
      reserved_until: r.reservedUntil ?? null,
      reservation_reason: r.reservationReason ?? null,
      search_text: searchTextOf({ ...r, assigneeUpn: r.assigneeUpn ?? null, assigneeName: r.assigneeName ?? null, assigneeId: r.assigneeId ?? null }),
    }));
    const result = await queryRows<{ n: number }>(
      tx,
      sql`with ins as (
            insert into phone_numbers (tenant_id, e164, extension, kind, status, range_id, site_id, carrier, tags, notes,
                                       assignee_type, assignee_id, assignee_upn, assignee_name, reserved_by, reserved_until, reservation_reason, search_text)
            select tenant_id, e164, extension, kind, status, range_id, site_id, carrier, tags, notes,
                   assignee_type, assignee_id, assignee_upn, assignee_name, reserved_by, reserved_until, reservation_reason, search_text
              from jsonb_to_recordset(${JSON.stringify(chunk)}::jsonb) as r(
                tenant_id uuid, e164 text, extension text, kind text, status text, range_id uuid, site_id uuid, carrier text, tags text[], notes text,
                assignee_type text, assignee_id text, assignee_upn text, assignee_name text, reserved_by uuid, reserved_until timestamptz, reservation_reason text, search_text text)
            returning id, tenant_id, e164, extension, status, kind
          ), audit as (
            insert into audit_events (operator_id, actor, tenant_id, action, target_type, target_id, after, result, request_id, ip)
            select ${actor.operatorId}::uuid, ${actorLabel(actor)}, tenant_id, 'number.created', 'phone_number', id::text,
                   jsonb_build_object('e164', e164, 'extension', extension, 'status', status, 'kind', kind) || ${JSON.stringify(source)}::jsonb,
                   'success', ${request.requestId}, ${request.ip ?? null}
              from ins
            returning 1
          )
          select count(*)::int as n from audit`,
    );
    inserted += result[0]?.n ?? 0;
  }
  return inserted;
}
