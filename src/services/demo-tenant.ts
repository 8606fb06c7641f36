import { eq, sql } from 'drizzle-orm';
import { operators, tenants } from '../db/schema/index.ts';
import { recordAudit } from './audit-log.ts';
import type { Actor, AppDeps } from './deps.ts';
import { insertNumbers, type NewNumber } from './number-bulk-insert.ts';
import { createRange } from './number-ranges.ts';
import { createSite } from './sites.ts';

/**
 * The demo tenant of the embedded quick start: clearly named "(demo)", flagged isDemo, with
 * the same Microsoft tenant id and domain as the built-in simulators' demo tenant (see
 * simulators/demo.ts), and a realistic inventory in every status.
 */
export const DEMO_TENANT = {
  name: 'Contoso (demo)',
  microsoftTenantId: '6f1d3c2a-8b4e-4c1f-9a7d-0c5e2b9f4a11',
  primaryDomain: 'contoso.example',
  defaultCountry: 'US',
} as const;

const request = { requestId: 'demo-seed', ip: undefined };

/** Seeds the demo tenant once; does nothing when it exists (or existed and was renamed). */
export async function seedDemoTenant(deps: AppDeps): Promise<boolean> {
  const [existing] = await deps.db.select({ id: tenants.id }).from(tenants).where(eq(tenants.isDemo, true));
  if (existing) return false;
  const [admin] = await deps.db.select().from(operators).where(eq(operators.role, 'admin')).limit(1);
  if (!admin) return false;
  const actor: Actor = { operatorId: admin.id, email: 'system (demo seed)', displayName: 'Demo seed', role: 'admin', allTenants: true, tenantIds: [], via: 'session' };

  const [tenant] = await deps.db
    .insert(tenants)
    .values({ ...DEMO_TENANT, isDemo: true, notes: 'Demo tenant backed by the built-in simulators. Safe to experiment with.', coolingDays: 14 })
    .returning();
  const tenantId = tenant!.id;
  await recordAudit(deps.db, { action: 'tenant.created', actor, tenantId, targetType: 'tenant', targetId: tenantId, after: { name: tenant!.name, demo: true }, request });
  const seattle = await createSite(deps, actor, tenantId, { name: 'Seattle HQ', address: '1 Demo Way, Seattle, WA' }, request);
  const london = await createSite(deps, actor, tenantId, { name: 'London Office', address: '10 Example Street, London' }, request);

  const seattleRange = await createRange(deps, actor, tenantId, { name: 'Seattle DR block', start: '+14255550100', count: 200, kind: 'direct_routing', carrier: 'Example Telecom', siteId: seattle.id }, request);
  const londonRange = await createRange(deps, actor, tenantId, { name: 'London OC block', start: '+442079460100', count: 100, kind: 'operator_connect', carrier: 'Demo Connect UK', siteId: london.id }, request);

  // Spread statuses the way a live tenant looks: most of the Seattle block in use.
  const now = deps.now().getTime();
  await deps.db.execute(sql`
    update phone_numbers p set
      status = case when n.i % 10 < 6 then 'assigned' when n.i % 10 = 6 then 'reserved' when n.i % 10 = 7 then 'cooling' when n.i % 20 = 8 then 'blocked' else 'available' end,
      assignee_type = case when n.i % 10 < 6 then 'teams_user' end,
      assignee_id = case when n.i % 10 < 6 then 'demo-user-' || lpad(n.i::text, 3, '0') end,
      assignee_upn = case when n.i % 10 < 6 then 'user' || lpad(n.i::text, 3, '0') || '@contoso.example' end,
      assignee_name = case when n.i % 10 < 6 then 'Demo User ' || n.i end,
      reserved_until = case when n.i % 10 = 6 then ${new Date(now + 7 * 86_400_000).toISOString()}::timestamptz end,
      reservation_reason = case when n.i % 10 = 6 then 'New starter (demo)' end,
      reserved_by = case when n.i % 10 = 6 then ${admin.id}::uuid end,
      cooling_until = case when n.i % 10 = 7 then ${new Date(now + 10 * 86_400_000).toISOString()}::timestamptz end,
      search_text = p.search_text || case when n.i % 10 < 6 then ' user' || lpad(n.i::text, 3, '0') || '@contoso.example demo user ' || n.i else '' end
    from (select id, row_number() over (order by e164) as i from phone_numbers where range_id = ${seattleRange.id}::uuid) n
    where p.id = n.id and n.i <= 180`);
  await deps.db.execute(sql`update phone_numbers set tags = '{reception}', notes = 'Main reception line' where e164 = '+14255550100'`);

  const extras: NewNumber[] = [
    { e164: '+12065550100', extension: '', kind: 'calling_plan', status: 'available', rangeId: null, siteId: seattle.id, carrier: 'Microsoft', tags: ['calling-plan'], notes: '' },
    { e164: '+12065550101', extension: '', kind: 'calling_plan', status: 'retired', rangeId: null, siteId: seattle.id, carrier: 'Microsoft', tags: [], notes: 'Ported out 2026' },
    { e164: '+13125550100', extension: '', kind: 'threecx_did', status: 'available', rangeId: null, siteId: null, carrier: 'SIP Trunk Co', tags: ['3cx'], notes: 'Chicago 3CX trunk' },
  ];
  await insertNumbers(deps.db, tenantId, extras, actor, request, { source: 'demo seed' });
  deps.log.info({ tenant: tenant!.name, ranges: [seattleRange.name, londonRange.name] }, 'demo tenant seeded');
  return true;
}
