/**
 * Teams voice end to end (SPEC D1, D2, D6, D7, C3, G1) on the demo exactly as `npm start` runs it:
 * scripts/start.ts with the built-in simulators in the same process, the demo tenant connected
 * to the simulated Teams, its users synced and its Teams numbers in the inventory.
 *
 * An operator signs in with Microsoft (the Entra ID simulator), is approved by the first admin,
 * picks the demo tenant, finds a user who is ready for voice, assigns a number Teams knows with a
 * voice routing policy, sees the change pending and then confirmed, reverts it and finds the
 * number cooling in the inventory; the admin sees the voice.* events in the audit log. A number
 * Teams does not have fails in plain words and goes back to available.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { chromiumAvailable, demoSimulators, screensDir, ensureWebBuilt, guideScreenshot, launchBrowser, screenshot, startServer, targets, type RunningServer } from './harness.ts';

const haveChromium = chromiumAvailable();
const ADMIN_PASSWORD = 'Harbour-Quartz-Meridian-7741';
const OLIVIA = { upn: 'olivia.operator@contoso.example', name: 'Olivia Operator' };
const DEMO_TENANT_ID = '6f1d3c2a-8b4e-4c1f-9a7d-0c5e2b9f4a11';

type TeamsUser = { userId: string; upn: string; displayName: string; accountEnabled: boolean; usageLocation: string | null; phoneSystem: boolean; numbers: unknown[] };
type InventoryNumber = { id: string; e164: string; status: string; kind: string; notes: string; assignee: { id: string } | null };

async function signInAsFirstAdmin(page: Page, server: RunningServer): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.waitForURL('**/sign-in**');
  await page.getByLabel('Email').fill(server.adminEmail);
  await page.getByLabel('Password').fill(server.adminPassword);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL('**/setup/password');
  await page.getByLabel('Current password').fill(server.adminPassword);
  await page.getByLabel('New password', { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByLabel('Repeat new password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Save new password' }).click();
  await page.waitForURL(`${server.url}/`);
}

async function signInWithMicrosoft(page: Page, server: RunningServer, entraUrl: string): Promise<void> {
  await page.goto(`${server.url}/`);
  await page.waitForURL('**/sign-in**');
  await page.getByRole('link', { name: 'Sign in with Microsoft' }).click();
  await page.waitForURL(`${entraUrl}/**`);
  await page.getByRole('button', { name: new RegExp(OLIVIA.name) }).click();
}

/** The simulated Teams tenant's own view of its numbers (Graph, as the app's registration sees it). */
async function teamsNumbers(entraUrl: string, graphUrl: string): Promise<Array<{ telephoneNumber: string; numberType: string; assignmentStatus: string }>> {
  const token = await fetch(`${entraUrl}/${DEMO_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ client_id: 'demo-client', client_secret: 'demo-secret', grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }),
  }).then(async (r) => ((await r.json()) as { access_token: string }).access_token);
  const all: Array<{ telephoneNumber: string; numberType: string; assignmentStatus: string }> = [];
  // numberAssignments pages with $top (at most 1,000) and $skip, without @odata.nextLink (Graph v1.0 "List numberAssignments").
  for (let skip = 0; ; skip += 1000) {
    const page = (await fetch(`${graphUrl}/v1.0/admin/teams/telephoneNumberManagement/numberAssignments?$top=1000&$skip=${skip}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())) as { value: typeof all };
    all.push(...page.value);
    if (page.value.length < 1000) break;
  }
  return all;
}

describe.skipIf(!haveChromium).each(targets())('Teams voice in the browser on the npm start demo ($name)', (target) => {
  let server: RunningServer;
  let sims: { entra: string; graph: string };
  let browser: Browser;
  let oliviaContext: BrowserContext;
  let adminContext: BrowserContext;
  let olivia: Page;
  let admin: Page;
  let tenantId: string;
  let readyUsers: TeamsUser[];
  let assigned: { user: TeamsUser; number: InventoryNumber };
  const shot = (page: Page, name: string) => screenshot(page, `${target.name}-voice-${name}`);

  const api = async <T,>(path: string): Promise<T> => {
    const response = await olivia.request.get(`${server.url}${path}`);
    expect(response.status(), `GET ${path}`).toBe(200);
    return (await response.json()) as T;
  };
  const inventoryNumber = async (e164: string) => (await api<{ numbers: InventoryNumber[] }>(`/api/tenants/${tenantId}/numbers?search=${encodeURIComponent(e164.slice(1))}&limit=5`)).numbers.find((n) => n.e164 === e164)!;

  async function openUser(user: TeamsUser): Promise<void> {
    await olivia.getByLabel('Find a user').fill(user.upn);
    await olivia.getByTestId('user-result').filter({ hasText: user.upn }).click();
    await olivia.getByRole('heading', { name: user.displayName }).waitFor();
    // The panel reads the user live from Teams; the form opens once it has.
    await olivia.getByRole('button', { name: 'Apply in Teams' }).waitFor();
    await expect.poll(() => olivia.getByRole('button', { name: 'Apply in Teams' }).isEnabled()).toBe(true);
  }

  async function pickNumber(e164: string): Promise<void> {
    await olivia.getByLabel('Assign a number from the inventory').check();
    await olivia.getByLabel('Find a number in the inventory').fill(e164.slice(1));
    const option = olivia.getByTestId('number-picker').getByRole('radio', { name: new RegExp(`\\${e164}`) });
    await option.check();
  }

  beforeAll(async () => {
    ensureWebBuilt();
    // Its Policies page is checked on a demo without a PowerShell bridge (what the page says to set up).
    server = await startServer(target, { entry: 'start', env: { UCR_DEMO_POWERSHELL: 'false' } });
    sims = demoSimulators(server);
    browser = await launchBrowser();
    oliviaContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    olivia = await oliviaContext.newPage();
    admin = await adminContext.newPage();
    olivia.setDefaultTimeout(20_000);
    // A crash in the page shows up in the test output, not only as a missing element.
    olivia.on('pageerror', (e) => console.warn('page error:', e.message));
    admin.setDefaultTimeout(20_000);
  });

  // A failed step leaves a picture of both browsers behind.
  beforeEach((context) => {
    onTestFailed(async () => {
      const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40);
      if (olivia) await screenshot(olivia, `${target.name}-voice-FAILED-${name}-operator`).catch(() => undefined);
      if (admin) await screenshot(admin, `${target.name}-voice-FAILED-${name}-admin`).catch(() => undefined);
    });
  });

  afterAll(async () => {
    await oliviaContext?.close();
    await adminContext?.close();
    await browser?.close();
    if (server) writeFileSync(join(screensDir, `${target.name}-voice-server.log`), server.output());
    await server?.stop();
    // The demo's client secret never reaches the logs.
    if (server) expect(server.output()).not.toMatch(/demo-secret/);
  });

  it('an operator signs in with Microsoft and the first admin approves her', async () => {
    await signInWithMicrosoft(olivia, server, sims.entra);
    await olivia.waitForURL(`${server.url}/pending-approval`);
    await signInAsFirstAdmin(admin, server);
    await admin.goto(`${server.url}/admin/operators`);
    const row = admin.getByTestId('operator-row').filter({ hasText: OLIVIA.upn });
    await row.getByRole('button', { name: `Manage ${OLIVIA.upn}` }).click();
    await admin.getByRole('button', { name: 'Approve…' }).click();
    const confirm = admin.getByRole('dialog', { name: `Approve ${OLIVIA.name}?` });
    await confirm.getByLabel('Role').selectOption('operator');
    await confirm.getByLabel('Access to all tenants').check();
    await confirm.getByRole('button', { name: 'Approve', exact: true }).click();
    await admin.getByRole('status').filter({ hasText: 'Approved.' }).waitFor();
    await admin.keyboard.press('Escape');

    await signInWithMicrosoft(olivia, server, sims.entra);
    await olivia.waitForURL(`${server.url}/`);
    expect(await olivia.getByTestId('signed-in-operator').textContent()).toBe(OLIVIA.name);
  });

  it('picks the demo tenant and opens its voice page', async () => {
    await olivia.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tenants' }).click();
    await olivia.getByRole('link', { name: 'Contoso (demo)' }).click();
    await olivia.waitForURL(/\/tenants\/[0-9a-f-]{36}$/);
    tenantId = /\/tenants\/([0-9a-f-]{36})/.exec(olivia.url())![1]!;
    await olivia.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Voice', exact: true }).click();
    await olivia.waitForURL(`**/tenants/${tenantId}/voice`);
    await olivia.getByRole('heading', { name: 'Users' }).waitFor();
    // An operator changes voice and syncs; the connection itself is the admins'.
    await olivia.getByRole('button', { name: 'Sync users from Teams' }).waitFor();

    // Users ready for voice: licensed, with a usage location, enabled, and no number yet.
    const { users } = await api<{ users: TeamsUser[] }>(`/api/tenants/${tenantId}/teams/users?search=contoso&limit=200`);
    readyUsers = users.filter((u) => u.phoneSystem && u.numbers.length === 0 && u.usageLocation && u.accountEnabled);
    expect(readyUsers.length).toBeGreaterThan(2);
  });

  it('assigns an available number Teams knows with a voice routing policy: pending, then confirmed', async () => {
    // A Direct Routing number the simulated tenant has free, that the inventory has available.
    const free = (await teamsNumbers(sims.entra, sims.graph)).filter((n) => n.numberType === 'directRouting' && n.assignmentStatus === 'unassigned');
    let number: InventoryNumber | undefined;
    for (const candidate of free) {
      const inv = await inventoryNumber(candidate.telephoneNumber);
      if (inv?.status === 'available') {
        number = inv;
        break;
      }
    }
    expect(number, 'a free Teams number available in the inventory').toBeDefined();
    expect(number!.notes).toBe('Added from Teams by reconcile');
    const user = readyUsers[0]!;
    assigned = { user, number: number! };
    // Teams takes a few seconds, so the pending state is there to see.
    await fetch(`${sims.graph}/_sim/knobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operationDelayMs: 4000 }) });

    await openUser(user);
    expect(await olivia.getByTestId('voice-current').textContent()).toContain('No number');
    await olivia.getByText('Ready for a phone number').waitFor();
    await shot(olivia, '1-user-ready');

    await pickNumber(number!.e164);
    await olivia.getByLabel('Voice routing policy').selectOption('US-Domestic');
    // The demo tenant has ConnectWise: the ticket is picked from its company's open tickets.
    await olivia.getByLabel('Find a ConnectWise ticket (optional)').fill('voice routing');
    await olivia.getByTestId('ticket-picker').getByRole('button', { name: /^#7002 / }).click();
    await olivia.getByTestId('chosen-ticket').filter({ hasText: 'Move user to the UK voice routing policy' }).waitFor();
    await shot(olivia, '2-change-form');
    await olivia.getByRole('button', { name: 'Apply in Teams' }).click();

    const status = olivia.getByTestId('change-status');
    await status.and(olivia.locator('[data-status="pending"]')).waitFor();
    expect(await status.textContent()).toContain('Waiting for Teams to confirm…');
    expect(await status.textContent()).not.toContain('confirmed');
    // While Teams works, the number is held for the user and the form is closed.
    expect((await inventoryNumber(number!.e164)).status).toBe('reserved');
    expect(await olivia.getByRole('button', { name: 'Apply in Teams' }).isDisabled()).toBe(true);
    await shot(olivia, '3-pending');

    await status.and(olivia.locator('[data-status="succeeded"]')).waitFor({ timeout: 30_000 });
    expect(await status.textContent()).toContain('Teams confirmed');
    await expect.poll(() => olivia.getByTestId('voice-current').textContent()).toContain(number!.e164);
    const routing = olivia.getByTestId('voice-policies').getByRole('row', { name: /Voice routing policy/ });
    await expect.poll(() => routing.textContent()).toContain('US-Domestic');
    expect(await routing.textContent()).toContain('Direct');
    await olivia.getByTestId('voice-change').first().and(olivia.locator('[data-status="succeeded"]')).waitFor();
    await shot(olivia, '4-confirmed');

    const after = await inventoryNumber(number!.e164);
    expect(after.status).toBe('assigned');
    expect(after.assignee?.id).toBe(user.userId);
  });

  it('reverts the change: the user has no number again and the number cools down in the inventory', async () => {
    const { number, user } = assigned;
    await olivia.getByTestId('voice-change').first().getByRole('button', { name: /^Revert/ }).click();
    const dialog = olivia.getByRole('dialog', { name: 'Revert this change?' });
    expect(await dialog.textContent()).toContain(`Number: ${number.e164} → no number`);
    await shot(olivia, '5-revert-confirm');
    await dialog.getByRole('button', { name: 'Revert in Teams' }).click();

    const status = olivia.getByTestId('change-status');
    await status.and(olivia.locator('[data-status="pending"]')).waitFor();
    await status.and(olivia.locator('[data-status="succeeded"]')).waitFor({ timeout: 30_000 });
    expect(await status.textContent()).toContain('reverted');
    await expect.poll(() => olivia.getByTestId('voice-current').textContent()).toContain('No number');
    expect(await olivia.getByTestId('voice-change').count()).toBe(2);
    await shot(olivia, '6-reverted');

    // Reverting the older change again is refused with the reason, and nothing changes.
    await olivia.getByTestId('voice-change').nth(1).getByRole('button', { name: /^Revert/ }).click();
    await dialog.getByRole('button', { name: 'Revert in Teams' }).click();
    await dialog.getByRole('alert').waitFor();
    expect(await dialog.getByRole('alert').textContent()).toContain(`${user.upn} has been changed again since; revert the newer change first.`);
    await shot(olivia, '6b-revert-conflict');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await olivia.getByTestId('voice-change').count()).toBe(2);

    // The number's own history in the inventory: held, assigned, released into cooling.
    await olivia.getByTestId('voice-change').first().getByRole('link', { name: `History of ${number.e164} in the inventory` }).click();
    const drawer = olivia.getByRole('dialog', { name: number.e164 });
    await drawer.getByTestId('number-history').waitFor();
    expect(await drawer.getByText('Cooling', { exact: true }).first().isVisible()).toBe(true);
    const history = await drawer.getByTestId('number-history').textContent();
    expect(history).toContain('Held for a Teams assignment');
    expect(history).toContain('Assigned');
    expect(history).toContain('Released');
    expect(history).toContain('Ticket #7002');
    await shot(olivia, '7-number-cooling');
    const back = await inventoryNumber(number.e164);
    expect(back.status).toBe('cooling');
    expect(back.assignee).toBeNull();
  });

  it('the admin finds the voice events in the audit log', async () => {
    await admin.goto(`${server.url}/tenants/${tenantId}/voice?user=${assigned.user.userId}`);
    await admin.getByRole('heading', { name: assigned.user.displayName }).waitFor();
    await admin.getByRole('link', { name: 'Audit trail' }).click();
    await admin.waitForURL(/\/audit\?/);
    await admin.getByTestId('audit-row').first().waitFor();
    const actions = await admin.getByTestId('audit-row').locator('code').allTextContents();
    expect(actions).toEqual(expect.arrayContaining(['voice.assign_number_requested', 'voice.assign_number', 'voice.revert_requested', 'voice.revert']));
    expect(actions.every((a) => a.startsWith('voice.'))).toBe(true);
    expect(await admin.getByTestId('audit-row').filter({ hasText: 'voice.assign_number_requested' }).textContent()).toContain('Ticket #7002');
    await shot(admin, '8-audit');
  });

  it('a number Teams does not have fails in plain words and goes back to available', async () => {
    // The London Operator Connect block is in the inventory, but the operator never provisioned it
    // to the tenant. (A Direct Routing number would not fail: assigning one uploads it to Teams.)
    const { numbers } = await api<{ numbers: InventoryNumber[] }>(`/api/tenants/${tenantId}/numbers?search=4420794601&status=available&kind=operator_connect&limit=5`);
    const number = numbers[0]!;
    expect(number.e164).toMatch(/^\+4420794601\d\d$/);
    const user = readyUsers[1]!;
    await olivia.goto(`${server.url}/tenants/${tenantId}/voice`);
    await openUser(user);
    await pickNumber(number.e164);
    await olivia.getByRole('button', { name: 'Apply in Teams' }).click();

    const status = olivia.getByTestId('change-status');
    await status.and(olivia.locator('[data-status="pending"]')).waitFor();
    await status.and(olivia.locator('[data-status="failed"]')).waitFor({ timeout: 30_000 });
    const text = (await status.textContent()) ?? '';
    expect(text).toContain('The change did not go through.');
    expect(text).toContain('Teams does not have this number. Calling Plan and Operator Connect numbers must be in the tenant');
    expect(text).toContain(`${number.e164} is back in the inventory as it was before`);
    expect(text).not.toMatch(/confirmed/i);
    await expect.poll(() => olivia.getByTestId('voice-current').textContent()).toContain('No number');
    await olivia.getByTestId('voice-change').first().and(olivia.locator('[data-status="failed"]')).waitFor();
    await shot(olivia, '9-failed');
    expect((await inventoryNumber(number.e164)).status).toBe('available');
  });

  it('saves a profile and applies it to a user', async () => {
    await olivia.goto(`${server.url}/tenants/${tenantId}/profiles`);
    await olivia.getByRole('button', { name: 'Add profile' }).click();
    const form = olivia.getByRole('dialog', { name: 'Add a profile' });
    await form.getByLabel('Name').fill('US calling');
    await form.getByLabel('Voice routing policy').selectOption('US-International');
    await form.getByLabel('Dial plan').selectOption('US-Redmond');
    await form.getByRole('button', { name: 'Add profile' }).click();
    const row = olivia.getByTestId('profile-row').filter({ hasText: 'US calling' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Voice routing policy: US-International');
    await shot(olivia, '10-profiles');

    const user = readyUsers[2]!;
    await olivia.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Voice', exact: true }).click();
    await openUser(user);
    await olivia.getByLabel('Profile', { exact: true }).selectOption({ label: 'US calling' });
    await olivia.getByRole('button', { name: 'Apply profile' }).click();
    await olivia.getByTestId('change-status').and(olivia.locator('[data-status="succeeded"]')).waitFor({ timeout: 30_000 });
    const routing = olivia.getByTestId('voice-policies').getByRole('row', { name: /Voice routing policy/ });
    await expect.poll(() => routing.textContent()).toContain('US-International');
    expect(await olivia.getByTestId('voice-policies').getByRole('row', { name: /Dial plan/ }).textContent()).toContain('US-Redmond');
    await shot(olivia, '11-profile-applied');
  });

  it('a viewer sees a user\'s voice set-up and history but nothing to change', async () => {
    const { csrfToken } = (await (await admin.request.get(`${server.url}/api/auth/session`)).json()) as { csrfToken: string };
    const created = await admin.request.post(`${server.url}/api/operators`, {
      headers: { 'x-csrf-token': csrfToken },
      data: { email: 'vera.viewer@example.com', displayName: 'Vera Viewer', role: 'viewer', allTenants: true, tenantIds: [] },
    });
    expect(created.status()).toBe(201);
    const { temporaryPassword } = (await created.json()) as { temporaryPassword: string };
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const vera = await context.newPage();
      vera.setDefaultTimeout(20_000);
      await vera.goto(`${server.url}/sign-in`);
      await vera.getByLabel('Email').fill('vera.viewer@example.com');
      await vera.getByLabel('Password').fill(temporaryPassword);
      await vera.getByRole('button', { name: 'Sign in', exact: true }).click();
      await vera.waitForURL('**/setup/password');
      await vera.getByLabel('Current password').fill(temporaryPassword);
      await vera.getByLabel('New password', { exact: true }).fill('Viewer-Quartz-Meridian-7741');
      await vera.getByLabel('Repeat new password').fill('Viewer-Quartz-Meridian-7741');
      await vera.getByRole('button', { name: 'Save new password' }).click();
      await vera.waitForURL(`${server.url}/`);

      await vera.goto(`${server.url}/tenants/${tenantId}/voice?user=${assigned.user.userId}`);
      await vera.getByTestId('voice-change').first().waitFor();
      await vera.getByTestId('voice-policies').waitFor();
      expect(await vera.getByRole('button', { name: 'Apply in Teams' }).count()).toBe(0);
      expect(await vera.getByRole('button', { name: 'Sync users from Teams' }).count()).toBe(0);
      expect(await vera.getByRole('button', { name: /^Revert/ }).count()).toBe(0);
      expect(await vera.getByRole('link', { name: 'Audit trail' }).count()).toBe(0);
      await screenshot(vera, `${target.name}-voice-viewer`);
      await vera.goto(`${server.url}/tenants/${tenantId}/connections`);
      await vera.getByTestId('teams-connection-summary').waitFor();
      expect(await vera.getByRole('button', { name: 'Test connection' }).count()).toBe(0);
      expect(await vera.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('the admin tests the Teams connection, sees the policy catalog and the reconcile view', async () => {
    await admin.goto(`${server.url}/tenants/${tenantId}/connections`);
    await admin.getByRole('button', { name: 'Test connection' }).click();
    const result = admin.getByTestId('connection-test');
    await result.waitFor();
    expect(await result.textContent()).toContain('The connection works.');
    expect(await admin.getByTestId('connection-step').count()).toBe(3);
    for (const permission of ['User.Read.All', 'TeamsUserConfiguration.Read.All', 'TeamsTelephoneNumber.ReadWrite.All', 'TeamsPolicyUserAssign.ReadWrite.All']) {
      expect(await admin.getByTestId('required-permissions').textContent()).toContain(permission);
    }
    await shot(admin, '12-connection');

    await admin.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Policies' }).click();
    await admin.getByTestId('policy-row').first().waitFor();
    expect(await admin.getByRole('table', { name: 'Policies by type' }).textContent()).toContain('US-Domestic');
    // This server has no PowerShell bridge: the page says when the catalog was last read from Teams and what to set up.
    expect(await admin.getByTestId('policies-refreshed').textContent()).toContain('Never refreshed from Teams');
    expect(await admin.getByTestId('powershell-setup').textContent()).toMatch(/MicrosoftTeams module.*UCR_PWSH_PATH.*Teams Administrator role/);
    expect(await admin.getByRole('button', { name: 'Refresh from Teams' }).count()).toBe(0);
    expect(await admin.getByRole('table', { name: 'Policies by type' }).textContent()).toContain('Call park policy');
    if (target.name === 'pglite') await guideScreenshot(admin, 'policies');
    await admin.getByRole('button', { name: 'Add policy' }).click();
    const add = admin.getByRole('dialog', { name: 'Add a policy' });
    await add.getByLabel('Name').fill('No-Such-Policy');
    await add.getByRole('button', { name: 'Add policy' }).click();
    await add.getByRole('alert').waitFor();
    expect(await add.getByRole('alert').textContent()).toContain('Teams has no OnlineVoiceRoutingPolicy named "No-Such-Policy"');
    await shot(admin, '13-policies');
    await admin.keyboard.press('Escape');

    await admin.getByRole('navigation', { name: 'Tenant sections' }).getByRole('link', { name: 'Reconcile with Teams' }).click();
    await admin.getByTestId('reconcile-summary').waitFor();
    await shot(admin, '14-reconcile');
  });
});
