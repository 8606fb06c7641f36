import { sql } from 'drizzle-orm';
import { queryRows } from '../db/connection.ts';
import type { AppDeps } from './deps.ts';

/**
 * Returns numbers whose cooling or reservation has ended to available, each with its own
 * audit event, in one statement per kind: set-based, so a tenant with thousands of expiries
 * is done in one go, and idempotent, so running it twice changes nothing the second time.
 */
export async function expireCoolingAndReservations(deps: AppDeps): Promise<{ cooling: number; reservations: number }> {
  const now = deps.now().toISOString();
  return deps.db.transaction(async (tx) => {
    const cooling = await queryRows<{ n: number }>(
      tx,
      sql`with done as (
            update phone_numbers set status = 'available', cooling_until = null, status_changed_at = ${now}::timestamptz, updated_at = ${now}::timestamptz
             where status = 'cooling' and cooling_until <= ${now}::timestamptz
            returning id, tenant_id, e164
          ), audit as (
            insert into audit_events (actor, tenant_id, action, target_type, target_id, before, after, result)
            select 'system (cooling expiry)', tenant_id, 'number.expire_cooling', 'phone_number', id::text,
                   jsonb_build_object('e164', e164, 'status', 'cooling'), jsonb_build_object('e164', e164, 'status', 'available'), 'success'
              from done returning 1
          ) select count(*)::int as n from audit`,
    );
    const reservations = await queryRows<{ n: number }>(
      tx,
      sql`with done as (
            update phone_numbers
               set status = 'available', reserved_by = null, reserved_until = null, reservation_reason = null, reservation_ticket = null,
                   status_changed_at = ${now}::timestamptz, updated_at = ${now}::timestamptz
             where status = 'reserved' and reserved_until <= ${now}::timestamptz
            returning id, tenant_id, e164
          ), audit as (
            insert into audit_events (actor, tenant_id, action, target_type, target_id, before, after, result)
            select 'system (reservation expiry)', tenant_id, 'number.expire_reservation', 'phone_number', id::text,
                   jsonb_build_object('e164', e164, 'status', 'reserved'), jsonb_build_object('e164', e164, 'status', 'available'), 'success'
              from done returning 1
          ) select count(*)::int as n from audit`,
    );
    return { cooling: cooling[0]?.n ?? 0, reservations: reservations[0]?.n ?? 0 };
  });
}
