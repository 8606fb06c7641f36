import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/connection.ts';
import type { AppDeps } from '../kernel/deps.ts';

/**
 * Returns numbers whose cooling or reservation has ended to available, each with its own
 * audit event, in one statement per kind: set-based, so a tenant with thousands of expiries
 * is done in one go, and idempotent, so running it twice changes nothing the second time.
 */
export async function expireCoolingAndReservations(deps: AppDeps): Promise<{ cooling: number; reservations: number }> {
  const now = deps.now().toISOString();
  return deps.db.transaction(async (tx) => ({
    cooling: await expire(tx, 'cooling', sql`cooling_until = null`, sql`cooling_until <= ${now}::timestamptz`, now),
    reservations: await expire(
      tx,
      'reserved',
      sql`reserved_by = null, reserved_until = null, reservation_reason = null, reservation_ticket = null`,
      sql`reserved_until <= ${now}::timestamptz`,
      now,
    ),
  }));
}

async function expire(tx: Db, status: 'cooling' | 'reserved', clear: SQL, ended: SQL, now: string): Promise<number> {
  const action = status === 'cooling' ? 'number.expire_cooling' : 'number.expire_reservation';
  const actor = status === 'cooling' ? 'system (cooling expiry)' : 'system (reservation expiry)';
  const rows = await queryRows<{ n: number }>(
    tx,
    sql`with done as (
          update phone_numbers set status = 'available', ${clear}, status_changed_at = ${now}::timestamptz, updated_at = ${now}::timestamptz
           where status = ${status} and ${ended}
          returning id, tenant_id, e164
        ), audit as (
          insert into audit_events (actor, tenant_id, action, target_type, target_id, before, after, result)
          select ${actor}, tenant_id, ${action}, 'phone_number', id::text,
                 jsonb_build_object('e164', e164, 'status', ${status}::text), jsonb_build_object('e164', e164, 'status', 'available'), 'success'
            from done returning 1
        ) select count(*)::int as n from audit`,
  );
  return rows[0]?.n ?? 0;
}
