import type { ApiClient } from './api-client.ts';

let counter = 0;

/** A tenant with a range of `count` numbers from +1 415 555 <start>; returns ids for tests. */
export async function tenantWithRange(admin: ApiClient, options: { count?: number; start?: string; coolingDays?: number; name?: string } = {}) {
  counter += 1;
  const tenant = await admin.post('/api/tenants', { name: options.name ?? `Tenant ${counter} ${Math.random().toString(36).slice(2, 7)}`, overrides: { coolingDays: options.coolingDays ?? 30 } });
  if (tenant.status !== 201) throw new Error(`tenant: ${JSON.stringify(tenant.body)}`);
  const range = await admin.post(`/api/tenants/${tenant.body.id}/ranges`, { name: 'Main', start: options.start ?? '+14155550100', count: options.count ?? 20, kind: 'direct_routing', carrier: 'Carrier A' });
  if (range.status !== 201) throw new Error(`range: ${JSON.stringify(range.body)}`);
  const numbers = await admin.get(`/api/tenants/${tenant.body.id}/numbers?limit=500`);
  return { tenantId: tenant.body.id as string, rangeId: range.body.id as string, numbers: numbers.body.numbers as Array<{ id: string; e164: string; status: string }> };
}
