import { and, eq } from 'drizzle-orm';
import { NotFoundError } from '../../core/errors.ts';
import { phoneNumbers } from '../../db/schema/index.ts';
import { recordAudit } from '../kernel/audit-log.ts';
import type { Actor, AppDeps, RequestInfo } from '../kernel/deps.ts';
import { findEmergencyLocation } from '../numbers/emergency-defaults.ts';
import { setEmergencyLocation } from '../numbers/number-store.ts';
import type { NumberView } from '../numbers/number-view.ts';
import { loadActiveTenant } from '../tenants/tenants.ts';
import { teamsApiFor } from './connection.ts';

export type NumberLocationResult = { number: NumberView; appliedInTeams: boolean };

/**
 * Sets (or, with null, clears) one number's emergency location. A number assigned to a Teams
 * user gets it in Teams first (Graph updateNumber with locationId; "" clears it), then the
 * inventory records it with its audit event in one transaction. Any other number keeps it in
 * the inventory only: it goes to Teams with the number's next assignment (assignNumber's
 * locationId). If Teams refuses, nothing changes and the refusal is on the record.
 */
export async function setNumberLocation(
  deps: AppDeps,
  actor: Actor,
  tenantId: string,
  numberId: string,
  locationRef: string | null,
  info: RequestInfo,
  options: { ticketId?: string | null | undefined; api?: 'interactive' | 'jobs' } = {},
): Promise<NumberLocationResult> {
  const tenant = await loadActiveTenant(deps.db, actor, tenantId);
  const [row] = await deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.id, numberId), eq(phoneNumbers.tenantId, tenantId)));
  if (!row) throw new NotFoundError('Number');
  const locationId = locationRef === null ? null : (await findEmergencyLocation(deps.db, tenantId, locationRef)).locationId;
  const inTeams = row.status === 'assigned' && row.assigneeType === 'teams_user';
  if (inTeams) {
    const api = await teamsApiFor(deps, tenant);
    try {
      await (options.api === 'jobs' ? api.forJobs() : api).updateNumberLocation({ telephoneNumber: row.e164, locationId });
    } catch (error) {
      await recordAudit(deps.db, {
        action: 'number.emergency_location_set',
        result: 'failure',
        error: error instanceof Error ? error.message : String(error),
        actor,
        tenantId,
        targetType: 'phone_number',
        targetId: row.id,
        before: { e164: row.e164, emergencyLocationId: row.emergencyLocationId },
        after: { e164: row.e164, emergencyLocationId: locationId, via: 'Teams updateNumber' },
        ticketId: options.ticketId ?? null,
        request: info,
      });
      throw error;
    }
  }
  const number = await deps.db.transaction((tx) =>
    setEmergencyLocation(deps, tx, actor, tenantId, row.id, locationId, { action: 'set', ticketId: options.ticketId, request: info, via: inTeams ? 'Teams updateNumber' : 'inventory (sent to Teams with the next assignment)' }),
  );
  return { number, appliedInTeams: inTeams };
}
