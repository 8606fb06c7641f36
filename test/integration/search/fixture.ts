import { teamsUsers } from '../../../src/db/schema/index.ts';
import type { ApiClient } from '../../helpers/api-client.ts';
import { tenantWithRange } from '../../helpers/inventory.ts';
import type { TestApp } from '../../helpers/test-app.ts';

/**
 * Two customers for the cross-tenant search and reports: Alpha (Seattle, Teams) and Bravo (San
 * Francisco, 3CX). Numbers are assigned through the API, with ticket numbers, so the audit log
 * holds the ticket references; the Teams directory is stored as a directory sync leaves it.
 */
export async function twoCustomers(t: TestApp, admin: ApiClient) {
  const alpha = await tenantWithRange(admin, { name: `Alpha ${Math.random().toString(36).slice(2, 6)}`, count: 20, start: '+14255550100' });
  const bravo = await tenantWithRange(admin, { name: `Bravo ${Math.random().toString(36).slice(2, 6)}`, count: 5, start: '+14155550300' });
  const byE164 = (tenant: typeof alpha, e164: string) => tenant.numbers.find((n) => n.e164 === e164)!;
  const assign = async (tenantId: string, numberId: string, assignee: Record<string, unknown>, ticketId?: string) => {
    const res = await admin.post(`/api/tenants/${tenantId}/numbers/${numberId}/lifecycle`, { action: 'assign', assignee, ...(ticketId ? { ticketId } : {}) });
    if (res.status !== 200) throw new Error(`assign: ${JSON.stringify(res.body)}`);
  };
  const adele = byE164(alpha, '+14255550101');
  await assign(alpha.tenantId, adele.id, { type: 'teams_user', id: 'user-adele', upn: 'adele.vance@alpha.example', name: 'Adele Vance' }, '7001');
  // In UCR, not in Teams: Megan has no number in the directory; the ghost is not in it at all.
  await assign(alpha.tenantId, byE164(alpha, '+14255550102').id, { type: 'teams_user', id: 'user-megan', upn: 'megan.bowen@alpha.example', name: 'Megan Bowen' });
  await assign(alpha.tenantId, byE164(alpha, '+14255550103').id, { type: 'teams_user', id: 'user-ghost', upn: 'left.company@alpha.example', name: 'Left Company' });
  const reception = byE164(bravo, '+14155550301');
  await assign(bravo.tenantId, reception.id, { type: 'threecx_extension', id: '101', name: 'Reception Desk' }, '8002');

  const syncedAt = t.clock.now();
  const user = (tenantId: string, userId: string, upn: string, displayName: string, phoneSystem: boolean, numbers: string[]) => ({
    tenantId,
    userId,
    upn,
    displayName,
    usageLocation: 'US',
    accountType: 'user',
    phoneSystem,
    enterpriseVoice: phoneSystem,
    numbers: numbers.map((telephoneNumber) => ({ telephoneNumber, assignmentCategory: 'primary' })),
    searchText: [upn, displayName, ...numbers.map((n) => `${n} ${n.slice(1)}`)].join(' ').toLowerCase(),
    syncedAt,
  });
  await t.deps.db.insert(teamsUsers).values([
    user(alpha.tenantId, 'user-adele', 'adele.vance@alpha.example', 'Adele Vance', true, ['+14255550101']),
    user(alpha.tenantId, 'user-megan', 'megan.bowen@alpha.example', 'Megan Bowen', true, []),
    user(alpha.tenantId, 'user-guest', 'guest@alpha.example', 'Guest Without Licence', false, []),
  ]);
  return { alpha, bravo, adele, reception, syncedAt };
}
