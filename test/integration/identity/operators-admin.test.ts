import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../../../src/db/schema/index.ts';
import { dbTargets } from '../../helpers/databases.ts';
import { dumpDatabase, expectNoSecretsInLogs } from '../../helpers/leaks.ts';
import { startTestApp, type TestApp } from '../../helpers/test-app.ts';

describe.each(dbTargets())('operator administration on %s', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(target);
  });
  afterAll(async () => {
    expectNoSecretsInLogs(t);
    await t.close();
  });

  const eventsFor = (targetId: string) => t.deps.db.select().from(auditEvents).where(eq(auditEvents.targetId, targetId));

  it('creates an operator with a one-time temporary password that must be changed', async () => {
    const admin = await t.signedInAs('admin');
    const created = await admin.client.post('/api/operators', { email: 'New.Tech@MSP.example', displayName: 'New Tech', role: 'viewer', allTenants: true });
    expect(created.status).toBe(201);
    expect(created.body.operator).toMatchObject({ email: 'new.tech@msp.example', role: 'viewer', mustChangePassword: true, allTenants: true });
    expect(JSON.stringify(created.body.operator)).not.toMatch(/hash|secret/i);

    const dup = await admin.client.post('/api/operators', { email: 'new.tech@msp.example', displayName: 'Again', role: 'viewer', allTenants: true });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('email_taken');

    const tech = t.client();
    const login = await tech.login('new.tech@msp.example', created.body.temporaryPassword);
    expect(login.body.obligation).toBe('password_change_required');
    const created2 = (await eventsFor(created.body.operator.id)).find((e) => e.action === 'operator.created');
    expect(created2?.actor).toBe(admin.email);
  });

  it('role and scope changes are audited with before and after, and a role change ends the sessions', async () => {
    const admin = await t.signedInAs('admin');
    const op = await t.signedInAs('operator');
    const promoted = await admin.client.patch(`/api/operators/${op.operatorId}`, { role: 'admin' });
    expect(promoted.body.role).toBe('admin');
    expect((await op.client.get('/api/me')).status).toBe(401);
    const tenantId = '0b9f1c3e-2d4a-4b5c-8d6e-7f8091a2b3c4';
    const scoped = await admin.client.patch(`/api/operators/${op.operatorId}`, { allTenants: false, tenantIds: [tenantId] });
    expect(scoped.body).toMatchObject({ allTenants: false, tenantIds: [tenantId] });
    const events = await eventsFor(op.operatorId);
    const roleEvent = events.find((e) => e.action === 'operator.role_changed')!;
    expect((roleEvent.before as { role: string }).role).toBe('operator');
    expect((roleEvent.after as { role: string }).role).toBe('admin');
    expect(events.some((e) => e.action === 'operator.scope_changed')).toBe(true);
    expect(roleEvent.requestId).toBeTruthy();
  });

  it('bad input is refused with the field named and nothing changed', async () => {
    const admin = await t.signedInAs('admin');
    const op = await t.signedInAs('operator');
    const bad = await admin.client.patch(`/api/operators/${op.operatorId}`, { role: 'superuser' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].field).toBe('role');
    const badScope = await admin.client.patch(`/api/operators/${op.operatorId}`, { tenantIds: ['not-a-uuid'] });
    expect(badScope.status).toBe(400);
    expect((await admin.client.get(`/api/operators/${op.operatorId}`)).body).toMatchObject({ role: 'operator', tenantIds: [] });
    expect((await admin.client.get('/api/operators/not-a-uuid')).status).toBe(400);
    expect((await admin.client.get('/api/operators/6a1b2c3d-4e5f-4a1b-8c2d-3e4f5a6b7c8d')).status).toBe(404);
  });

  it('the last active admin cannot be demoted or disabled, and an admin cannot demote themself', async () => {
    const admin = await t.signedInAs('admin');
    const self = await admin.client.patch(`/api/operators/${admin.operatorId}`, { role: 'viewer' });
    expect(self.status).toBe(409);
    expect(self.body.error.code).toBe('self_demotion');
  });

  it('disabling an operator ends their sessions and refuses sign-in; reset password and unlock work', async () => {
    const admin = await t.signedInAs('admin');
    const op = await t.signedInAs('operator');
    expect((await admin.client.patch(`/api/operators/${op.operatorId}`, { status: 'disabled' })).status).toBe(200);
    expect((await op.client.get('/api/me')).status).toBe(401);
    const refused = await t.client().login(op.email, op.password);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('account_disabled');
    await admin.client.patch(`/api/operators/${op.operatorId}`, { status: 'active' });

    for (let i = 0; i < 5; i++) await t.client().login(op.email, 'definitely wrong');
    expect((await t.client().login(op.email, op.password)).status).toBe(429);
    expect((await admin.client.post(`/api/operators/${op.operatorId}/unlock`)).body.lockedUntil).toBeNull();
    expect((await t.client().login(op.email, op.password)).status).toBe(200);

    const reset = await admin.client.post(`/api/operators/${op.operatorId}/reset-password`);
    expect((await t.client().login(op.email, op.password)).status).toBe(401);
    const withTemp = await t.client().login(op.email, reset.body.temporaryPassword);
    expect(withTemp.body.obligation).toBe('password_change_required');
  });

  it('pending operators are approved with a role', async () => {
    const admin = await t.signedInAs('admin');
    const op = await t.signedInAs('viewer');
    await t.deps.db.update((await import('../../../src/db/schema/index.ts')).operators).set({ status: 'pending' }).where(eq((await import('../../../src/db/schema/index.ts')).operators.id, op.operatorId));
    const waiting = await t.client().login(op.email, op.password);
    expect(waiting.body.error.code).toBe('pending_approval');
    const approved = await admin.client.post(`/api/operators/${op.operatorId}/approve`, { role: 'operator' });
    expect(approved.body).toMatchObject({ status: 'active', role: 'operator' });
    expect((await t.client().login(op.email, op.password)).status).toBe(200);
  });

  it('the audit log is searchable by action and paged newest first', async () => {
    const admin = await t.signedInAs('admin');
    const page1 = await admin.client.get('/api/audit?action=auth.&limit=3');
    expect(page1.status).toBe(200);
    expect(page1.body.events).toHaveLength(3);
    expect(page1.body.events.every((e: { action: string }) => e.action.startsWith('auth.'))).toBe(true);
    const page2 = await admin.client.get(`/api/audit?action=auth.&limit=3&before=${page1.body.nextBefore}`);
    expect(page2.body.events[0].id).toBeLessThan(page1.body.events[2].id);
    const failures = await admin.client.get('/api/audit?result=failure');
    expect(failures.body.events.length).toBeGreaterThan(0);
    const rows = await t.deps.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'auth.sign_in'), eq(auditEvents.result, 'success')));
    expect(rows.length).toBeGreaterThan(0);
  });

  it('non-admins read the audit log of their tenants and their own events, not other operators\' sign-ins', async () => {
    const admin = await t.signedInAs('admin');
    const tenant = (await admin.client.post('/api/tenants', { name: 'Audit visible' })).body;
    const viewer = await t.signedInAs('viewer');
    const events = (await viewer.client.get('/api/audit?limit=500')).body.events as Array<{ tenantId: string | null; operatorId: string | null; action: string }>;
    expect(events.some((e) => e.tenantId === tenant.id && e.action === 'tenant.created')).toBe(true);
    expect(events.filter((e) => e.tenantId === null).every((e) => e.operatorId === viewer.operatorId)).toBe(true);
    expect(events.some((e) => e.action === 'auth.sign_in' && e.operatorId === admin.operatorId)).toBe(false);
  });

  it('the database holds no secret in plain text', async () => {
    const op = await t.signedInAs('operator', { mfa: true });
    const codes = await op.client.post('/api/me/mfa/recovery-codes');
    expect(codes.body.recoveryCodes).toHaveLength(10);
    await op.client.post('/api/me/tokens', { name: 'x', access: 'read' });
    const dump = await dumpDatabase(t);
    const leaked = [...t.secrets].filter((s) => s.length >= 6 && dump.includes(s));
    expect(leaked).toEqual([]);
    expect(dump).not.toContain(op.totpSecret!);
    expect(dump).toContain('v1.'); // the TOTP secret is there, encrypted
  });
});
